// Property tests: simulated histories are linearizable; injected anomalies are caught and located;
// fast-check shrinks a broken database's history to a tiny counterexample.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkLinearizability } from '../../checkers/linearizability.js';
import { getModel, type ModelName } from '../../checkers/models.js';
import { pairHistory } from '../../src/history/pair.js';
import type { HistoryEvent, Op } from '../../src/history/types.js';
import {
  ANOMALIES_FOR,
  SIM_MODELS,
  historyArb,
  injectAnomaly,
  randomPlan,
  simPlanArb,
  simulate,
  type AnomalyKind,
} from '../support/simulate.js';

function check(events: HistoryEvent[], model: ModelName) {
  return checkLinearizability(pairHistory(events), getModel(model), { maxStates: 200_000 });
}

const overlaps = (a: Op, b: { invokeIndex: number; completeIndex: number | null }): boolean =>
  a.invokeIndex < (b.completeIndex ?? Infinity) && b.invokeIndex < (a.completeIndex ?? Infinity);

describe('simulated histories', () => {
  it('are always linearizable', () => {
    fc.assert(
      fc.property(historyArb({ maxOps: 40 }), ({ plan, events }) => {
        const r = check(events, plan.model);
        expect(r.valid).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('are linearizable at scale (seeded, every model, keyed and not)', () => {
    for (const model of SIM_MODELS) {
      for (const keys of [0, 5]) {
        const plan = randomPlan(42, { model, processes: 6, keys, ops: 800, infoRate: 0.01, failRate: 0.05, hangRate: 0.005 });
        const r = check(simulate(plan), model);
        expect(r.valid, `${model} keys=${keys}`).toBe(true);
      }
    }
  });
});

describe('injected anomalies', () => {
  const cases = SIM_MODELS.flatMap((model) => ANOMALIES_FOR[model].map((kind) => [model, kind] as const));

  it.each(cases)('%s / %s is found, at the injected op or one overlapping it', (model, kind: AnomalyKind) => {
    fc.assert(
      fc.property(historyArb({ model, maxOps: 30 }), ({ events }) => {
        const { events: bad, index } = injectAnomaly(events, kind, model);
        const r = check(bad, model);
        expect(r.valid).toBe(false);
        const ops = pairHistory(bad).ops;
        const injected = ops.find((o) => o.invokeIndex === index)!;
        const blamed = r.anomaly!.op;
        expect(blamed.invokeIndex === index || overlaps(injected, blamed)).toBe(true);
        expect(r.anomaly!.window.some((o) => o.invokeIndex === blamed.invokeIndex)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});

describe('shrinking', () => {
  it('shrinks a stale-replica database to a counterexample of at most 3 ops', () => {
    // a broken database whose reads lag one version behind: the property "its histories are linearizable" is false
    const out = fc.check(
      fc.property(simPlanArb({ model: 'register', staleReads: true, maxOps: 40 }), (plan) => {
        return check(simulate(plan), plan.model).valid === true;
      }),
      { seed: 7, numRuns: 500 },
    );
    expect(out.failed).toBe(true);
    const [plan] = out.counterexample!;
    const ops = pairHistory(simulate(plan)).ops;
    expect(ops.length).toBeLessThanOrEqual(3);
    expect(check(simulate(plan), 'register').anomaly!.op.f).toBe('read');
  });
});
