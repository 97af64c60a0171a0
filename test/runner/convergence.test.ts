// The convergence checker judges a snapshot: agreeing nodes are valid, differing rows are named.
import { describe, expect, it } from 'vitest';
import { convergenceChecker, type ConvergenceSnapshot } from '../../checkers/convergence.js';
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
    const r = convergenceChecker([table({ n1: { rows: 2, checksum: 'a' }, n2: { rows: 2, checksum: 'a' } }, true)], true)(empty, {});
    expect(r.valid).toBe(true);
  });
  it('a single node agrees with itself', () => {
    expect(convergenceChecker([table({ n1: { rows: 2, checksum: 'a' } }, true)], true)(empty, {}).valid).toBe(true);
  });
  it('invalid when nodes differ, naming the table', () => {
    const r = convergenceChecker(
      [table({ n1: { rows: 2, checksum: 'a' }, n2: { rows: 1, checksum: 'b' } }, false, [{ row: '(1)', on: ['n1'] }])],
      true,
    )(empty, {});
    expect(r.valid).toBe(false);
    expect(r.reason).toMatch(/disagree on t/);
  });
  it('unknown when fewer than two of several nodes answered', () => {
    const r = convergenceChecker([table({ n1: { rows: 2, checksum: 'a' }, n2: { error: 'down' } }, true)], true)(empty, {});
    expect(r.valid).toBe('unknown');
  });
});
