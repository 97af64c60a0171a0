// Test helpers for the proxy suites: the API under test (embedded, or TOXIPROXY_URL when set),
// raw HTTP calls, and local echo / sink / source servers on 127.0.0.1 with ports chosen by the OS.
import { connect, createServer, type Server, type Socket } from 'node:net';
import { Toxiproxy } from 'toxiproxy-node-client';
import { startProxyServer } from '../../src/proxy/server.js';

export const EXTERNAL = process.env.TOXIPROXY_URL;

export interface Target {
  url: string;
  client: Toxiproxy;
  close(): Promise<void>;
}

/** The server under test: an external Toxiproxy when TOXIPROXY_URL is set, else a fresh embedded one. */
export async function openTarget(): Promise<Target> {
  if (EXTERNAL) {
    const url = EXTERNAL.replace(/\/+$/, '');
    return { url, client: new Toxiproxy(url), close: async () => {} };
  }
  const server = await startProxyServer();
  return { url: server.url, client: new Toxiproxy(server.url), close: () => server.close() };
}

let counter = 0;
/** A proxy name unique to this run (so an external server shared with others is not disturbed). */
export function uniqueName(tag = 'p'): string {
  return `fl_${tag}_${process.pid}_${Date.now().toString(36)}_${counter++}`;
}

export interface RawResponse {
  status: number;
  text: string;
  type: string | null;
  json(): unknown;
}

export async function raw(url: string, method: string, path: string, body?: string | object, headers: Record<string, string> = {}): Promise<RawResponse> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
  const res = await fetch(url + path, init);
  const text = await res.text();
  return { status: res.status, text, type: res.headers.get('content-type'), json: () => JSON.parse(text) as unknown };
}

export interface Local {
  server: Server;
  port: number;
  addr: string;
  sockets: Set<Socket>;
  close(): Promise<void>;
}

async function listen(handler: (s: Socket) => void): Promise<Local> {
  const sockets = new Set<Socket>();
  const server = createServer({ allowHalfOpen: false }, (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
    handler(s);
  });
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
  const port = (server.address() as { port: number }).port;
  return {
    server,
    port,
    addr: `127.0.0.1:${port}`,
    sockets,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Echoes every byte back. */
export const echoServer = (): Promise<Local> => listen((s) => s.pipe(s));

/** Reads and discards everything; counts bytes. */
export async function sinkServer(): Promise<Local & { received: () => number }> {
  let n = 0;
  const l = await listen((s) => s.on('data', (c: Buffer) => (n += c.length)));
  return { ...l, received: () => n };
}

/** Sends `bytes` bytes to each client on connect, then ends. */
export const sourceServer = (bytes: number): Promise<Local> => listen((s) => s.end(Buffer.alloc(bytes, 0x61)));

/** Connects to host:port (`addr`), resolving once connected. */
export function dial(addr: string): Promise<Socket> {
  const i = addr.lastIndexOf(':');
  return new Promise((resolve, reject) => {
    const s = connect({ host: addr.slice(0, i), port: Number(addr.slice(i + 1)), noDelay: true });
    s.once('connect', () => {
      s.off('error', reject);
      resolve(s);
    });
    s.once('error', reject);
  });
}

/** Writes `data` and resolves with the time until `data.length` bytes came back. */
export function roundTrip(s: Socket, data: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let got = 0;
    const onData = (c: Buffer): void => {
      got += c.length;
      if (got >= data.length) {
        s.off('data', onData);
        s.off('error', reject);
        resolve(performance.now() - t0);
      }
    };
    s.on('data', onData);
    s.once('error', reject);
    s.write(data);
  });
}

export interface Outcome {
  kind: 'end' | 'close' | 'error';
  code?: string;
  bytes: number;
  at: number;
}

/** Collects what a socket receives until it ends, closes or errors. */
export function watch(s: Socket): Promise<Outcome> {
  const t0 = performance.now();
  let bytes = 0;
  return new Promise((resolve) => {
    s.on('data', (c: Buffer) => (bytes += c.length));
    s.once('end', () => resolve({ kind: 'end', bytes, at: performance.now() - t0 }));
    s.once('error', (e: NodeJS.ErrnoException) => resolve({ kind: 'error', code: e.code, bytes, at: performance.now() - t0 }));
    s.once('close', () => resolve({ kind: 'close', bytes, at: performance.now() - t0 }));
  });
}

/** Resolves with 'timeout' if `p` has not settled within `ms`. */
export function within<T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> {
  return Promise.race([p, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), ms))]);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
