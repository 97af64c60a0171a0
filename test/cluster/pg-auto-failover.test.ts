// Topology pg-auto-failover on Debian's pg_auto_failover + PostgreSQL 15: a monitor and two nodes through the links,
// the read-write node found as its multi-host URI would, a write replicated synchronously; stop leaves nothing.
import { describe, expect, it } from 'vitest';
import { startCluster } from '../../src/cluster/index.js';
import { missingPackages } from '../../src/cluster/ha/packages.js';
import { gone, seesCount, sql } from './helpers.js';

const missing = missingPackages('pg-auto-failover');
if (missing.length > 0) console.warn(`skipping the pg-auto-failover topology test: apt-get install ${missing.join(' ')}`);

describe.skipIf(missing.length > 0)('topology pg-auto-failover', () => {
  it('starts a monitor and two nodes through the links, replicates synchronously, and stops clean', async () => {
    const c = await startCluster({ topology: 'pg-auto-failover' });
    const pids: number[] = [];
    try {
      const primary = c.primary()!.name;
      expect(c.nodes.map((n) => n.role).sort()).toEqual(['primary', 'standby']);
      expect(new Set(c.links.map((l) => `${l.kind}:${l.name.replace(/n[0-9]/g, 'X')}`))).toEqual(new Set(['client:client-X', 'repl:peer-X', 'dcs:mon-X']));
      for (const n of c.nodes) pids.push(n.pid!);
      const [sync] = await sql<{ s: string }>(c.adminConfig(primary), "SELECT current_setting('synchronous_standby_names') AS s");
      expect(sync!.s).toMatch(/ANY 1/);
      await sql(c.clientConfig(primary), 'CREATE TABLE kv (k int PRIMARY KEY, v text)');
      await sql(c.clientConfig(primary), "INSERT INTO kv VALUES (1, 'one')");
      for (const n of c.nodes) expect(await seesCount(c, n.name, 'kv', 1), `${n.name} sees the row`).toBe(true);
    } finally {
      await c.stop();
    }
    expect(pids.filter((p) => !gone(p))).toEqual([]);
  }, 400_000);
});
