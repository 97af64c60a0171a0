// compactList: the terminal's short form of a list of elements (integer ranges, JSON otherwise, a limit).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compactList } from '../../checkers/ref.js';

/** Expand "a–b, c" back into the integers it names. */
function expand(s: string): number[] {
  return s.split(', ').flatMap((p) => {
    const [a, b] = p.split('–').map(Number);
    return b === undefined ? [a!] : Array.from({ length: b - a! + 1 }, (_, i) => a! + i);
  });
}

describe('compactList', () => {
  it('collapses consecutive integers into ranges, in order, without duplicates', () => {
    expect(compactList([1262, 889, 890, 891, 1260, 1263, 1264, 891])).toBe('889–891, 1260, 1262–1264');
    expect(compactList([])).toBe('');
  });
  it('lists other values as JSON, and counts what is past the limit', () => {
    expect(compactList(['a', { k: 1 }])).toBe('"a", {"k":1}');
    expect(compactList([1, 3, 5, 7], 2)).toBe('1, 3, … (2 more part(s))');
  });
  it('names exactly the given integers when nothing is cut (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -50, max: 50 }), { minLength: 1 }), (xs) => {
        expect(expand(compactList(xs, Number.POSITIVE_INFINITY))).toEqual([...new Set(xs)].sort((a, b) => a - b));
      }),
    );
  });
});
