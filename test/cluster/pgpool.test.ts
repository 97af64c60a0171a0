// Topology pgpool on Debian's pgpool2 in front of async streaming nodes: clients reach pgpool only, writes land on
// the primary and replicate; with a failover_command, killing the primary lets pgpool promote another node and
// writes through pgpool resume there; stop leaves nothing.
import { describe, expect, it } from 'vitest';
import { startCluster } from '../../src/cluster/index.js';
import { missingPackages } from '../../src/cluster/ha/packages.js';
import { gone, seesCount, sql, until } from './helpers.js';

const missing = missingPackages('pgpool');
if (missing.length > 0) console.warn(`skipping the pgpool topology test: apt-get install ${missing.join(' ')}`);

describe.skipIf(missing.length > 0)('topology pgpool', () => {
  it('routes writes through pgpool to the primary, and with a failover_command resumes them on a promoted node', async () => {
    const c = await startCluster({ topology: 'pgpool', nodes: 2, failoverCommand: true });
    const pids: number[] = [];
    try {
      expect(c.primary()!.name).toBe('n1');
      expect(new Set(c.links.map((l) => `${l.kind}:${l.name.replace(/n[0-9]/g, 'X')}`))).toEqual(new Set(['client:client-X', 'repl:repl-X-X', 'pooler:pool-X']));
      for (const n of c.nodes) pids.push(n.pid!);
      // client-n2 leads to pgpool too: the write reaches the primary n1
      await sql(c.clientConfig('n2'), 'CREATE TABLE kv (k int PRIMARY KEY, v text)');
      await sql(c.clientConfig('n2'), "INSERT INTO kv VALUES (1, 'one')");
      for (const n of c.nodes) expect(await seesCount(c, n.name, 'kv', 1), `${n.name} sees the row`).toBe(true);
      await c.kill('n1');
      expect(await until(() => c.primary()!.name === 'n2', 200), 'pgpool promoted n2').toBe(true);
      expect(
        await until(async () => sql(c.clientConfig('n1'), "INSERT INTO kv VALUES (2, 'two')").then(() => true, () => false), 500),
        'a write through pgpool after the failover',
      ).toBe(true);
      expect(await seesCount(c, 'n2', 'kv', 2)).toBe(true);
    } finally {
      await c.stop();
    }
    expect(pids.filter((p) => !gone(p))).toEqual([]);
  }, 400_000);
});
