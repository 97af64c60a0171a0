// The convergence checker judges a snapshot: agreeing nodes are valid, differing rows are named.
import { describe, expect, it } from 'vitest';
import { checkConvergence, convergenceChecker, type ConvergenceSnapshot } from '../../checkers/convergence.js';
import { pairHistory } from '../../src/history/pair.js';

const empty = pairHistory([]);
const table = (nodes: ConvergenceSnapshot['nodes'], agree: boolean, differing: ConvergenceSnapshot['differing'] = []): ConvergenceSnapshot => ({
  table: 't',
  nodes,
  agree,
  differing,
  differingTruncated: false,
});

describe('convergenceChecker', () => {
  it('valid when all nodes agree', () => {
    const r = checkConvergence([table({ n1: { rows: 2, checksum: 'a' }, n2: { rows: 2, checksum: 'a' } }, true)], true);
    expect(r.valid).toBe(true);
  });
  it('a single node agrees with itself', () => {
    expect(checkConvergence([table({ n1: { rows: 2, checksum: 'a' } }, true)], true).valid).toBe(true);
  });
  it('invalid when nodes differ, naming the table', () => {
    const r = checkConvergence(
      [table({ n1: { rows: 2, checksum: 'a' }, n2: { rows: 1, checksum: 'b' } }, false, [{ row: '(1)', on: ['n1'] }])],
      true,
    );
    expect(r.valid).toBe(false);
    expect(r.reason).toMatch(/disagree on t/);
  });
  it('unknown when fewer than two of several nodes answered', () => {
    const r = checkConvergence([table({ n1: { rows: 2, checksum: 'a' }, n2: { error: 'down' } }, true)], true);
    expect(r.valid).toBe('unknown');
  });
  it('as a checker, judges the snapshot the run stored (ctx.snapshot), and says when none was stored', () => {
    const stored = { tables: [table({ n1: { rows: 2, checksum: 'a' }, n2: { rows: 1, checksum: 'b' } }, false, [{ row: '(1)', on: ['n1'] }])] };
    const r = convergenceChecker(empty, { snapshot: stored });
    expect(r.valid).toBe(false);
    expect(r.anomalies).toEqual([{ type: 'diverged', ops: [], nodes: ['n1', 'n2'], data: { table: 't', differing: [{ row: '(1)', on: ['n1'] }] } }]);
    expect(convergenceChecker(empty, {})).toMatchObject({ valid: 'unknown', reason: 'no convergence snapshot: none stored (snapshot.json is missing)' });
    expect(convergenceChecker(empty, { snapshot: { tables: [], error: 'the snapshot failed: boom' } }).reason).toBe('no convergence snapshot: the snapshot failed: boom');
  });
});
