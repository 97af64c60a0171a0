// Unit tests of the replication-health checker and the server-log parser on crafted metrics and log text.
import { describe, expect, it } from 'vitest';
import { parseReplicationLog } from '../../src/cluster/logical-log.js';
import { checkReplication, type MetricsSample, type ReplicationProbe } from '../../checkers/replication.js';
import { HistoryBuilder } from '../support/build-history.js';

const LOG = `2026-11-22 00:39:11.561 UTC [31928] LOG:  logical replication apply worker for subscription "n1_from_n2" has started
2026-11-22 00:39:11.884 UTC [31928] ERROR:  conflict detected on relation "public.faultline_serial": conflict=insert_exists
2026-11-22 00:39:11.884 UTC [31928] DETAIL:  Key already exists in unique index "faultline_serial_pkey", modified locally in transaction 758 at 2026-11-22 00:39:11.874124+00.
\tKey (id)=(1); existing local row (1, 1, 31486); remote row (1, 7, 32186).
2026-11-22 00:39:11.884 UTC [31928] CONTEXT:  processing remote data for replication origin "pg_16385" during message type "INSERT" for replication target relation "public.faultline_serial" in transaction 758, finished at 0/1775468
2026-11-22 00:39:11.887 UTC [31897] LOG:  background worker "logical replication apply worker" (PID 31928) exited with exit code 1
2026-11-22 00:39:12.000 UTC [31990] LOG:  conflict detected on relation "public.kv": conflict=update_origin_differs
2026-11-22 00:39:12.000 UTC [31990] DETAIL:  Updating the row that was modified locally in transaction 800 at 2026-11-22 00:39:11.9+00.
\tExisting local row (3, 10); remote row (3, 11); replica identity (k)=(3).
2026-11-22 00:39:12.000 UTC [31990] CONTEXT:  processing remote data for replication origin "pg_16390" during message type "UPDATE" for replication target relation "public.kv" in transaction 801, finished at 0/1800000
`;

function sample(time: number, node: string, sub: string, pid: number | null, stats: Record<string, number>): MetricsSample {
  return { time, node, role: 'peer', subscriptions: [{ subname: sub, pid, stats: { apply_error_count: 0, confl_insert_exists: 0, ...stats } }] };
}

function probe(over: Partial<ReplicationProbe> = {}): ReplicationProbe {
  return { takenAtNs: 10e9, wallMs: Date.parse('2026-11-22T00:39:20Z'), unreachable: {}, subscriptions: [], slots: [], log: [], ...over };
}

describe('parseReplicationLog', () => {
  it('names the conflict, key, rows, origin and finished-at LSN', () => {
    const ev = parseReplicationLog('n1', LOG, { pg_16390: 'n1_from_n2' });
    const c = ev.filter((e) => e.kind === 'conflict');
    expect(c).toHaveLength(2);
    expect(c[0]).toMatchObject({
      subscription: 'n1_from_n2',
      conflict: 'insert_exists',
      level: 'ERROR',
      relation: 'public.faultline_serial',
      key: { columns: ['id'], values: ['1'] },
      existing: '1, 1, 31486',
      remote: '1, 7, 32186',
      finishedAt: '0/1775468',
      origin: 'pg_16385',
    });
    expect(c[0].timeMs).toBe(Date.parse('2026-11-22T00:39:11.884Z'));
    // no start line for that worker: the origin map names the subscription
    expect(c[1]).toMatchObject({ subscription: 'n1_from_n2', conflict: 'update_origin_differs', level: 'LOG', key: { columns: ['k'], values: ['3'] } });
  });

  it('reads PG17 apply errors (no conflict line) from the CONTEXT', () => {
    const pg17 = `2026-01-01 00:00:00.000 UTC [5] LOG:  logical replication apply worker for subscription "a_from_b" has started
2026-01-01 00:00:01.000 UTC [5] ERROR:  duplicate key value violates unique constraint "kv_pkey"
2026-01-01 00:00:01.000 UTC [5] DETAIL:  Key (id)=(10) already exists.
2026-01-01 00:00:01.000 UTC [5] CONTEXT:  processing remote data for replication origin "pg_16393" during message type "INSERT" for replication target relation "public.kv" in transaction 759, finished at 0/1775318
`;
    const [, e] = parseReplicationLog('a', pg17);
    expect(e).toMatchObject({ kind: 'apply-error', subscription: 'a_from_b', relation: 'public.kv', key: { values: ['10'] }, finishedAt: '0/1775318' });
  });
});

describe('checkReplication', () => {
  it('is valid when every apply worker runs and no counter moves', () => {
    const h = new HistoryBuilder().op(0, 'add', 1, 1, 'ok', { node: 'n1' }).paired();
    const samples = [sample(1e9, 'n1', 'n1_from_n2', 10, {}), sample(1e9, 'n2', 'n2_from_n1', 11, {})];
    const subs = ['n1', 'n2'].map((node) => ({
      node,
      name: `${node}_from_${node === 'n1' ? 'n2' : 'n1'}`,
      publisher: node === 'n1' ? 'n2' : 'n1',
      enabled: true,
      workerRunning: true,
      skipLsn: null,
      origin: null,
      stats: { apply_error_count: 0 },
      tablesNotSubscribed: [],
    }));
    const r = checkReplication(h, samples, probe({ subscriptions: subs }));
    expect(r.valid).toBe(true);
  });

  it('reports a stopped apply worker per direction, the conflicting key and the detection delay', () => {
    const b = new HistoryBuilder();
    b.op(0, 'add', 7, 7, 'ok', { node: 'n2' }); // time 0..1000 ns: the remote row's tag
    const h = b.paired();
    const samples = [
      sample(0.5e9, 'n1', 'n1_from_n2', 10, {}),
      sample(1.5e9, 'n1', 'n1_from_n2', null, { apply_error_count: 1, confl_insert_exists: 1 }),
      sample(2.5e9, 'n1', 'n1_from_n2', null, { apply_error_count: 3, confl_insert_exists: 3 }),
    ];
    const r = checkReplication(
      h,
      samples,
      probe({
        subscriptions: [
          { node: 'n1', name: 'n1_from_n2', publisher: 'n2', enabled: true, workerRunning: false, skipLsn: null, origin: 'pg_16385', stats: { apply_error_count: 4, confl_insert_exists: 4 }, tablesNotSubscribed: [] },
        ],
        slots: [{ node: 'n2', slot: 'n1_from_n2', active: false, backlogBytes: 4096 }],
        log: parseReplicationLog('n1', LOG),
      }),
    );
    expect(r.valid).toBe(false);
    const [d] = r.directions;
    expect(d).toMatchObject({ direction: 'n2 → n1', status: 'broken', applyErrors: 4, conflicts: { insert_exists: 4 }, workerDownSamples: 2, firstDetectedNs: 1.5e9 });
    expect(d.problems).toEqual(expect.arrayContaining(['apply worker not running at the end', expect.stringMatching(/inactive with 4096 bytes/)]));
    expect(d.conflictingKeys[0]).toMatchObject({ conflict: 'insert_exists', key: '(id)=(1)', finishedAt: '0/1775468' });
    expect(d.firstConflictingWriteNs).toBe(0);
    expect(d.detectionDelayMs).toBe(1500);
    expect(String(r.reason)).toMatch(/n2 → n1 \(n1_from_n2\) broken/);
  });

  it('fails a run whose remote changes were dropped (update_missing) even when the worker runs', () => {
    const h = new HistoryBuilder().paired();
    const samples = [sample(1e9, 'n2', 'n2_from_n1', 11, { confl_update_missing: 2, confl_update_origin_differs: 5 })];
    const r = checkReplication(h, samples, null);
    expect(r.valid).toBe(false);
    expect((r.directions)[0]).toMatchObject({ status: 'conflicts', conflicts: { update_missing: 2, update_origin_differs: 5 } });
  });

  it('only warns about origin-differs conflicts (PG18 counts sequential cross-site updates too)', () => {
    const samples = [sample(1e9, 'n2', 'n2_from_n1', 11, { confl_update_origin_differs: 5 })];
    const r = checkReplication(new HistoryBuilder().paired(), samples, null);
    expect(r.valid).toBe('unknown'); // no probe: only samples judged
    expect((r.directions)[0]).toMatchObject({ status: 'warnings' });
    expect(r.warnings).toHaveLength(1);
  });

  it('warns that an empty conflict count proves nothing on a server without conflict counters (PG17)', () => {
    const pg17 = (node: string, sub: string): MetricsSample => ({ time: 1e9, node, role: 'peer', subscriptions: [{ subname: sub, pid: 10, stats: { apply_error_count: 0, sync_error_count: 0 } }] });
    const r = checkReplication(new HistoryBuilder().paired(), [pg17('n1', 'n1_from_n2'), pg17('n2', 'n2_from_n1')], null);
    const ds = r.directions;
    expect(ds.map((d) => [d.status, d.conflictCounters])).toEqual([['healthy', false], ['healthy', false]]);
    expect(r.warnings).toEqual([expect.stringMatching(/^n1, n2: no conflict counters \(PostgreSQL before 18\)/)]);
    // PG18 samples carry the counters, even at zero: no such warning
    const pg18 = checkReplication(new HistoryBuilder().paired(), [sample(1e9, 'n1', 'n1_from_n2', 10, {})], null);
    expect(pg18.directions[0]?.conflictCounters).toBe(true);
    expect(pg18.warnings).toBeUndefined();
  });

  it('ignores samples of a node that was down, and flags tables the subscription does not know', () => {
    const h = new HistoryBuilder().paired();
    const samples: MetricsSample[] = [{ time: 1, node: 'n1', error: 'node is down' }, sample(2, 'n1', 'n1_from_n2', 3, {})];
    const r = checkReplication(
      h,
      samples,
      probe({
        subscriptions: [
          { node: 'n1', name: 'n1_from_n2', publisher: 'n2', enabled: true, workerRunning: true, skipLsn: null, origin: null, stats: {}, tablesNotSubscribed: ['public.t2'] },
        ],
      }),
    );
    const [d] = r.directions;
    expect(d).toMatchObject({ workerDownSamples: 0, samples: 1, status: 'broken', tablesNotSubscribed: ['public.t2'] });
  });

  it('reports rows a schema change left unreplicated (nemesis record)', () => {
    const b = new HistoryBuilder();
    b.nemesis('schema-change-check', 'info', { table: 'faultline_ddl_1', refreshed: false, notReplicated: [{ from: 'n1', to: 'n2', rows: 5 }] });
    const r = checkReplication(b.paired(), [sample(1, 'n1', 'n1_from_n2', 3, {})], probe());
    expect(r.valid).toBe(false);
    expect(String(r.reason)).toMatch(/faultline_ddl_1 created on every node without REFRESH PUBLICATION: 5 row\(s\) n1 → n2 never arrived/);
  });

  it('is unknown with no samples and no probe', () => {
    expect(checkReplication(new HistoryBuilder().paired(), [], null).valid).toBe('unknown');
  });
});
