// Unit tests of the final-state (last acknowledged write per key), one-active-row checkers and the repair planner.
import { describe, expect, it } from 'vitest';
import { checkOneActive } from '../../checkers/logical-active.js';
import { checkFinalState } from '../../checkers/logical-final.js';
import { parseReplicationLog } from '../../src/cluster/logical-log.js';
import { planRepair } from '../../src/repair/plan.js';
import { HistoryBuilder } from '../support/build-history.js';

const upsert = { isWrite: (op: { f: string }) => op.f === 'write' || op.f === 'delete', effect: (op: { f: string; invokeValue: unknown }) => (op.f === 'delete' ? null : (op.invokeValue as number)) };

describe('checkFinalState', () => {
  it('accepts the last acknowledged write on every node', () => {
    const h = new HistoryBuilder().op(0, 'write', 1, 1, 'ok', { key: 0, node: 'n1' }).op(1, 'write', 2, 2, 'ok', { key: 0, node: 'n2' }).paired();
    expect(checkFinalState(h, { final: { n1: { '0': 2 }, n2: { '0': 2 } } }, upsert).valid).toBe(true);
  });

  it('names a node where an older write overwrote the last one, and keys that differ', () => {
    const h = new HistoryBuilder().op(0, 'write', 1, 1, 'ok', { key: 0, node: 'n1' }).op(1, 'write', 2, 2, 'ok', { key: 0, node: 'n2' }).paired();
    const r = checkFinalState(h, { final: { n1: { '0': 2 }, n2: { '0': 1 } } }, upsert);
    expect(r.valid).toBe(false);
    expect(r.notLastWrite).toMatchObject({ count: 1, items: [{ key: '0', node: 'n2', holds: 1, expected: [2] }] });
    expect(r.diverged).toMatchObject({ count: 1, items: [{ key: '0', values: { n1: 2, n2: 1 } }] });
  });

  it('lets concurrent writes end either way, and a delete leave the key absent', () => {
    const b = new HistoryBuilder();
    b.invoke(0, 'write', 1, { key: 0, node: 'n1' });
    b.invoke(1, 'write', 2, { key: 0, node: 'n2' });
    b.ok(0, 1);
    b.ok(1, 2);
    b.op(2, 'delete', null, null, 'ok', { key: 1, node: 'n1' });
    const r = checkFinalState(b.paired(), { final: { n1: { '0': 1 }, n2: { '0': 1 } } }, upsert);
    expect(r.valid).toBe(true);
  });

  it('flags an acknowledged upsert that a delete acknowledged earlier wiped out', () => {
    const h = new HistoryBuilder().op(0, 'delete', null, null, 'ok', { key: 0, node: 'n1' }).op(1, 'write', 5, 5, 'ok', { key: 0, node: 'n2' }).paired();
    const r = checkFinalState(h, { final: { n1: {}, n2: {} } }, upsert);
    expect(r.valid).toBe(false);
    expect(String(r.reason)).toMatch(/key 0 on n1 holds null, expected one of \[5\]/);
  });
});

describe('checkOneActive', () => {
  it('finds two active rows and none', () => {
    const h = new HistoryBuilder()
      .op(0, 'activate', 10, 10, 'ok', { key: 'a', node: 'n1' })
      .op(1, 'activate', 11, 11, 'ok', { key: 'a', node: 'n2' })
      .op(0, 'activate', 12, 12, 'ok', { key: 'b', node: 'n1' })
      .paired();
    const r = checkOneActive(h, { final: { n1: { a: [10, 11], b: [12] }, n2: { a: [11] } } }, ['a', 'b']);
    expect(r.valid).toBe(false);
    expect(r.twoOrMoreActive).toMatchObject({ count: 1, items: [{ node: 'n1', name: 'a', active: [10, 11] }] });
    expect(r.noneActive).toMatchObject({ count: 1, items: [{ node: 'n2', name: 'b' }] });
  });

  it('accepts exactly one active row per name: the last activation', () => {
    const h = new HistoryBuilder().op(0, 'activate', 10, 10, 'ok', { key: 'a' }).op(1, 'activate', 11, 11, 'ok', { key: 'a' }).paired();
    expect(checkOneActive(h, { final: { n1: { a: [11] }, n2: { a: [11] } } }, ['a']).valid).toBe(true);
    expect(checkOneActive(h, { final: { n1: { a: [10] }, n2: { a: [11] } } }, ['a']).valid).toBe(false);
  });
});

describe('planRepair', () => {
  const log = `2026-11-22 00:39:11.561 UTC [31928] LOG:  logical replication apply worker for subscription "n1_from_n2" has started
2026-11-22 00:39:11.884 UTC [31928] ERROR:  conflict detected on relation "public.faultline_serial": conflict=insert_exists
2026-11-22 00:39:11.884 UTC [31928] DETAIL:  Key already exists in unique index "faultline_serial_pkey", modified locally in transaction 758 at 2026-11-22 00:39:11.874124+00.
\tKey (id)=(1); existing local row (1, 1, 31486); remote row (1, 0, 32186).
2026-11-22 00:39:11.884 UTC [31928] CONTEXT:  processing remote data for replication origin "pg_16385" during message type "INSERT" for replication target relation "public.faultline_serial" in transaction 758, finished at 0/1775468
`;
  const stuck = { node: 'n1', name: 'n1_from_n2', publisher: 'n2', enabled: true, workerRunning: false, skipLsn: null, origin: 'pg_16385', stats: {}, tablesNotSubscribed: [] };
  const events = parseReplicationLog('n1', log);

  it('skips the failed transaction by its finished-at LSN', () => {
    const p = planRepair([stuck], events, 'skip');
    expect(p.actions).toHaveLength(1);
    expect(p.actions[0].sql).toEqual([`ALTER SUBSCRIPTION "n1_from_n2" SKIP (lsn = '0/1775468')`]);
    expect(p.actions[0].consequence).toMatch(/stay diverged/);
  });

  it('take-remote deletes the local row under a replication origin, and re-enables a disabled subscription', () => {
    const p = planRepair([{ ...stuck, enabled: false }], events, 'take-remote');
    const sql = p.actions[0].sql;
    expect(sql[1]).toBe(`SELECT pg_replication_origin_session_setup('faultline_repair')`);
    expect(sql[2]).toBe(`DELETE FROM "public"."faultline_serial" WHERE "id"::text = '1'`);
    expect(sql[3]).toBe('SELECT pg_replication_origin_session_reset()');
    expect(sql[4]).toBe('ALTER SUBSCRIPTION "n1_from_n2" ENABLE');
  });

  it('leaves running subscriptions alone and explains a stuck one without a logged error', () => {
    const p = planRepair([{ ...stuck, name: 'x_from_y' }, { ...stuck, node: 'n2', name: 'n2_from_n1', workerRunning: true }], events, 'skip');
    expect(p.actions).toHaveLength(0);
    expect(p.healthy).toEqual(['n2/n2_from_n1']);
    expect(p.unresolved[0].why).toMatch(/no apply error in the log/);
  });
});
