// external topology: nodes given by URL in a JSON file (here: a real cluster started by the test), reached by
// clients through their own proxies; control operations run the per-node shell commands from the file.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startCluster, withCluster } from '../../src/cluster/index.js';
import { seesCount, sql } from './helpers.js';

describe('external topology', () => {
  it('wires client proxies to the given URLs and runs the node commands', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'faultline-test-ext-'));
    try {
      await withCluster({ topology: 'streaming-async', nodes: 2 }, async (real) => {
        const url = (n: string) => `postgres://postgres:${real.password}@127.0.0.1:${real.node(n).port}/postgres`;
        const file = join(tmp, 'nodes.json');
        const marker = join(tmp, 'stopped');
        writeFileSync(
          file,
          JSON.stringify({
            nodes: [
              { name: 'db1', url: url('n1'), role: 'primary', site: 'a', commands: { stop: `echo "$FAULTLINE_NODE" > ${marker}` } },
              { name: 'db2', url: url('n2'), role: 'standby', site: 'b' },
            ],
          }),
        );
        const ext = await startCluster({ topology: 'external', externalFile: file });
        try {
          expect(ext.nodes.map((n) => [n.name, n.role, n.site])).toEqual([
            ['db1', 'primary', 'a'],
            ['db2', 'standby', 'b'],
          ]);
          expect(ext.primary()?.name).toBe('db1');
          expect(ext.links.map((l) => l.name).sort()).toEqual(['client-db1', 'client-db2']);
          await sql(ext.clientConfig('db1'), 'CREATE TABLE e (id int)');
          await sql(ext.clientConfig('db1'), 'INSERT INTO e VALUES (1)');
          expect(await seesCount(ext, 'db2', 'e', 1)).toBe(true);
          await ext.stopNode('db1');
          expect(readFileSync(marker, 'utf8').trim()).toBe('db1');
          expect(ext.node('db1').state).toBe('stopped');
          await expect(ext.kill('db2')).rejects.toThrow(/no "kill" command/);
          // the real nodes were not touched by stopNode (the command only wrote a file)
          expect(real.node('n1').state).toBe('running');
        } finally {
          await ext.stop();
        }
      });
      await expect(startCluster({ topology: 'external', externalFile: join(tmp, 'missing.json') })).rejects.toThrow(/missing\.json: no such nodes file \(--external\)/);
      writeFileSync(join(tmp, 'bad.json'), JSON.stringify({ nodes: [{ name: 'x', url: 'http://h' }] }));
      await expect(startCluster({ topology: 'external', externalFile: join(tmp, 'bad.json') })).rejects.toThrow(/postgres:\/\//);
      expect(existsSync(tmp)).toBe(true);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
