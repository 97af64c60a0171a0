// The seeded generator replays exactly from a seed, and forks are independent of each other.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/util/rng.js';

describe('Rng', () => {
  it('is deterministic per seed', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => {
        const a = new Rng(seed);
        const b = new Rng(seed);
        for (let i = 0; i < 20; i++) expect(a.nextU32()).toBe(b.nextU32());
      }),
    );
  });
  it('stays in range', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: -50, max: 50 }), fc.integer({ min: 0, max: 50 }), (seed, lo, span) => {
        const r = new Rng(seed);
        for (let i = 0; i < 20; i++) {
          const x = r.int(lo, lo + span);
          expect(x).toBeGreaterThanOrEqual(lo);
          expect(x).toBeLessThanOrEqual(lo + span);
          const u = r.next();
          expect(u).toBeGreaterThanOrEqual(0);
          expect(u).toBeLessThan(1);
        }
      }),
    );
  });
  it('samples distinct items', () => {
    const r = new Rng(7);
    const s = r.sample(['a', 'b', 'c', 'd', 'e'], 3);
    expect(new Set(s).size).toBe(3);
  });
  it('forks differ from the parent and from each other', () => {
    const r = new Rng(1);
    expect(r.fork('a').nextU32()).not.toBe(r.fork('b').nextU32());
  });
});
