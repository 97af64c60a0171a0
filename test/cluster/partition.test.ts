// Links through the proxies: a partition (black hole or refused connections) stops replication exactly like a
// network partition, healing resumes it; WAN latency sits on the links that cross sites and survives healAll.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from '../../src/cluster/index.js';
import { gone, seesCount, serverPids, sql, until } from './helpers.js';

async function toxicNames(c: Cluster, link: string): Promise<string[]> {
  const res = await fetch(`${c.toxiproxyUrl}/proxies/${link}/toxics`);
  return ((await res.json()) as { name: string }[]).map((t) => t.name).sort();
}

describe('partitions through the proxies', () => {
  let c: Cluster;
  let pids: number[] = [];
  beforeAll(async () => {
    c = await startCluster({ topology: 'streaming-async', nodes: 3, sites: 2, wanLatencyMs: 20 });
    pids = serverPids(c);
    await sql(c.clientConfig('n1'), 'CREATE TABLE t (id int PRIMARY KEY)');
    for (const n of ['n2', 'n3']) expect(await seesCount(c, n, 't', 0)).toBe(true);
  });
  afterEach(async () => {
    await c.healAll();
  });
  afterAll(async () => {
    await c?.stop();
    expect(pids.filter((p) => !gone(p))).toEqual([]);
  });

  it('splits nodes across sites and puts WAN latency on the links that cross them', async () => {
    expect(c.nodes.map((n) => [n.name, n.site])).toEqual([
      ['n1', 'a'],
      ['n2', 'b'],
      ['n3', 'a'],
    ]);
    const byName = Object.fromEntries(c.links.map((l) => [l.name, l]));
    expect(byName['repl-n2-n1']!.wan).toBe(true);
    expect(byName['repl-n3-n1']!.wan).toBe(false);
    expect(byName['client-n2']!.wan).toBe(false);
    expect(await toxicNames(c, 'repl-n2-n1')).toEqual(['wan-downstream', 'wan-upstream']);
    expect(await toxicNames(c, 'repl-n3-n1')).toEqual([]);
  });

  it('a black-hole cut stops replication; healing resumes it', async () => {
    const cut = await c.cutLinks({ between: [['n1'], ['n2']] });
    expect(cut).toEqual(['repl-n2-n1']);
    await sql(c.clientConfig('n1'), 'INSERT INTO t VALUES (1)');
    expect(await seesCount(c, 'n3', 't', 1)).toBe(true);
    // n2 does not get the row while the link is cut
    await new Promise((r) => setTimeout(r, 1500));
    expect((await sql<{ n: string }>(c.clientConfig('n2'), 'SELECT count(*)::text AS n FROM t'))[0]!.n).toBe('0');
    await c.healLinks({ links: cut });
    expect(await seesCount(c, 'n2', 't', 1)).toBe(true);
    expect(await toxicNames(c, 'repl-n2-n1')).toEqual(['wan-downstream', 'wan-upstream']);
  });

  it('a refusing cut (proxy disabled) also stops replication; healAll resumes it and keeps the WAN latency', async () => {
    await c.cutLinks({ isolate: 'n3' }, 'refuse');
    await c.addToxic({ links: ['client-n1'] }, { type: 'latency', attributes: { latency: 5, jitter: 0 } });
    await sql(c.clientConfig('n1'), 'INSERT INTO t VALUES (2)');
    expect(await seesCount(c, 'n2', 't', 2)).toBe(true);
    await new Promise((r) => setTimeout(r, 1500));
    expect((await sql<{ n: string }>(c.clientConfig('n3'), 'SELECT count(*)::text AS n FROM t'))[0]!.n).toBe('1');
    const [recv] = await sql<{ status: string | null }>(c.adminConfig('n3'), 'SELECT (SELECT status FROM pg_stat_wal_receiver) AS status');
    expect(recv!.status).not.toBe('streaming');
    await c.healAll();
    expect(await seesCount(c, 'n3', 't', 2)).toBe(true);
    expect(await toxicNames(c, 'client-n1')).toEqual([]);
    expect(await toxicNames(c, 'repl-n2-n1')).toEqual(['wan-downstream', 'wan-upstream']);
    expect(await until(async () => (await sql(c.adminConfig('n1'), "SELECT 1 FROM pg_stat_replication WHERE state = 'streaming'")).length === 2)).toBe(true);
  });
});

describe('partitions in logical-bidir', () => {
  it('cutting the links between the peers stops both directions; healing resumes them', async () => {
    const c = await startCluster({ topology: 'logical-bidir', nodes: 2 });
    const pids = serverPids(c);
    try {
      for (const n of ['n1', 'n2']) await sql(c.adminConfig(n), 'CREATE TABLE t (id int PRIMARY KEY)');
      await c.schemaReady();
      expect((await c.cutLinks({ between: [['n1'], ['n2']] })).sort()).toEqual(['repl-n1-n2', 'repl-n2-n1']);
      await sql(c.clientConfig('n1'), 'INSERT INTO t VALUES (1)');
      await sql(c.clientConfig('n2'), 'INSERT INTO t VALUES (2)');
      await new Promise((r) => setTimeout(r, 1500));
      for (const n of ['n1', 'n2']) expect((await sql<{ n: string }>(c.clientConfig(n), 'SELECT count(*)::text AS n FROM t'))[0]!.n).toBe('1');
      await c.healAll();
      for (const n of ['n1', 'n2']) expect(await seesCount(c, n, 't', 2)).toBe(true);
      expect((await c.snapshot(['t']))[0]!.agree).toBe(true);
    } finally {
      await c.stop();
    }
    expect(pids.filter((p) => !gone(p))).toEqual([]);
  });
});
