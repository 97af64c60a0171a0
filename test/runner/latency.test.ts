// Latency percentiles per f and outcome, from invoke and completion times.
import { describe, expect, it } from 'vitest';
import { latencyChecker, summarizeLatencies } from '../../checkers/latency.js';
import { pairHistory } from '../../src/history/pair.js';
import type { HistoryEvent } from '../../src/history/types.js';

describe('latency', () => {
  it('nearest-rank percentiles', () => {
    const s = summarizeLatencies([5, 1, 4, 2, 3, 6, 7, 8, 9, 10]);
    expect(s).toMatchObject({ count: 10, p50: 5, p90: 9, p99: 10, max: 10, mean: 5.5 });
  });
  it('groups by f and outcome in ms, leaving never-completed ops out', () => {
    const ev = (index: number, time: number, process: number, type: HistoryEvent['type'], f: string): HistoryEvent => ({ index, time, process, type, f, value: 1 });
    const h = pairHistory([ev(0, 0, 0, 'invoke', 'add'), ev(1, 2e6, 0, 'ok', 'add'), ev(2, 3e6, 1, 'invoke', 'add'), ev(3, 4e6, 0, 'invoke', 'read'), ev(4, 10e6, 0, 'fail', 'read')]);
    const r = latencyChecker(h) as unknown as { byF: Record<string, Record<string, { count: number; p50: number }>> };
    expect(r.byF.add.ok).toMatchObject({ count: 1, p50: 2 });
    expect(r.byF.add.info).toBeUndefined();
    expect(r.byF.read.fail).toMatchObject({ count: 1, p50: 6 });
  });
});
