// Stats checker: outcome counts per f and overall, warnings for an f that never succeeded, always valid.
import { describe, expect, it } from 'vitest';
import { checkStats } from '../../checkers/stats.js';
import { HistoryBuilder } from '../support/build-history.js';

describe('stats checker', () => {
  it('counts ok / fail / info (pending included) per f and overall, nemesis apart', () => {
    const h = new HistoryBuilder();
    h.op(0, 'add', 1, undefined).op(0, 'add', 2, undefined, 'fail').op(0, 'add', 3, undefined, 'info');
    h.nemesis('kill');
    h.op(1, 'read', null, [1]);
    h.invoke(2, 'read');
    const r = checkStats(h.paired());
    expect(r).toMatchObject({
      valid: true,
      count: 5,
      ok: 2,
      fail: 1,
      info: 2,
      pending: 1,
      nemesis: 1,
      byF: { add: { count: 3, ok: 1, fail: 1, info: 1, pending: 0 }, read: { count: 2, ok: 1, fail: 0, info: 1, pending: 1 } },
    });
    expect(r.warnings).toBeUndefined();
  });

  it('warns, but stays valid, when some f never succeeded', () => {
    const h = new HistoryBuilder();
    h.op(0, 'write', 1, undefined, 'fail').op(0, 'read', null, null);
    const r = checkStats(h.paired());
    expect(r.valid).toBe(true);
    expect(r.warnings).toEqual(['no write succeeded (1 attempted: 1 failed, 0 indeterminate)']);
  });

  it('groups the errors behind fail / info by f, outcome and text, most frequent first, with nodes', () => {
    const h = new HistoryBuilder();
    const dup = '23505 duplicate key value violates unique constraint "t_pkey"';
    h.invoke(0, 'add', 1, { node: 'n1' });
    h.info(0, 'timeout after 5000 ms', 'n1');
    for (const [p, node] of [[1, 'n2'], [2, 'n2'], [3, 'n1']] as const) {
      h.invoke(p, 'add', p, { node });
      h.fail(p, dup, node);
    }
    h.op(4, 'read', null, [1]);
    h.invoke(5, 'add', 9, { node: 'n1' });
    const r = checkStats(h.paired());
    expect(r.errorKinds).toBe(3);
    expect(r.errors).toEqual([
      { type: 'fail', f: 'add', error: dup, count: 3, nodes: { n2: 2, n1: 1 }, first: 2 },
      { type: 'info', f: 'add', error: 'timeout after 5000 ms', count: 1, nodes: { n1: 1 }, first: 0 },
      { type: 'info', f: 'add', error: 'never completed', count: 1, nodes: { n1: 1 }, first: 10 },
    ]);
  });

  it('is valid on an empty history', () => {
    expect(checkStats(new HistoryBuilder().paired())).toMatchObject({ valid: true, count: 0, byF: {} });
  });
});
