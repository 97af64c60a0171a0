// Issue 12 item 2: `-t external` against a real cluster given by URL. A second run on the same database is judged
// on its own rows (each workload empties its tables at setup); a standby in the nodes file (its role not even
// given) gets no DDL; a nemesis an external node has no command for is refused before the run (exit 64).
import { resultOf } from '../../checkers/suite.js';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from '../../src/cluster/index.js';
import { toRunOptions } from '../../src/runner/options.js';
import { runTest } from '../../src/runner/run.js';

const ROOT = join(import.meta.dirname, '..', '..');
const tmp = mkdtempSync(join(tmpdir(), 'faultline-ext-run-'));
let real: Cluster;
let file: string;

beforeAll(async () => {
  real = await startCluster({ topology: 'streaming-async', nodes: 2 });
  const url = (n: string) => `postgres://postgres:${real.password}@127.0.0.1:${real.node(n).port}/postgres`;
  file = join(tmp, 'nodes.json');
  // db2 is a standby, but the file does not say so: faultline must find out (pg_is_in_recovery)
  writeFileSync(file, JSON.stringify({ nodes: [{ name: 'db1', url: url('n1'), role: 'primary' }, { name: 'db2', url: url('n2') }] }));
});
afterAll(async () => {
  await real?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

describe('faultline run -t external', () => {
  it('two runs on the same database: each is judged on its own rows', async () => {
    for (const round of [1, 2]) {
      const { options } = toRunOptions({ topology: 'external', external: file, workload: 'set', timeLimit: 2, rate: 100, results: join(tmp, 'results'), quiet: true, report: false, seed: round }, 'test');
      const o = await runTest(options);
      expect(resultOf(o.results.checkers, 'set')!.reason, `run ${round}`).toBeUndefined();
      expect(resultOf(o.results.checkers, 'set')!.valid, `run ${round}`).toBe(true);
      expect((resultOf(o.results.checkers, 'set')!.unexpected as { count: number }).count).toBe(0);
      expect(resultOf(o.results.checkers, 'convergence')!.valid, `run ${round}: ${String(resultOf(o.results.checkers, 'convergence')!.reason)}`).toBe(true);
    }
  });

  it('refuses -n kill when a node has no "kill" command, in one line, before anything starts (exit 64)', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'run', '-t', 'external', '--external', file, '-n', 'kill', '--results', join(tmp, 'refused'), '--quiet'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(64);
    expect(r.stderr).toBe(`faultline: nemesis kill is not supported on topology external: it needs a "kill" command for every node; db1, db2 have none in ${file}\n`);
  });
});
