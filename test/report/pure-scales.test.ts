// Unit tests for the report's pure helpers: time and log domains, bucket widths, detail windows, label rows, colours.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OUTCOME_COLORS, seriesColors } from '../../src/report/colors.js';
import { bucketWidth, formatDuration, logDomain, timeDomain } from '../../src/report/scales.js';
import { labelRows } from '../../src/report/svg.js';
import { chooseWindow, densestRun, lowerBound } from '../../src/report/window.js';

const S = 1e9;

describe('scales', () => {
  it('timeDomain covers the times and is never empty', () => {
    expect(timeDomain([5, 1, 9])).toEqual([1, 1e6 + 1]);
    expect(timeDomain([0, 3 * S])).toEqual([0, 3 * S]);
    expect(timeDomain([])).toEqual([0, S]);
  });

  it('logDomain pads to whole decades and ignores non-positive values', () => {
    expect(logDomain([0.3, 42, 0, -1])).toEqual([0.1, 100]);
    expect(logDomain([10])).toEqual([10, 100]);
    expect(logDomain([])).toEqual([0.1, 1000]);
  });

  it('bucketWidth is 1 s for short runs and a nice multiple for long ones', () => {
    expect(bucketWidth(30 * S)).toBe(S);
    expect(bucketWidth(300 * S)).toBe(S);
    expect(bucketWidth(3600 * S)).toBe(15 * S);
    fc.assert(fc.property(fc.integer({ min: 1, max: 1e6 }), (sec) => (sec * S) / bucketWidth(sec * S) <= 300));
  });

  it('formatDuration picks a unit', () => {
    expect(formatDuration(1.5 * S)).toBe('1.5 s');
    expect(formatDuration(320e6)).toBe('320 ms');
    expect(formatDuration(12e3)).toBe('12 µs');
  });
});

describe('windows', () => {
  it('lowerBound finds the first time not below t', () => {
    expect(lowerBound([1, 2, 2, 5], 2)).toBe(1);
    expect(lowerBound([1, 2, 2, 5], 6)).toBe(4);
  });

  it('densestRun finds the n consecutive times with the smallest span', () => {
    expect(densestRun([0, 10, 11, 12, 30], 3)).toEqual([1, 4]);
    expect(densestRun([0, 1], 5)).toEqual([0, 2]);
  });

  it('short runs are shown whole', () => {
    expect(chooseWindow([1, 2, 3], 0, 10, null)).toEqual({ start: 0, end: 10, reason: 'all' });
  });

  it('long runs centre on the anomaly, and always contain it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 3001, max: 8000 }), fc.double({ min: 0, max: 1, noNaN: true }), (n, at) => {
        const times = Array.from({ length: n }, (_, i) => i * 1000);
        const a = Math.floor(at * (n - 1)) * 1000;
        const w = chooseWindow(times, 0, n * 1000, [a, a + 500], { detailOps: 1000 });
        return w.reason === 'anomaly' && w.start <= a && w.end >= a + 500 && w.end - w.start <= 1001 * 1000;
      }),
    );
  });

  it('long runs without an anomaly show the densest stretch', () => {
    const times = [...Array.from({ length: 3000 }, (_, i) => i * 1000), ...Array.from({ length: 1000 }, (_, i) => 1e7 + i)];
    const w = chooseWindow(times, 0, 2e7, null, { detailOps: 1000 });
    expect(w).toEqual({ start: 1e7, end: 1e7 + 999, reason: 'densest' });
  });
});

describe('labels and colours', () => {
  it('labelRows keeps labels in one row at least minGap apart', () => {
    expect(labelRows([0, 10, 20, 200], 50, 3)).toEqual([0, 1, 2, 0]);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 2000 }), { maxLength: 40 }), (raw) => {
        const xs = [...raw].sort((a, b) => a - b);
        const rows = labelRows(xs, 50, 40);
        return xs.every((x, i) => xs.every((y, j) => j >= i || rows[j] !== rows[i] || x - y >= 50));
      }),
    );
  });

  it('series colours are stable for a set of names, outcomes distinct', () => {
    expect([...seriesColors(['n2', 'n1', 'n2']).entries()]).toEqual([...seriesColors(['n1', 'n2']).entries()]);
    expect(new Set(Object.values(OUTCOME_COLORS)).size).toBe(3);
  });
});
