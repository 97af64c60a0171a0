// Cluster.settle on real PostgreSQL: a standby that has caught up (replayed the primary's position and shows the
// marker written after healing) is settled; one held back (recovery_min_apply_delay), paused or killed is named
// with how far it got, never taken as caught up.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from '../../src/cluster/index.js';
import { unsettledNodes } from '../../src/cluster/settle.js';
import { sql } from './helpers.js';

describe('cluster.settle', () => {
  let c: Cluster;
  beforeAll(async () => {
    c = await startCluster({ topology: 'streaming-async', nodes: 3 });
    await sql(c.adminConfig('n1'), 'CREATE TABLE t (v int PRIMARY KEY)');
  });
  afterAll(async () => {
    await c?.stop();
  });

  it('every node settled: the primary, and standbys that replayed its position and show the marker', async () => {
    await sql(c.adminConfig('n1'), 'INSERT INTO t SELECT generate_series(1, 100)');
    const s = await c.settle(60_000);
    expect(s.settled).toBe(true);
    expect(s.primary).toBe('n1');
    expect(Object.fromEntries(Object.entries(s.nodes).map(([n, r]) => [n, [r.state, r.role]]))).toEqual({
      n1: ['settled', 'primary'],
      n2: ['settled', 'standby'],
      n3: ['settled', 'standby'],
    });
    expect(s.nodes.n2!.lagBytes).toBe(0);
    for (const n of ['n2', 'n3']) expect((await sql<{ n: string }>(c.adminConfig(n), 'SELECT count(*)::text AS n FROM t'))[0]!.n).toBe('100');
  });

  it('a standby that does not apply is behind, with its replay position and lag; the other standby settles', async () => {
    await sql(c.adminConfig('n3'), "ALTER SYSTEM SET recovery_min_apply_delay = '1h'");
    await sql(c.adminConfig('n3'), 'SELECT pg_reload_conf()');
    try {
      await sql(c.adminConfig('n1'), 'INSERT INTO t SELECT generate_series(101, 200)');
      const s = await c.settle(1500);
      expect(s.settled).toBe(false);
      expect(s.nodes.n2!.state).toBe('settled');
      const n3 = s.nodes.n3!;
      expect(n3.state).toBe('behind');
      expect(n3.lagBytes).toBeGreaterThan(0);
      expect(n3.markersMissing).toEqual(['n1']);
      expect(n3.reason).toMatch(/^not caught up after [0-9.]+ s: replayed [0-9A-F]+\/[0-9A-F]+ of [0-9A-F]+\/[0-9A-F]+ on n1 \([0-9]+ bytes behind; received .*\); does not show the marker written on n1 after healing$/);
      expect(Object.keys(unsettledNodes(s))).toEqual(['n3']);
    } finally {
      await sql(c.adminConfig('n3'), 'ALTER SYSTEM RESET recovery_min_apply_delay');
      await sql(c.adminConfig('n3'), 'SELECT pg_reload_conf()');
    }
    expect((await c.settle(60_000)).settled).toBe(true);
  });

  it('a paused node and a killed node are named as such at once', async () => {
    await c.pause('n2');
    await c.kill('n3');
    try {
      const s = await c.settle(60_000);
      expect([s.nodes.n1!.state, s.nodes.n2!.state, s.nodes.n3!.state]).toEqual(['settled', 'paused', 'down']);
      expect(unsettledNodes(s)).toEqual({ n2: 'paused (SIGSTOP) when the final reads were taken', n3: 'killed when the final reads were taken' });
    } finally {
      await c.resume('n2');
      await c.start('n3');
    }
    expect((await c.settle(60_000)).settled).toBe(true);
  });
});
