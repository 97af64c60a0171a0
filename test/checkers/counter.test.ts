// Counter checker: hand-made bounds cases, final reads per node, keyed counters, and property tests on the simulator.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkCounter, type CounterFinal, type CounterReadError } from '../../checkers/counter.js';
import { pairHistory } from '../../src/history/pair.js';
import type { Json } from '../../src/history/types.js';
import { HistoryBuilder } from '../support/build-history.js';
import { historyArb, injectAnomaly, simulateRun, simPlanArb } from '../support/simulate.js';

const errorsOf = (r: ReturnType<typeof checkCounter>) => r.errors as CounterReadError[];

describe('counter checker: read bounds', () => {
  it('accepts reads within bounds, concurrent adds may or may not count', () => {
    const h = new HistoryBuilder();
    h.op(0, 'add', 2, undefined);
    h.invoke(1, 'add', 5); // concurrent with the read
    h.invoke(2, 'read');
    h.ok(2, 7);
    h.ok(1, 5);
    h.op(2, 'read', null, 7);
    const r = checkCounter(h.paired());
    expect(r).toMatchObject({ valid: true, reads: 2, errorCount: 0 });
  });

  it('rejects a read below the acknowledged sum and names it with its bounds', () => {
    const h = new HistoryBuilder();
    h.op(0, 'add', 1, undefined).op(0, 'add', 1, undefined);
    const read = h.invoke(1, 'read');
    h.ok(1, 1, 'n2');
    const r = checkCounter(h.paired());
    expect(r.valid).toBe(false);
    expect(errorsOf(r)).toEqual([{ op: expect.objectContaining({ index: read, node: 'n2', value: 1 }), value: 1, expected: [2, 2] }]);
    expect(r.reason).toMatch(/read at index 4 returned 1, expected 2\.\.2/);
  });

  it('never counts failed adds; counts info adds as maybe, forever', () => {
    const h = new HistoryBuilder();
    h.op(0, 'add', 10, undefined, 'fail');
    h.op(1, 'add', 3, undefined, 'info');
    h.op(2, 'read', null, 3);
    h.op(2, 'read', null, 0);
    h.op(2, 'read', null, 10);
    const r = checkCounter(h.paired());
    expect(r.errorCount).toBe(1);
    expect(errorsOf(r)[0]).toMatchObject({ value: 10, expected: [0, 3] });
  });

  it('handles negative deltas: a maybe-applied decrement lowers the lower bound', () => {
    const h = new HistoryBuilder();
    h.op(0, 'add', 5, undefined);
    h.invoke(1, 'add', -2); // never completes
    h.op(2, 'read', null, 3);
    h.op(2, 'read', null, 5);
    h.op(2, 'read', null, 2);
    const r = checkCounter(h.paired());
    expect(errorsOf(r).map((e) => [e.value, e.expected])).toEqual([[2, [3, 5]]]);
  });

  it('checks keyed counters per key', () => {
    const h = new HistoryBuilder();
    h.op(0, 'add', 1, undefined, 'ok', { key: 0 });
    h.op(1, 'add', 1, undefined, 'ok', { key: 1 }).op(1, 'add', 1, undefined, 'ok', { key: 1 });
    h.op(0, 'read', null, 1, 'ok', { key: 0 });
    h.op(1, 'read', null, 1, 'ok', { key: 1 });
    const r = checkCounter(h.paired());
    expect(errorsOf(r)).toHaveLength(1);
    expect(errorsOf(r)[0]).toMatchObject({ key: 1, value: 1, expected: [2, 2] });
  });

  it('ignores info and fail reads, and treats a null read as 0', () => {
    const h = new HistoryBuilder();
    h.op(0, 'read', null, null);
    h.op(0, 'read', null, undefined, 'info');
    h.invoke(1, 'read');
    h.fail(1);
    expect(checkCounter(h.paired())).toMatchObject({ valid: true, reads: 1 });
  });
});

describe('counter checker: final reads', () => {
  const h = new HistoryBuilder();
  h.op(0, 'add', 1, undefined).op(0, 'add', 1, undefined);
  h.op(1, 'add', 1, undefined, 'info');
  h.op(2, 'add', 4, undefined, 'fail');

  it('reports lost and unexpected increments per node', () => {
    const r = checkCounter(h.paired(), { final: { n1: 2, n2: 3, n3: 1, n4: 7 } });
    const final = r.final as Record<string, CounterFinal>;
    expect(final.n1).toEqual({ value: 2, acknowledged: 2, possible: [2, 3], lost: 0, unexpected: 0 });
    expect(final.n2.lost + final.n2.unexpected).toBe(0);
    expect(final.n3).toMatchObject({ lost: 1, unexpected: 0 });
    expect(final.n4).toMatchObject({ lost: 0, unexpected: 4 });
    expect(r.valid).toBe(false);
    expect(r.reason).toMatch(/2 final values out of bounds/);
  });

  it('accepts matching keyed finals given as {key: value}', () => {
    const k = new HistoryBuilder();
    k.op(0, 'add', 2, undefined, 'ok', { key: 7 });
    const r = checkCounter(k.paired(), { final: { n1: { '7': 2 }, n2: { '7': 2, '8': 0 } } });
    expect(r.valid).toBe(true);
    const bad = checkCounter(k.paired(), { final: { n1: {} } });
    expect(bad.valid).toBe(false);
    expect((bad.final as Record<string, Record<string, CounterFinal>>).n1['7']).toMatchObject({ value: 0, lost: 2 });
  });
});

describe('counter checker: properties on simulated histories', () => {
  it('valid histories (crashes, keys, concurrency) are valid, also against their final states', () => {
    fc.assert(
      fc.property(simPlanArb({ model: 'counter', maxOps: 60 }), (plan) => {
        const run = simulateRun(plan);
        const fin: Json = plan.keys > 0 ? Object.fromEntries([...run.final].map(([k, v]) => [String(k), v])) : run.final.get(null)!;
        const r = checkCounter(pairHistory(run.events), { final: { n1: fin } });
        expect(r.errors).toEqual([]);
        expect(r.valid).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  for (const kind of ['lost-write', 'never-written', 'duplicated-add'] as const) {
    it(`an injected ${kind} is invalid and the reported read is the injected one`, () => {
      fc.assert(
        fc.property(historyArb({ model: 'counter', maxOps: 40 }), ({ events }) => {
          const injected = injectAnomaly(events, kind, 'counter');
          const r = checkCounter(pairHistory(injected.events));
          expect(r.valid).toBe(false);
          expect(errorsOf(r).map((e) => e.op.index)).toEqual([injected.index]);
        }),
        { numRuns: 200 },
      );
    });
  }
});
