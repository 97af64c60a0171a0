// Issue 12 item 6: the temporary filesystem fills (real small tmpfs mounts). initdb out of space leaks no System V
// segment and no /dev/shm file; a standby that cannot write WAL says why at once (the server log's FATAL/PANIC
// line) instead of "not ready … starting up" a minute later; a run that could not start keeps the logs.
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statfsSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { binariesFor } from '../../src/cluster/binaries.js';
import { cloneInto } from '../../src/cluster/clone.js';
import { autoConf, conninfo, hbaConf, postgresqlConf } from '../../src/cluster/config.js';
import { parseSysvShm } from '../../src/cluster/ipc.js';
import { serverUser } from '../../src/cluster/osuser.js';
import { PgServer } from '../../src/cluster/server.js';
import { freePort } from '../../src/util/ports.js';
import { mountTmpfs } from '../support/tmpfs.js';

const ROOT = join(import.meta.dirname, '..', '..');
// a server user of this test's own: the shared `faultline` user's servers in other tests (and other suites on the
// machine) create and remove shared memory meanwhile, which a before/after comparison would count as this test's
const user = serverUser('faultline-tmpfull');
const bins = binariesFor(user);
const PASSWORD = 'tmp-full-test';
const scratch = mkdtempSync(join(tmpdir(), 'faultline-tmpfull-'));
chmodSync(scratch, 0o755);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Detached segments of the server user, and its /dev/shm/PostgreSQL.* files: what a leak would add to. */
function shmOfServerUser(): { segments: number[]; files: string[] } {
  const segments = parseSysvShm(readFileSync('/proc/sysvipc/shm', 'utf8'))
    .filter((s) => s.cuid === user.uid && s.nattch === 0)
    .map((s) => s.shmid);
  const files = readdirSync('/dev/shm').filter((f) => f.startsWith('PostgreSQL.') && statSync(join('/dev/shm', f)).uid === user.uid);
  return { segments, files };
}

function server(name: string, dir: string, port: number): PgServer {
  return new PgServer({ name, dir: join(dir, name), port, bins, user });
}

function configure(s: PgServer, upstream: { port: number; slot: string } | null): void {
  s.writeDataFile('postgresql.conf', postgresqlConf({ port: s.spec.port, topology: {}, tls: null, extra: {} }));
  s.writeDataFile('pg_hba.conf', hbaConf(false));
  const primaryConninfo = upstream ? conninfo({ host: '127.0.0.1', port: upstream.port, user: 'postgres', password: PASSWORD, application_name: upstream.slot, sslmode: 'disable' }) : '';
  s.writeDataFile('postgresql.auto.conf', autoConf(upstream ? { primaryConninfo, slot: upstream.slot } : null));
}

const admin = (port: number) => ({ host: '127.0.0.1', port, user: 'postgres', password: PASSWORD, database: 'postgres' });

describe('temporary filesystem full', () => {
  it('initdb out of space fails naming the FATAL/PANIC line and leaks no shared memory', async () => {
    // 20 MB: the bootstrap backend runs out of space mid-transaction and PANICs (measured with PostgreSQL 18)
    const fs = mountTmpfs('20m', 'initdb-full');
    if (!fs) return;
    try {
      const before = shmOfServerUser();
      const s = server('n1', fs.dir, await freePort());
      await expect(s.initdb(PASSWORD)).rejects.toThrow(/^initdb for n1 failed: (FATAL|PANIC): .*(No space left on device|Check free disk space)/);
      expect(s.initdbOutput).toMatch(/No space left on device|Check free disk space/);
      const after = shmOfServerUser();
      expect(after.segments.filter((id) => !before.segments.includes(id))).toEqual([]);
      expect(after.files.filter((f) => !before.files.includes(f))).toEqual([]);
    } finally {
      fs.remove();
    }
  });

  it('a standby that cannot write WAL for lack of space fails at once with the cause, not after the start timeout', async () => {
    const fs = mountTmpfs('48m', 'standby-full');
    if (!fs) return;
    const primary = server('p', scratch, await freePort());
    try {
      await primary.initdb(PASSWORD);
      configure(primary, null);
      await primary.start(admin(primary.spec.port));
      const standby = server('s', fs.dir, await freePort());
      await cloneInto(primary, admin(primary.spec.port), standby, 's');
      configure(standby, { port: primary.spec.port, slot: 's' });
      writeFileSync(join(standby.dataDir, 'standby.signal'), '');
      // leave less than a WAL segment (16 MB) free
      const st = statfsSync(fs.dir);
      writeFileSync(join(fs.dir, 'filler'), Buffer.alloc(Math.max(0, st.bavail * st.bsize - 4 * 1024 * 1024)));
      const before = shmOfServerUser();
      // a minute-long start timeout: the cause must come long before it (the log says the disk is full)
      const err = await standby.start(admin(standby.spec.port), 60_000).then(
        () => null,
        (e: Error) => e,
      );
      expect(err?.message).toMatch(/^postgres s (cannot start|exited during start-up): (FATAL|PANIC): .*No space left on device/);
      expect(err?.message).not.toMatch(/not ready after/);
      expect(err?.message.split('\n')).toHaveLength(1);
      const after = shmOfServerUser();
      expect(after.segments.filter((id) => !before.segments.includes(id))).toEqual([]);
      expect(after.files.filter((f) => !before.files.includes(f))).toEqual([]);
    } finally {
      await primary.stop();
      fs.remove();
    }
  });

  it('a run whose cluster cannot start says why in one line (exit 69) and keeps the server logs in its results', async () => {
    const fs = mountTmpfs('20m', 'run-tmp-full');
    if (!fs) return;
    const results = join(scratch, 'results');
    mkdirSync(results);
    try {
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'run', '-w', 'set', '-t', 'single', '--time-limit', '5', '--results', results, '--quiet'], {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, FAULTLINE_TMPDIR: fs.dir },
      });
      let err = '';
      child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
      const status = await new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      expect(status, err).toBe(69);
      expect(err.trimEnd().split('\n'), err).toHaveLength(1);
      expect(err).toMatch(/^faultline: run failed: initdb for n1 failed: (FATAL|PANIC): .* \(server logs: .*\/nodes\)\n$/);
      const dir = realpathSync(join(results, 'latest'));
      expect(readFileSync(join(dir, 'nodes', 'n1-initdb.log'), 'utf8')).toMatch(/No space left on device|Check free disk space/);
      expect(existsSync(join(dir, 'test.json'))).toBe(true);
      expect(readdirSync(fs.dir)).toEqual([]); // the cluster's directory is gone
    } finally {
      fs.remove();
    }
  });
});
