// Properties of the transactional checker on histories whose verdict is known by construction: a simulated
// serial database is valid under strict-serializable (both models, with faults), and each planted anomaly
// (write skew, read skew, lost update, long fork) is found with Elle's name, on exactly the planted txns.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkTxn, type TxnModel } from '../../../checkers/txn/index.js';
import { simulateTxns, type Planted } from '../../support/txn-sim.js';

const models: TxnModel[] = ['list-append', 'rw-register'];

const simArb = fc.record({
  model: fc.constantFrom(...models),
  seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  txns: fc.integer({ min: 2, max: 150 }),
  processes: fc.integer({ min: 1, max: 8 }),
  mops: fc.integer({ min: 1, max: 5 }),
  varyLength: fc.boolean(),
  keys: fc.integer({ min: 1, max: 6 }),
  maxWritesPerKey: fc.integer({ min: 1, max: 8 }),
  failRate: fc.constantFrom(0, 0.1),
  infoRate: fc.constantFrom(0, 0.1),
});

describe('serial histories are valid', () => {
  it('strict-serializable, with version orders from every source (rw-register), fails and infos included', () => {
    fc.assert(
      fc.property(simArb, (o) => {
        const h = simulateTxns(o);
        const r = checkTxn(o.model, h, { linearizableKeys: true, sequentialKeys: true, wfrKeys: true, anomalies: ['garbage-read'] });
        // a tiny history may give no dependency at all: that is "unknown", never an anomaly
        if (r.valid !== true) expect(r.anomalyTypes).toEqual(['empty-transaction-graph']);
        expect(r.otherAnomalyTypes).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });
});

const expected: Record<Planted, { models: string[]; list: string[]; register: string[] }> = {
  'write-skew': { models: ['serializable'], list: ['G2-item'], register: ['G2-item'] },
  'read-skew': { models: ['snapshot-isolation'], list: ['G-single-item'], register: ['G-single-item'] },
  'lost-update': { models: ['repeatable-read'], list: ['G2-item', 'lost-update'], register: ['lost-update'] },
  'long-fork': { models: ['snapshot-isolation'], list: ['G-nonadjacent-item'], register: ['G-nonadjacent-item'] },
};

describe('planted anomalies are found by name', () => {
  for (const kind of Object.keys(expected) as Planted[]) {
    it(`${kind} → ${expected[kind].list.join(' + ')}`, () => {
      fc.assert(
        fc.property(simArb, fc.integer({ min: 0, max: 100 }), (o, at) => {
          const h = simulateTxns({ ...o, failRate: 0, infoRate: 0, plant: { at: Math.min(at, o.txns - 1), kind } });
          const e = expected[kind];
          const r = checkTxn(o.model, h, { consistencyModels: e.models });
          expect(r.valid).toBe(false);
          expect(r.anomalyTypes).toEqual(o.model === 'list-append' ? e.list : e.register);
          const cycle = r.anomalies.find((a) => a.type.startsWith('G'));
          if (cycle) expect([...cycle.ops].sort((a, b) => a - b)).toEqual([...h.planted].sort((a, b) => a - b));
          // and strict-serializable sees the same anomaly (its realtime edges add nothing to a concurrent plant)
          const strict = checkTxn(o.model, h);
          for (const t of r.anomalyTypes) expect(strict.anomalyTypes).toContain(t);
        }),
        { numRuns: 60 },
      );
    });
  }
});
