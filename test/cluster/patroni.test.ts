// Topology patroni on Debian's Patroni + etcd + PostgreSQL 15: the stack bootstraps with every path through a link,
// roles come from its REST API, a write replicates; SIGKILL of the leader's Patroni alone leaves its postgres running
// and writable (an orphan) while Patroni elects another leader; the restarted manager demotes it; stop leaves nothing.
import { describe, expect, it } from 'vitest';
import { startCluster } from '../../src/cluster/index.js';
import { missingPackages } from '../../src/cluster/ha/packages.js';
import { gone, seesCount, sql, until } from './helpers.js';

const missing = missingPackages('patroni');
if (missing.length > 0) console.warn(`skipping the patroni topology test: apt-get install ${missing.join(' ')}`);

describe.skipIf(missing.length > 0)('topology patroni', () => {
  it('bootstraps through the links, replicates, survives a killed manager with an orphan primary, and stops clean', async () => {
    const c = await startCluster({ topology: 'patroni', ttl: 10, loopWait: 2, retryTimeout: 3 });
    const pids: number[] = [];
    try {
      const primary = c.primary()!.name;
      expect(c.nodes.filter((n) => n.role === 'primary').map((n) => n.name)).toEqual([primary]);
      expect(c.pgVersion).toMatch(/^15\./);
      const kinds = new Set(c.links.map((l) => `${l.kind}:${l.name.replace(/n[0-9]|e[0-9]/g, 'X')}`));
      expect([...kinds].sort()).toEqual(['api:api-X', 'client:client-X', 'dcs:dcs-X-X', 'dcs:dcs-peer-X', 'repl:peer-X', 'repl:peer-api-X']);
      for (const n of c.nodes) pids.push(n.pid!);
      await sql(c.clientConfig(primary), 'CREATE TABLE kv (k int PRIMARY KEY, v text)');
      await sql(c.clientConfig(primary), "INSERT INTO kv VALUES (1, 'one')");
      for (const n of c.nodes) expect(await seesCount(c, n.name, 'kv', 1), `${n.name} sees the row`).toBe(true);
      expect(await c.waitForReplication(60_000)).toBe(true);

      // kill-manager: the orphan keeps taking writes while another member is promoted
      const manager = c.capability('manager');
      await manager.kill(primary);
      expect(manager.running(primary)).toBe(false);
      expect(c.node(primary).state).toBe('running');
      expect(await until(() => c.primary()!.name !== primary, 200), 'a new leader').toBe(true);
      const leader = c.primary()!.name;
      await sql(c.adminConfig(primary), "INSERT INTO kv VALUES (2, 'orphan')");
      await sql(c.clientConfig(leader), "INSERT INTO kv VALUES (3, 'leader')");
      // the restarted manager sees the other leader and turns its postgres into a replica
      await manager.start(primary);
      expect(
        await until(async () => (await sql<{ r: boolean }>(c.adminConfig(primary), 'SELECT pg_is_in_recovery() AS r').catch(() => [{ r: false }]))[0]!.r, 500),
        'the old leader demoted',
      ).toBe(true);
    } finally {
      await c.stop();
    }
    expect(pids.filter((p) => !gone(p))).toEqual([]);
  }, 400_000);
});
