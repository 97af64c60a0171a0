// `faultline serve` against hostile requests and hostile results directories: a foreign Host header (DNS
// rebinding) is refused, FIFOs and other non-regular files are never opened, files that hold secrets are
// never served and connection-string passwords are redacted in what is served; Ctrl-C always stops it.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostAllowed, type ReportServer, startReportServer } from '../../src/report/serve.js';
import { ensureBuilt, ROOT } from '../support/built-cli.js';

const RUNS = join(ROOT, 'test', 'fixtures', 'runs');
const RUN = 'set-kill-streaming-async/20260101T000000Z';
const SECRET = 'd3adb33fd3adb33fd3adb33fd3adb33f';
const tmp = mkdtempSync(join(tmpdir(), 'fl-serve-hard-'));
const results = join(tmp, 'results');

interface Reply {
  status: number;
  body: string;
}

/** GET `path` from 127.0.0.1:`port` with a chosen Host header; rejects after `ms` without an answer. */
function get(port: number, path: string, host?: string | null, ms = 20_000): Promise<Reply> {
  return new Promise((ok, fail) => {
    const headers: Record<string, string> = {};
    if (host) headers.host = host;
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', headers, setHost: host !== null && host === undefined }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => ok({ status: res.statusCode ?? 0, body }));
    });
    req.setTimeout(ms, () => req.destroy(new Error(`no answer to ${path} within ${ms} ms`)));
    req.on('error', fail);
    req.end();
  });
}

function mkfifo(path: string): void {
  const r = spawnSync('mkfifo', [path]);
  if (r.status !== 0) throw new Error(`mkfifo ${path} failed: ${r.stderr}`);
}

beforeAll(() => {
  cpSync(RUNS, results, { recursive: true });
  const run = join(results, RUN);
  mkfifo(join(run, 'pipe.jsonl'));
  mkfifo(join(run, 'nodes', 'fifo.log'));
  // runs whose own files are FIFOs: the runs table reads test.json and results.json, a report the history
  const a = join(results, 'fifo-a', '20260105T000000Z');
  mkdirSync(a, { recursive: true });
  cpSync(join(run, 'history.jsonl'), join(a, 'history.jsonl'));
  mkfifo(join(a, 'test.json'));
  mkfifo(join(a, 'results.json'));
  mkfifo(join(a, 'metrics.jsonl'));
  const b = join(results, 'fifo-b', '20260105T000000Z');
  mkdirSync(b, { recursive: true });
  mkfifo(join(b, 'history.jsonl'));
  // a --keep run: the cluster directory holds the password and the TLS key
  mkdirSync(join(run, 'cluster', 'tls'), { recursive: true });
  writeFileSync(join(run, 'cluster', 'cluster.json'), JSON.stringify({ password: SECRET }));
  writeFileSync(join(run, 'cluster', 'pgpass'), `127.0.0.1:*:*:postgres:${SECRET}\n`, { mode: 0o600 });
  writeFileSync(join(run, 'cluster', 'tls', 'server.key'), '-----BEGIN PRIVATE KEY-----\n');
  // an old run's files with the password in a client URL and in a libpq conninfo
  writeFileSync(join(run, 'nodes', 'n3.log'), `STATEMENT:  CREATE SUBSCRIPTION s CONNECTION 'host=127.0.0.1 password=${SECRET} user=postgres'\n`);
  writeFileSync(join(run, 'notes.txt'), `postgres://postgres:${SECRET}@127.0.0.1:5432/postgres\n`);
});

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('serve: the Host header', () => {
  it('accepts 127.0.0.1:PORT and localhost:PORT only (pure)', () => {
    expect(hostAllowed('127.0.0.1:8080', 8080)).toBe(true);
    expect(hostAllowed('localhost:8080', 8080)).toBe(true);
    expect(hostAllowed('LocalHost:8080', 8080)).toBe(true);
    expect(hostAllowed('localhost:8081', 8080)).toBe(false);
    expect(hostAllowed('evil.example:8080', 8080)).toBe(false);
    expect(hostAllowed('localhost.evil.example:8080', 8080)).toBe(false);
    expect(hostAllowed('127.0.0.1', 8080)).toBe(false);
    expect(hostAllowed('127.0.0.1', 80)).toBe(true);
    expect(hostAllowed(undefined, 8080)).toBe(false);
  });

  describe('in a server', () => {
    let srv: ReportServer;
    let port: number;
    beforeAll(async () => {
      srv = await startReportServer(results, 0);
      port = Number(new URL(srv.url).port);
    });
    afterAll(() => srv?.close());

    it('refuses a rebinding host with 421 and answers the loopback names', async () => {
      const evil = await get(port, '/', `attacker.example:${port}`);
      expect(evil.status).toBe(421);
      expect(evil.body).not.toContain('set-kill');
      expect((await get(port, `/runs/${RUN}/history.jsonl`, `attacker.example:${port}`)).status).toBe(421);
      expect((await get(port, '/', `localhost:${port}`)).status).toBe(200);
      expect((await get(port, '/', `127.0.0.1:${port}`)).status).toBe(200);
    });

    it('never serves a file that holds a secret, and redacts passwords in what it serves', async () => {
      for (const f of ['cluster/cluster.json', 'cluster/pgpass', 'cluster/tls/server.key']) {
        const r = await get(port, `/runs/${RUN}/${f}`);
        expect(r.status, f).toBe(403);
        expect(r.body).not.toContain(SECRET);
      }
      const log = await get(port, `/runs/${RUN}/nodes/n3.log`);
      expect(log.status).toBe(200);
      expect(log.body).toContain('CREATE SUBSCRIPTION');
      expect(log.body).not.toContain(SECRET);
      const notes = await get(port, `/runs/${RUN}/notes.txt`);
      expect(notes.body).toContain('postgres://postgres:');
      expect(notes.body).not.toContain(SECRET);
    });
  });
});

describe('serve: FIFOs in the results directory', () => {
  let child: ChildProcess | null = null;
  afterAll(() => {
    child?.kill('SIGKILL');
  });

  it('stays responsive to requests and to SIGINT after many requests for FIFOs', async () => {
    ensureBuilt();
    child = spawn(process.execPath, [join(ROOT, 'bin/faultline.js'), 'serve', '--results', results], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => child!.once('exit', (code, signal) => r(code ?? (signal ? 128 : null))));
    const url = await new Promise<string>((ok, fail) => {
      child!.stdout!.on('data', () => {
        const m = /http:\/\/127\.0\.0\.1:(\d+)\//.exec(out);
        if (m) ok(m[0]);
      });
      void exited.then(() => fail(new Error(`serve exited: ${out}`)));
    });
    const port = Number(new URL(url).port);
    const paths = [`/runs/${RUN}/pipe.jsonl`, `/runs/${RUN}/nodes/fifo.log`, '/runs/fifo-a/20260105T000000Z/test.json', '/runs/fifo-b/20260105T000000Z/history.jsonl'];
    for (let round = 0; round < 3; round++) {
      const answers = await Promise.all(paths.map((p) => get(port, p)));
      for (const [i, r] of answers.entries()) expect(r.status, paths[i]).toBe(403);
      // the runs table reads every run's test.json and results.json; a report reads the run's files
      const list = await get(port, '/');
      expect(list.status).toBe(200);
      expect(list.body).toContain('set-kill-streaming-async');
      expect((await get(port, '/runs/fifo-a/20260105T000000Z/')).status).toBe(403);
      expect((await get(port, '/runs/fifo-b/20260105T000000Z/')).status).toBe(403);
    }
    expect((await get(port, `/runs/${RUN}/history.jsonl`)).status).toBe(200);
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    child = null;
  });
});
