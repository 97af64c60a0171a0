// The linearizability checker's long-search hint (CheckContext.onLongSearch): called once, when a key's search
// goes past its first steps, never for a short one, and the verdict is the one without it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkLinearizability } from '../../checkers/linearizability.js';
import { getModel } from '../../checkers/models.js';
import { pairHistory } from '../../src/history/pair.js';
import { ANOMALIES_FOR, historyArb, injectAnomaly, randomPlan, simulate } from '../support/simulate.js';

function withHint(events: Parameters<typeof pairHistory>[0], model: Parameters<typeof getModel>[0]) {
  let calls = 0;
  const result = checkLinearizability(pairHistory(events), getModel(model), { onLongSearch: () => calls++ });
  return { result, calls };
}

describe('the long-search hint', () => {
  it('is called once for a search of many steps', () => {
    // 12 processes, ops about 12 long: a few thousand configurations, tens of thousands of steps
    const events = simulate(randomPlan(11, { model: 'cas-register', processes: 12, keys: 0, ops: 300, infoRate: 0.05, failRate: 0.05, meanDuration: 12 }));
    const { result, calls } = withHint(events, 'cas-register');
    expect(result.valid).toBe(true);
    expect(calls).toBe(1);
  });

  it('is not called for a short search', () => {
    const events = simulate(randomPlan(11, { model: 'cas-register', processes: 3, keys: 0, ops: 50, infoRate: 0.05, failRate: 0.05 }));
    expect(withHint(events, 'cas-register').calls).toBe(0);
  });

  it('never changes the result, and is called at most once (generated histories, with and without an anomaly)', () => {
    fc.assert(
      fc.property(historyArb({ maxOps: 60 }), fc.boolean(), ({ plan, events }, bad) => {
        const input = bad ? injectAnomaly(events, ANOMALIES_FOR[plan.model][0], plan.model).events : events;
        const plain = checkLinearizability(pairHistory(input), getModel(plan.model));
        const hinted = withHint(input, plan.model);
        expect(hinted.calls).toBeLessThanOrEqual(1);
        expect(hinted.result).toEqual(plain);
      }),
      { numRuns: 300 },
    );
  });

  it('never changes the result of a long search either (wide histories, cut in two at the hint)', () => {
    let hinted = 0;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 8, max: 14 }), fc.boolean(), (seed, processes, bad) => {
        const events = simulate(randomPlan(seed, { model: 'cas-register', processes, keys: 0, ops: 200, infoRate: 0.05, failRate: 0.05, meanDuration: processes }));
        const input = bad ? injectAnomaly(events, 'stale-read', 'cas-register').events : events;
        const plain = checkLinearizability(pairHistory(input), getModel('cas-register'));
        const h = withHint(input, 'cas-register');
        hinted += h.calls;
        expect(h.result).toEqual(plain);
      }),
      { numRuns: 40 },
    );
    // the property is about cut searches: some of them must have been
    expect(hinted).toBeGreaterThan(0);
  });
});
