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

  it('is valid on an empty history', () => {
    expect(checkStats(new HistoryBuilder().paired())).toMatchObject({ valid: true, count: 0, byF: {} });
  });
});
