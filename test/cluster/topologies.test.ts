// Each topology starts on real PostgreSQL, a write on a writable node is read back on every node through the
// client proxies, and stop() leaves no server process behind (checked by PID in /proc).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TOPOLOGY_NAMES, startCluster, type Cluster, type ClusterOptions, type TopologyName } from '../../src/cluster/index.js';
import { descendants } from '../../src/util/processes.js';
import { gone, seesCount, sql, until } from './helpers.js';

async function roundTrip(opts: ClusterOptions, check?: (c: Cluster) => Promise<void>): Promise<void> {
  const cluster = await startCluster(opts);
  const pids: number[] = [];
  try {
    for (const n of cluster.nodes) {
      expect(n.state).toBe('running');
      pids.push(n.pid!, ...descendants(n.pid!));
    }
    const writable = await cluster.writableNodes();
    for (const n of writable) await sql(cluster.adminConfig(n), 'CREATE TABLE kv (k int PRIMARY KEY, v text)');
    await cluster.schemaReady();
    await sql(cluster.clientConfig(writable[0]!), "INSERT INTO kv VALUES (1, 'one')");
    for (const n of cluster.nodes) expect(await seesCount(cluster, n.name, 'kv', 1), `${n.name} sees the row`).toBe(true);
    await check?.(cluster);
  } finally {
    await cluster.stop();
  }
  expect(pids.filter((p) => !gone(p))).toEqual([]);
}

describe('topologies', () => {
  it('has a round trip for every registered topology', () => {
    // typed by the registry: a topology added without a round trip here does not compile
    const covered: Record<TopologyName, string> = {
      single: 'below',
      'streaming-async': 'below',
      'streaming-sync': 'below',
      'logical-bidir': 'below',
      external: 'test/cluster/external.test.ts',
      patroni: 'test/cluster/patroni.test.ts',
      'pg-auto-failover': 'test/cluster/pg-auto-failover.test.ts',
      pgpool: 'test/cluster/pgpool.test.ts',
    };
    expect(Object.keys(covered).sort()).toEqual([...TOPOLOGY_NAMES].sort());
  });

  it('single', async () => {
    await roundTrip({ topology: 'single' }, async (c) => {
      expect(c.nodes.map((n) => [n.name, n.role, n.site])).toEqual([['n1', 'primary', 'a']]);
      expect(c.links.map((l) => l.name)).toEqual(['client-n1']);
      expect(c.pgVersion).toMatch(/^18\./);
      // clients go through the proxy, admin connections do not
      expect(c.clientConfig('n1').port).not.toBe(c.adminConfig('n1').port);
      const d = c.describe();
      expect(JSON.parse(JSON.stringify(d)).nodes[0].clientUrl).toContain(`:${c.node('n1').clientPort}/`);
    });
  });

  it('streaming-async: 3 nodes, each standby with its own slot and replication link', async () => {
    await roundTrip({ topology: 'streaming-async' }, async (c) => {
      expect(c.nodes.map((n) => n.role)).toEqual(['primary', 'standby', 'standby']);
      const slots = await sql<{ slot_name: string; active: boolean }>(c.adminConfig('n1'), 'SELECT slot_name, active FROM pg_replication_slots ORDER BY 1');
      expect(slots).toEqual([
        { slot_name: 'n2', active: true },
        { slot_name: 'n3', active: true },
      ]);
      // the walsender's peer is the proxy, and each standby's conninfo points at its own link
      for (const s of ['n2', 'n3']) {
        const [r] = await sql<{ sender_port: number }>(c.adminConfig(s), 'SELECT sender_port FROM pg_stat_wal_receiver');
        expect(r!.sender_port).toBe(c.links.find((l) => l.name === `repl-${s}-n1`)!.listenPort);
      }
      // a standby refuses writes
      await expect(sql(c.clientConfig('n2'), "INSERT INTO kv VALUES (2, 'x')")).rejects.toMatchObject({ code: '25006' });
      // links by kind: every replication link, or those of one node
      expect((await c.cutLinks({ kind: 'repl', node: 'n2' }, 'refuse')).sort()).toEqual(['repl-n2-n1']);
      expect((await c.healLinks({ kind: 'repl' })).sort()).toEqual(['repl-n2-n1', 'repl-n3-n1']);
      expect(c.links.filter((l) => l.kind === 'client').map((l) => l.name)).toEqual(['client-n1', 'client-n2', 'client-n3']);
    });
  });

  it('streaming-sync with TLS: remote_apply, ANY 1, verify-ca everywhere', async () => {
    await roundTrip({ topology: 'streaming-sync', syncCommit: 'remote_apply', syncStandbys: 'ANY 1', tls: true }, async (c) => {
      const rep = await sql<{ application_name: string; sync_state: string }>(c.adminConfig('n1'), 'SELECT application_name, sync_state FROM pg_stat_replication ORDER BY 1');
      expect(rep.map((r) => r.sync_state)).toEqual(['quorum', 'quorum']);
      const [s] = await sql<{ s: string }>(c.adminConfig('n1'), 'SHOW synchronous_commit');
      expect(Object.values(s!)[0]).toBe('remote_apply');
      // client sessions and walsenders use TLS
      const ssl = await sql<{ ssl: boolean; backend_type: string }>(c.clientConfig('n1'), 'SELECT s.ssl, a.backend_type FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) WHERE a.backend_type IN (\'client backend\', \'walsender\')');
      expect(ssl.length).toBeGreaterThanOrEqual(3);
      expect(ssl.every((r) => r.ssl)).toBe(true);
      // without the CA the client refuses the server
      await expect(sql({ ...c.clientConfig('n1'), ssl: { rejectUnauthorized: true } }, 'SELECT 1')).rejects.toThrow();
      // plain TCP is refused by pg_hba (hostssl only)
      await expect(sql({ ...c.adminConfig('n1'), ssl: false }, 'SELECT 1')).rejects.toThrow(/no pg_hba.conf entry|SSL/);
      expect(readFileSync(c.describe().dir + '/tls/ca.crt', 'utf8')).toContain('BEGIN CERTIFICATE');
    });
  });

  it('logical-bidir: writes flow both ways; snapshot finds divergence; sampler writes metrics', async () => {
    await roundTrip({ topology: 'logical-bidir', nodes: 3 }, async (c) => {
      expect(c.nodes.map((n) => n.role)).toEqual(['peer', 'peer', 'peer']);
      await sql(c.clientConfig('n3'), "INSERT INTO kv VALUES (3, 'three')");
      for (const n of c.nodes) expect(await seesCount(c, n.name, 'kv', 2)).toBe(true);
      expect(await c.waitForReplication(30_000)).toBe(true);
      const same = await c.snapshot(['kv']);
      expect(same[0]!.agree).toBe(true);

      const file = `${c.dir}/metrics.jsonl`;
      const sampler = c.startSampler(file, process.hrtime.bigint());
      // diverge: n2 stops applying from n1, then n1 writes a row
      await sql(c.adminConfig('n2'), 'ALTER SUBSCRIPTION n2_from_n1 DISABLE');
      await sql(c.clientConfig('n1'), "INSERT INTO kv VALUES (4, 'four')");
      expect(await seesCount(c, 'n3', 'kv', 3)).toBe(true);
      const diff = await c.snapshot(['kv']);
      expect(diff[0]!.agree).toBe(false);
      expect(diff[0]!.differing).toEqual([{ row: '(4,four)', on: ['n1', 'n3'] }]);
      expect(await until(() => readFileSync(file, 'utf8').split('\n').length > 6)).toBe(true);
      await sampler.stop();
      const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      const n2 = lines.filter((l) => l.node === 'n2');
      expect(n2.length).toBeGreaterThan(0);
      expect(typeof n2[0]!.time).toBe('number');
      expect(n2[0]!.role).toBe('peer');
      expect(Array.isArray(n2[0]!.subscriptions)).toBe(true);
      const subNames = (n2[n2.length - 1]!.subscriptions as { subname: string; stats: Record<string, unknown> }[]).map((s) => s.subname);
      expect(subNames).toContain('n2_from_n3');
      const stats = (n2[0]!.subscriptions as { stats: Record<string, unknown> }[])[0]!.stats;
      expect(stats).toHaveProperty('apply_error_count');
      expect(stats).toHaveProperty('confl_insert_exists');
      // n1's slot for n2's disabled subscription is inactive and holds WAL back
      const n1 = lines.filter((l) => l.node === 'n1');
      const slots = n1[n1.length - 1]!.slots as { slot_name: string; slot_type: string; active: boolean; retained_bytes: number }[];
      const held = slots.find((sl) => sl.slot_name === 'n2_from_n1');
      expect(held).toMatchObject({ slot_type: 'logical', active: false });
      expect(held!.retained_bytes).toBeGreaterThan(0);
    });
  });
});
