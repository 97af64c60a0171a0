// faultline pack: one .tar.gz of a run directory with everything but data directories, secrets and links;
// text redacted on the way (the kept cluster's password too).
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { list } from 'tar';
import { afterAll, describe, expect, it } from 'vitest';
import { packRun, planPack } from '../../src/cli/pack.js';
import { ensureBuilt, faultline } from '../support/built-cli.js';

const ROOT = join(import.meta.dirname, '..', '..');
const tmp = mkdtempSync(join(tmpdir(), 'fl-pack-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A run directory with the files a --keep run leaves, a secret in a log, and things that must stay out. */
function fakeRun(): string {
  const run = join(tmp, 'results', 'set-kill-single', '20260101T000000Z');
  cpSync(join(ROOT, 'test', 'fixtures', 'runs', 'set-kill-streaming-async', '20260101T000000Z'), run, { recursive: true });
  mkdirSync(join(run, 'nodes'), { recursive: true });
  writeFileSync(join(run, 'nodes', 'n1.log'), 'LOG: connection from postgres://faultline:s3cret-pw@127.0.0.1:5432/x and s3cret-pw again\n');
  mkdirSync(join(run, 'cluster', 'n1', 'data'), { recursive: true });
  writeFileSync(join(run, 'cluster', 'n1', 'data', 'PG_VERSION'), '18\n');
  writeFileSync(join(run, 'cluster', 'pgpass'), '127.0.0.1:*:*:faultline:s3cret-pw\n');
  writeFileSync(join(run, 'cluster.json'), '{"password":"s3cret-pw"}\n');
  writeFileSync(join(run, 'server.key'), 'KEY\n');
  mkdirSync(join(run, 'stray', 'pgdata'), { recursive: true });
  writeFileSync(join(run, 'stray', 'pgdata', 'PG_VERSION'), '18\n');
  symlinkSync('/etc/passwd', join(run, 'passwd-link'));
  spawnSync('mkfifo', [join(run, 'a-fifo')]);
  return run;
}

describe('faultline pack', () => {
  it('plans every regular file but data directories, secrets, links and FIFOs', () => {
    const run = fakeRun();
    const plan = planPack(run);
    expect(plan.files).toEqual(expect.arrayContaining(['history.jsonl', 'test.json', 'results.json', 'nodes/n1.log']));
    expect(plan.files.some((f) => f.startsWith('cluster') || f.includes('PG_VERSION') || f.endsWith('.key') || f.includes('passwd') || f.includes('fifo'))).toBe(false);
    expect(plan.skipped).toEqual(
      expect.arrayContaining([
        'cluster/: the kept cluster (data directories)',
        'cluster.json: holds a secret',
        'server.key: a key or certificate',
        'stray/pgdata/: a PostgreSQL data directory',
        'passwd-link: a link (not followed)',
      ]),
    );
  });

  it('writes one .tar.gz under <test>-<timestamp>/, redacts the kept password, refuses to overwrite', async () => {
    const run = join(tmp, 'results', 'set-kill-single', '20260101T000000Z');
    const out = join(tmp, 'bug.tar.gz');
    const r = await packRun(run, out);
    expect(r.archive).toBe(out);
    const entries: Array<{ path: string; body: string }> = [];
    await list({
      file: out,
      onReadEntry: (e) => {
        const chunks: Buffer[] = [];
        e.on('data', (c: Buffer) => chunks.push(c));
        e.on('end', () => entries.push({ path: e.path, body: Buffer.concat(chunks).toString('utf8') }));
      },
    });
    const names = entries.map((e) => e.path);
    expect(names).toContain('set-kill-single-20260101T000000Z/history.jsonl');
    expect(names).toContain('set-kill-single-20260101T000000Z/nodes/n1.log');
    expect(names.some((n) => /cluster|pgpass|PG_VERSION|\.key$|passwd|fifo/.test(n))).toBe(false);
    const log = entries.find((e) => e.path.endsWith('n1.log'))?.body ?? '';
    expect(log).not.toContain('s3cret-pw');
    expect(log).toContain('[redacted]');
    await expect(packRun(run, out)).rejects.toThrow(/exists/);
  });

  it('through the CLI: the path on stdout, 66 for a directory that is not a run', () => {
    const run = join(tmp, 'results', 'set-kill-single', '20260101T000000Z');
    ensureBuilt();
    const cli = (...args: string[]) => faultline(['pack', ...args], undefined, tmp);
    const ok = cli(run);
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout.trim()).toBe(join(tmp, 'set-kill-single-20260101T000000Z.tar.gz'));
    expect(existsSync(ok.stdout.trim())).toBe(true);
    expect(ok.stderr).toMatch(/^faultline: packed \d+ file\(s\), \d+ KiB; left out: /);
    const bad = cli(tmp);
    expect(bad.status).toBe(66);
    expect(bad.stderr).toContain('not a run directory');
  });
});
