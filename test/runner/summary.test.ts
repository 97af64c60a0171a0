// The run summary: one line per checker (reason, or the first warning of a valid one), op counts, the most
// frequent errors the clients were told, latency and retries.
import { partialCheckers } from '../support/results.js';
import { describe, expect, it } from 'vitest';
import { checkStats } from '../../checkers/stats.js';
import { summarize } from '../../src/runner/summary.js';
import { HistoryBuilder } from '../support/build-history.js';

describe('summarize', () => {
  it('prints reasons, the first warning of a valid checker, and the top three error kinds', () => {
    const h = new HistoryBuilder();
    const errors = ['23505 duplicate key', '57P01 terminating connection', 'connect: ECONNREFUSED', 'timeout'];
    errors.forEach((error, i) => {
      for (let n = 0; n <= errors.length - i; n++) {
        h.invoke(0, 'add', n, { node: `n${1 + (n % 2)}` });
        h.fail(0, error, `n${1 + (n % 2)}`);
      }
    });
    const lines = summarize(
      {
        valid: false,
        summary: [],
        checkers: partialCheckers({
          set: { valid: false, reason: '3 lost' },
          replication: { valid: true, warnings: ['n1: no conflict counters', 'other'] },
          stats: checkStats(h.paired()) as unknown as Record<string, unknown>,
        }),
      },
      'set',
    );
    expect(lines).toEqual([
      'verdict: INVALID (set workload)',
      'set: INVALID — 3 lost',
      'replication: valid — warning: n1: no conflict counters (+1 more in results.json)',
      'ops: 14 (0 ok, 14 fail, 0 info = unknown outcome)',
      'add fail ×5 (n1, n2): 23505 duplicate key',
      'add fail ×4 (n1, n2): 57P01 terminating connection',
      'add fail ×3 (n1, n2): connect: ECONNREFUSED',
    ]);
  });

  it('puts unknown outcomes (info) before more frequent routine failures', () => {
    const h = new HistoryBuilder();
    for (let n = 0; n < 9; n++) {
      h.invoke(0, 'cas', [n, n + 1], { node: 'n1' });
      h.fail(0, 'CAS_MISMATCH cas: expected value did not match', 'n1');
    }
    h.invoke(1, 'write', 1, { node: 'n1' });
    h.info(1, 'timeout: no reply within 1000 ms', 'n1');
    const lines = summarize({ valid: true, summary: [], checkers: { stats: checkStats(h.paired()) } }, 'register');
    expect(lines.slice(-2)).toEqual(['write info ×1 (n1): timeout: no reply within 1000 ms', 'cas fail ×9 (n1): CAS_MISMATCH cas: expected value did not match']);
  });
});
