// The memo of the linearizability search: an InternedBitset's root id is equal exactly when the sets are,
// and the hashed memo agrees with the exact one on random walks of the search (add, back up, add…).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ExactMemo, HashMemo, InternedBitset } from '../../checkers/bitset.js';

describe('InternedBitset', () => {
  it('property: equal sets, equal roots; different sets, different roots', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.array(fc.nat(), { maxLength: 400 }), (n, flips) => {
        const bits = new InternedBitset(n);
        const ref = new Set<number>();
        const rootOf = new Map<string, number>();
        const setOf = new Map<number, string>();
        const note = (root: number): void => {
          const text = [...ref].sort((a, b) => a - b).join(',');
          if (rootOf.has(text)) expect(rootOf.get(text)).toBe(root);
          if (setOf.has(root)) expect(setOf.get(root)).toBe(text);
          rootOf.set(text, root);
          setOf.set(root, text);
        };
        note(bits.root());
        for (const f of flips) {
          const i = f % n;
          const peeked = bits.peek(i);
          bits.commit();
          if (ref.has(i)) ref.delete(i);
          else ref.add(i);
          expect(bits.root()).toBe(peeked);
          expect(bits.has(i)).toBe(ref.has(i));
          note(peeked);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('HashMemo and ExactMemo', () => {
  it('property: agree on every step of a random search walk', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100 }), fc.array(fc.tuple(fc.nat(), fc.nat({ max: 5 }), fc.boolean()), { maxLength: 500 }), (n, steps) => {
        const exact = new ExactMemo(n);
        const hashed = new HashMemo(n);
        const stack: number[] = [];
        const on = new Set<number>();
        for (const [op, state, back] of steps) {
          if (back && stack.length > 0) {
            const j = stack.pop()!;
            exact.undo(j);
            hashed.undo(j);
            on.delete(j);
            continue;
          }
          const i = op % n;
          if (on.has(i)) continue; // the search only adds ops not yet linearized
          const a = exact.tryAdd(i, state);
          expect(hashed.tryAdd(i, state)).toBe(a);
          if (a) {
            stack.push(i);
            on.add(i);
          }
        }
        expect(hashed.size).toBe(exact.size);
      }),
      { numRuns: 200 },
    );
  });
});
