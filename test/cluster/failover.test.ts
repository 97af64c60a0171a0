// Failover on a real 3-node streaming cluster: the most advanced reachable standby is promoted, the others follow
// it, the old primary is re-cloned and follows too; a second failover works the same way.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster, type ClusterNode } from '../../src/cluster/index.js';
import { gone, seesCount, serverPids, sql } from './helpers.js';

describe('failover', () => {
  let c: Cluster;
  const pids = new Set<number>();
  beforeAll(async () => {
    c = await startCluster({ topology: 'streaming-async', nodes: 3 });
    await sql(c.clientConfig('n1'), 'CREATE TABLE t (id int PRIMARY KEY)');
    serverPids(c).forEach((p) => pids.add(p));
  });
  afterAll(async () => {
    await c?.stop();
    expect([...pids].filter((p) => !gone(p))).toEqual([]);
  });

  it('promotes the most advanced standby; the old primary is re-cloned and follows it', async () => {
    const changes: [string, number][] = [];
    c.onPrimaryChange((p: ClusterNode, g: number) => changes.push([p.name, g]));
    await sql(c.clientConfig('n1'), 'INSERT INTO t SELECT generate_series(1, 10)');
    expect(await seesCount(c, 'n3', 't', 10)).toBe(true);
    // n3 falls behind: its replication link is cut, n2 keeps receiving
    await c.cutLinks({ links: ['repl-n3-n1'] });
    await sql(c.clientConfig('n1'), 'INSERT INTO t SELECT generate_series(11, 20)');
    expect(await seesCount(c, 'n2', 't', 20)).toBe(true);
    await c.kill('n1');
    const r = await c.capability('promote').failover();
    expect(r.oldPrimary).toBe('n1');
    expect(r.newPrimary).toBe('n2');
    expect(r.recloned).toContain('n1');
    expect(r.forkLsn).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
    expect(c.primary()?.name).toBe('n2');
    expect(c.generation).toBe(1);
    expect(changes).toEqual([['n2', 1]]);
    expect(c.nodes.map((n) => [n.name, n.role, n.state])).toEqual([
      ['n1', 'standby', 'running'],
      ['n2', 'primary', 'running'],
      ['n3', 'standby', 'running'],
    ]);
    serverPids(c).forEach((p) => pids.add(p));
    await sql(c.clientConfig('n2'), 'INSERT INTO t VALUES (21)');
    expect(await seesCount(c, 'n1', 't', 21)).toBe(true);
    expect(await seesCount(c, 'n3', 't', 21)).toBe(true);
    const rep = await sql<{ application_name: string; state: string }>(c.adminConfig('n2'), 'SELECT application_name, state FROM pg_stat_replication ORDER BY 1');
    expect(rep).toEqual([
      { application_name: 'n1', state: 'streaming' },
      { application_name: 'n3', state: 'streaming' },
    ]);
  });

  it('fails over again, to a chosen standby; a standby ahead of the fork point is re-cloned', async () => {
    await c.healAll();
    await sql(c.clientConfig('n2'), 'INSERT INTO t VALUES (22)');
    expect(await seesCount(c, 'n1', 't', 22)).toBe(true);
    expect(await seesCount(c, 'n3', 't', 22)).toBe(true);
    // n3 falls behind; n1 gets more WAL; then n3 is promoted: n1 now holds WAL past the fork point
    await c.cutLinks({ between: [['n3'], ['n2']] });
    await sql(c.clientConfig('n2'), 'INSERT INTO t VALUES (23)');
    expect(await seesCount(c, 'n1', 't', 23)).toBe(true);
    await c.healAll();
    await c.pause('n3'); // keep it from catching up before the primary goes away
    await c.kill('n2');
    await c.resume('n3');
    const r = await c.capability('promote').failover({ candidate: 'n3' });
    expect(r.newPrimary).toBe('n3');
    expect(r.oldPrimary).toBe('n2');
    expect(r.generation).toBe(2);
    expect(c.primary()?.name).toBe('n3');
    serverPids(c).forEach((p) => pids.add(p));
    await sql(c.clientConfig('n3'), 'INSERT INTO t VALUES (100)');
    const n3rows = Number((await sql<{ n: string }>(c.adminConfig('n3'), 'SELECT count(*)::text AS n FROM t'))[0]!.n);
    for (const n of ['n1', 'n2']) expect(await seesCount(c, n, 't', n3rows)).toBe(true);
    const snap = await c.snapshot(['t']);
    expect(snap[0]!.agree).toBe(true);
  });
});
