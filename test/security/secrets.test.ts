// No readable secret behind a run: a real short run (streaming-async, TLS, kill, --keep) is searched file by
// file for the cluster's password. Outside the kept cluster directory no file may hold it; inside, only
// files other local users cannot read (0600, or below a 0700 data directory). Neither the run's stdout and
// stderr, nor anything `faultline serve` sends for the run, may carry it.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDACTED, redactSecrets, registerSecret, forgetSecret, urlWithoutPassword } from '../../src/util/redact.js';
import { startReportServer } from '../../src/report/serve.js';
import { ensureBuilt, ROOT } from '../support/built-cli.js';

describe('redaction (pure)', () => {
  it('removes passwords from URLs, conninfo, JSON and registered secrets, and nothing else', () => {
    expect(redactSecrets('postgres://postgres:s3cr3t@127.0.0.1:5432/postgres')).toBe(`postgres://postgres:${REDACTED}@127.0.0.1:5432/postgres`);
    expect(redactSecrets("host=127.0.0.1 port=5 user=postgres password='a b' sslmode=disable")).toBe(`host=127.0.0.1 port=5 user=postgres password=${REDACTED} sslmode=disable`);
    expect(redactSecrets("CONNECTION 'host=h password=''abc'' user=u'")).toBe(`CONNECTION 'host=h password=${REDACTED} user=u'`);
    expect(redactSecrets('{"password": "abc\\"d", "x": 1}')).toBe(`{"password": "${REDACTED}", "x": 1}`);
    expect(redactSecrets('PGPASSWORD=abc psql')).toBe(`PGPASSWORD=${REDACTED} psql`);
    expect(redactSecrets('http://127.0.0.1:8474/proxies/a@b and time 12:30@home')).toBe('http://127.0.0.1:8474/proxies/a@b and time 12:30@home');
    registerSecret('0123456789abcdef');
    expect(redactSecrets('a 0123456789abcdef b')).toBe(`a ${REDACTED} b`);
    forgetSecret('0123456789abcdef');
    expect(redactSecrets('a 0123456789abcdef b')).toBe('a 0123456789abcdef b');
    expect(urlWithoutPassword('postgres://postgres:pw@127.0.0.1:5/postgres?sslmode=verify-ca')).toBe('postgres://postgres@127.0.0.1:5/postgres?sslmode=verify-ca');
  });
});

const tmp = mkdtempSync(join(tmpdir(), 'fl-secrets-'));
const results = join(tmp, 'results');
chmodSync(tmp, 0o755); // run as root, the servers' OS user must reach the kept cluster directory
let run: { status: number | null; stdout: string; stderr: string };
let runDir = '';
let password = '';

function files(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...files(p));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

/** Can a user other than the owner read `file`? (no read bit for group/other, or an untraversable directory on the way) */
function othersCanRead(file: string, top: string): boolean {
  if ((statSync(file).mode & 0o044) === 0) return false;
  for (let d = dirname(file); d.length >= top.length; d = dirname(d)) {
    if ((statSync(d).mode & 0o011) === 0) return false;
    if (d === top) break;
  }
  return true;
}

function get(port: number, path: string): Promise<string> {
  return new Promise((ok, fail) => {
    const req = request({ host: '127.0.0.1', port, path }, (res) => {
      let body = '';
      res.setEncoding('latin1');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => ok(`${res.statusCode} ${body}`));
    });
    req.on('error', fail);
    req.end();
  });
}

beforeAll(() => {
  ensureBuilt();
  const r = spawnSync(
    process.execPath,
    [join(ROOT, 'bin/faultline.js'), 'run', '--topology', 'streaming-async', '--nodes', '2', '--tls', '--nemesis', 'kill', '--nemesis-interval', '1', '--time-limit', '4', '--settle', '20', '--keep', '--results', results],
    { cwd: ROOT, encoding: 'utf8', timeout: 600_000 },
  );
  run = { status: r.status, stdout: r.stdout, stderr: r.stderr };
  runDir = realpathSync(join(results, 'latest'));
  const cluster = join(runDir, 'cluster');
  // the password as the cluster keeps it: its passfile, or (before it had one) cluster.json
  if (existsSync(join(cluster, 'pgpass'))) password = readFileSync(join(cluster, 'pgpass'), 'utf8').trim().split('\n')[0]!.split(':').pop()!;
  else if (existsSync(join(cluster, 'cluster.json'))) password = (JSON.parse(readFileSync(join(cluster, 'cluster.json'), 'utf8')) as { password: string }).password;
}, 660_000);

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('a real run leaves no readable secret', () => {
  it('ran, and the cluster had a password', () => {
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBeLessThanOrEqual(2);
    expect(password).toMatch(/^[0-9a-f]{36}$/);
  });

  it('prints no password on stdout or stderr', () => {
    expect(run.stdout).not.toContain(password);
    expect(run.stderr).not.toContain(password);
  });

  it('no run file holds the password; in the kept cluster directory only files nobody else can read do', () => {
    const holding: string[] = [];
    for (const f of files(runDir)) {
      const rel = relative(runDir, f);
      if (!readFileSync(f).includes(password)) continue;
      holding.push(rel);
      expect(rel.startsWith('cluster/'), `${rel} holds the password`).toBe(true);
      expect(othersCanRead(f, runDir), `${rel} holds the password and others can read it`).toBe(false);
    }
    expect(holding).toContain('cluster/pgpass');
    expect((statSync(join(runDir, 'cluster', 'pgpass')).mode & 0o777).toString(8)).toBe('600');
    for (const f of ['test.json', 'results.json', 'final.json', 'history.jsonl', 'metrics.jsonl', 'index.html', 'cluster/cluster.json']) {
      expect(existsSync(join(runDir, f)), f).toBe(true);
      expect(holding, f).not.toContain(f);
    }
  });

  it('test.json and cluster.json keep usable client URLs: without the password, naming the passfile', () => {
    const test = JSON.parse(readFileSync(join(runDir, 'test.json'), 'utf8')) as { nodes: { clientUrl: string }[] };
    for (const n of test.nodes) expect(n.clientUrl).toMatch(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres\?.*passfile=/);
    const stored = JSON.parse(readFileSync(join(runDir, 'cluster', 'cluster.json'), 'utf8')) as Record<string, unknown>;
    expect(stored).not.toHaveProperty('password');
    expect(stored.passfile).toBe('pgpass');
  });

  it('faultline serve sends nothing that carries the password, for any file of the run', async () => {
    const srv = await startReportServer(results, 0);
    try {
      const port = Number(new URL(srv.url).port);
      const base = `/runs/${relative(realpathSync(results), runDir)}`;
      const paths = ['/', `${base}/`, ...files(runDir).map((f) => `${base}/${relative(runDir, f)}`)];
      for (const p of paths) expect(await get(port, p), p).not.toContain(password);
    } finally {
      await srv.close();
    }
  });
});
