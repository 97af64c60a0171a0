// Decide, then stop (issue 18): a keyed history with one planted non-linearizable key among keys no search
// can finish is found INVALID, with that key's anomaly named and the hard keys listed as not fully checked;
// --all-keys goes on (within the time limit) and still names the anomaly, never the limit.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkLinearizability } from '../../checkers/linearizability.js';
import { getModel } from '../../checkers/models.js';
import { pairHistory } from '../../src/history/pair.js';
import type { Key } from '../../src/history/types.js';
import { plantedHistory } from '../support/pathological.js';

const keyArb = fc.oneof(fc.integer({ min: 0, max: 12 }), fc.constantFrom('a', 'b', 'hot', 'k1'));

describe('early stop at the first anomaly', () => {
  it('property: one planted anomaly among hard keys is found, named, and the hard keys are not fully checked', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('kv', 'register', 'cas-register'),
        fc.integer({ min: 1, max: 1000 }),
        fc.uniqueArray(keyArb, { minLength: 2, maxLength: 5 }),
        fc.integer({ min: 14, max: 22 }),
        fc.integer({ min: 0, max: 400 }),
        (model, seed, keys, width, ops) => {
          const [bad, ...hard] = keys as Key[];
          const { events, badRead } = plantedHistory({ model, seed, keys: 6, clients: 12, ops, hard, width, bad });
          const r = checkLinearizability(pairHistory(events), getModel(model), { timeLimitMs: 120_000 });
          expect(r.valid).toBe(false);
          expect(r.anomaly?.key).toBe(bad);
          expect(r.anomaly?.op.invokeIndex).toBe(badRead);
          expect(r.invalidKeys).toEqual([bad]);
          // the hard keys were stopped (with any ordinary key not reached yet), not given up on for a limit
          expect(r.unknownKeys).toBeUndefined();
          for (const k of hard) expect(r.uncheckedKeys).toContain(k);
          expect(r.uncheckedKeys).not.toContain(bad);
          expect(r.unchecked).toBe(r.uncheckedKeys?.length);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('is deterministic: the same history gives the same result', () => {
    const { events } = plantedHistory({ model: 'kv', seed: 7, keys: 8, clients: 20, ops: 600, hard: [3, 9], width: 18, bad: 5 });
    const h = pairHistory(events);
    const a = checkLinearizability(h, getModel('kv'), {});
    const b = checkLinearizability(h, getModel('kv'), {});
    expect(b).toEqual(a);
  });

  it('--all-keys goes on until the time limit, and the verdict still names the anomaly', () => {
    const { events } = plantedHistory({ model: 'kv', seed: 3, keys: 4, clients: 10, ops: 200, hard: ['hot'], width: 22, bad: 1 });
    const r = checkLinearizability(pairHistory(events), getModel('kv'), { allKeys: true, timeLimitMs: 1000 });
    expect(r).toMatchObject({ valid: false, invalidKeys: [1], anomaly: { key: 1 }, unknownKeys: ['hot'], unknown: 1, unknownReason: 'time-limit' });
    expect(r.uncheckedKeys).toBeUndefined();
  });

  it('without an anomaly, a hard key makes the verdict unknown at the time limit', () => {
    const { events } = plantedHistory({ model: 'register', seed: 4, keys: 3, clients: 6, ops: 100, hard: [7], width: 22, bad: null });
    const r = checkLinearizability(pairHistory(events), getModel('register'), { timeLimitMs: 1000 });
    expect(r).toMatchObject({ valid: 'unknown', unknownKeys: [7], unknown: 1, unknownReason: 'time-limit' });
  });

  it('a hard key past the state limit is unknown, and the other keys are still checked', () => {
    const { events } = plantedHistory({ model: 'cas-register', seed: 5, keys: 3, clients: 6, ops: 150, hard: [9], width: 20, bad: 2 });
    const r = checkLinearizability(pairHistory(events), getModel('cas-register'), { maxStates: 2000, allKeys: true });
    expect(r).toMatchObject({ valid: false, anomaly: { key: 2 }, unknownKeys: [9], unknownReason: 'state-limit' });
  });
});
