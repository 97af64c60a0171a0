// Short real logical-bidir runs (two nodes, both written): each workload / nemesis reproduces its failure mode
// and the verdict names it. Real PostgreSQL; every run stops its servers and proxies (runTest's finally).
import { resultOf } from '../../checkers/suite.js';
import { describe, expect, it } from 'vitest';
import { directions, runLogical } from './support.js';

const TWO_SITES = { sites: 2, wanLatencyMs: 50 };

describe('two-way logical replication failure modes', () => {
  it('serial-insert: both sequences hand out the same ids → insert_exists stops both directions, rows missing', async () => {
    // Cut the sites apart from the start so both nodes insert the same ids for certain. Without the cut the
    // outcome is a race: when one node's rows reach the other before it inserts, its clients get 23505
    // (duplicate key) instead, and replication keeps going — a valid run (seen in CI).
    const r = await runLogical('serial-insert', ['partition'], { plan: [{ at: 0, nemesis: 'partition', duration: 2 }] });
    expect(r.results.valid).toBe(false);
    expect(r.replication.valid).toBe(false);
    const ds = directions(r.replication);
    expect(ds).toHaveLength(2);
    for (const d of ds) {
      expect(d.status).toBe('broken');
      expect(d.conflicts.insert_exists).toBeGreaterThan(0);
      expect(d.conflictingKeys[0]).toMatchObject({ conflict: 'insert_exists', key: expect.stringMatching(/^\(id\)=\(\d+\)$/) });
    }
    expect(resultOf(r.results.checkers, 'set')!.valid).toBe(false);
  }, 180_000);

  it('upsert across two sites: the first inserts of a key collide or racing updates diverge', async () => {
    const r = await runLogical('upsert', [], TWO_SITES);
    expect(r.results.valid === false || r.replication.valid === false).toBe(true);
    const named = directions(r.replication).some((d) => (d.conflicts.insert_exists ?? 0) > 0 || (d.conflicts.update_origin_differs ?? 0) > 0);
    expect(named).toBe(true);
  }, 180_000);

  it('delete-upsert: upserts on one side are dropped where the other side deleted (update_missing)', async () => {
    const r = await runLogical('delete-upsert', [], TWO_SITES);
    expect(r.replication.valid).toBe(false);
    const dropped = directions(r.replication).some((d) => (d.conflicts.update_missing ?? 0) + (d.conflicts.delete_origin_differs ?? 0) > 0);
    expect(dropped).toBe(true);
  }, 180_000);

  it('schema change without REFRESH PUBLICATION: the new table silently does not replicate', async () => {
    const r = await runLogical('set', ['schema-change-norefresh'], { timeLimitS: 5 });
    const check = r.nemesis['schema-change-check']?.[0] as { notReplicated: unknown[] } | undefined;
    expect(check?.notReplicated.length).toBe(2);
    expect(r.replication.valid).toBe(false);
    expect(String(r.replication.reason)).toMatch(/without REFRESH PUBLICATION/);
    // the workload's own table is fine: only the replication checker sees it
    expect(resultOf(r.results.checkers, 'set')!.valid).toBe(true);
  }, 180_000);

  it('schema change with REFRESH PUBLICATION: the new table replicates', async () => {
    const r = await runLogical('set', ['schema-change'], { timeLimitS: 5 });
    const check = r.nemesis['schema-change-check']?.[0] as { notReplicated: unknown[] } | undefined;
    expect(check?.notReplicated).toEqual([]);
  }, 180_000);

  it('switchover-readonly: the read-only mark is no fence — a stray transaction commits, both directions stop, rows are lost', async () => {
    const r = await runLogical('set', ['switchover-readonly'], { timeLimitS: 6, nemesisIntervalS: 2 });
    const down = r.nemesis['switchover-down']?.[0] as { strayCommit: string; bypassWrite: string; wroteWhileDown: boolean };
    const up = r.nemesis['switchover-up']?.[0] as { downAfterRestart: boolean; source: string };
    expect(down).toMatchObject({ strayCommit: 'ok', bypassWrite: 'ok', wroteWhileDown: true });
    // the user's open question: ALTER SYSTEM's mark survives the restart (postgresql.auto.conf)
    expect(up).toMatchObject({ downAfterRestart: true, source: 'configuration file' });
    expect(r.replication.valid).toBe(false);
    expect(directions(r.replication).every((d) => d.status === 'broken' && (d.conflicts.insert_exists ?? 0) > 0)).toBe(true);
    expect(r.results.valid).toBe(false);
  }, 180_000);

  it('switchover-fence: restarting the node as a standby refuses every write and stays down across a restart', async () => {
    const r = await runLogical('set', ['switchover-fence'], { timeLimitS: 6, nemesisIntervalS: 2 });
    const down = r.nemesis['switchover-down']?.[0] as { strayCommit: string; bypassWrite: string; wroteWhileDown: boolean };
    const up = r.nemesis['switchover-up']?.[0] as { downAfterRestart: boolean; inRecovery: boolean };
    expect(down.wroteWhileDown).toBe(false);
    expect(down.bypassWrite).toMatch(/^0A000/);
    expect(up).toMatchObject({ downAfterRestart: true, inRecovery: true });
    expect(resultOf(r.results.checkers, 'set')!.valid).toBe(true);
    expect(directions(r.replication).some((d) => (d.conflicts.insert_exists ?? 0) > 0)).toBe(false);
  }, 180_000);
});
