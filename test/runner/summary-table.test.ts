// The table that ends `--repeat N` and lists of experiments: verdict, lost writes, acknowledged ops/s and the
// busiest write's latency per run, so a cost comparison (examples/sync-cost.json) reads as one table.
import { partialCheckers } from '../support/results.js';
import { describe, expect, it } from 'vitest';
import { summaryTable, type Row } from '../../src/runner/cli.js';
import type { RunOutcome } from '../../src/runner/config.js';

function outcome(dir: string, valid: boolean, lost: number, ok: number, durationMs: number, p50: number, p99: number): RunOutcome {
  return {
    dir,
    test: { name: 't', workload: 'set', topology: 'single', nemesis: [], seed: 1, startedAt: '', options: {}, faultlineVersion: '0' },
    results: {
      valid,
      summary: [],
      durationMs,
      checkers: partialCheckers({
        set: { valid, lost: { count: lost, items: [] } },
        stats: { valid: true, ok },
        latency: { valid: true, byF: { read: { ok: { p50: 0.1, p99: 0.2, count: 5000 } }, add: { ok: { p50, p99, count: ok } } } },
      }),
    },
  };
}

describe('summaryTable', () => {
  it('shows verdict, lost, ok/s and the write latency of each run, and the error of a run that failed', () => {
    const rows: Row[] = [
      { run: 1, name: 'cost-single', seed: 7, outcome: outcome('r/1', true, 0, 24000, 20000, 0.45, 17.5) },
      { run: 2, name: 'cost-wan', seed: 8, outcome: outcome('r/2', false, 12, 780, 20000, 102, 202) },
      { run: 3, name: 'broken', seed: 9, outcome: null, error: 'cluster did not start' },
    ];
    expect(summaryTable(rows).split('\n')).toEqual([
      'run  test         seed  verdict  lost  ok/s  write p50 / p99 ms  results',
      '---  -----------  ----  -------  ----  ----  ------------------  ---------------------',
      '1    cost-single  7     valid    0     1200  add 0.45 / 17.5     r/1',
      '2    cost-wan     8     INVALID  12    39    add 102 / 202       r/2',
      '3    broken       9     ERROR    -     -     -                   cluster did not start',
    ]);
  });
});
