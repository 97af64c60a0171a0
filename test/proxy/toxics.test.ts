// Behaviour of the toxics with real sockets (local echo / source servers), compared with the fact sheet. Lower
// bounds are durations (a loaded machine only adds time); "not more than that" is a race against a reference
// proxy with a larger toxic started at the same time, never a wall-clock limit (the accuracy of latency and
// bandwidth is measured in bench/proxy.bench.ts). Runs against TOXIPROXY_URL too.
import { randomBytes, createHash } from 'node:crypto';
import type { Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { dial, echoServer, EXTERNAL, openTarget, raw, roundTrip, sleep, sourceServer, uniqueName, watch, within, type Local, type Target } from './helpers.js';

let target: Target;
let echo: Local;
const cleanup: (() => Promise<unknown> | void)[] = [];

beforeAll(async () => {
  target = await openTarget();
  echo = await echoServer();
});
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()?.();
});
afterAll(async () => {
  await target?.close();
  await echo?.close();
});

async function proxyTo(upstream: string): Promise<{ name: string; listen: string; path: string }> {
  const name = uniqueName('tx');
  const r = await raw(target.url, 'POST', '/proxies', { name, listen: '127.0.0.1:0', upstream });
  expect(r.status).toBe(201);
  cleanup.push(() => raw(target.url, 'DELETE', `/proxies/${name}`));
  return { name, listen: (r.json() as { listen: string }).listen, path: `/proxies/${name}` };
}

async function addToxic(path: string, body: object): Promise<void> {
  const r = await raw(target.url, 'POST', `${path}/toxics`, body);
  expect(r.status, r.text).toBe(200);
}

async function open(addr: string): Promise<Socket> {
  const s = await dial(addr);
  s.on('error', () => {});
  cleanup.push(() => {
    s.destroy();
  });
  return s;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Which of two promises settles first. */
function firstOf(a: Promise<unknown>, b: Promise<unknown>): Promise<'first' | 'second'> {
  return Promise.race([a.then(() => 'first' as const), b.then(() => 'second' as const)]);
}

/** An open connection to the echo server through a proxy with a latency toxic (both streams unless given). */
async function reference(latency: number, stream?: 'upstream' | 'downstream'): Promise<Socket> {
  const p = await proxyTo(echo.addr);
  await addToxic(p.path, { type: 'latency', ...(stream ? { stream } : {}), attributes: { latency } });
  return open(p.listen);
}

/** A round trip on `s` ends before one started at the same time through a proxy with `latency` ms. */
async function before(s: Socket, latency: number, stream?: 'upstream' | 'downstream'): Promise<void> {
  const ref = await reference(latency, stream);
  expect(await firstOf(roundTrip(s, Buffer.from('q')), roundTrip(ref, Buffer.from('r')))).toBe('first');
}

describe('no toxics', () => {
  it('passes data unchanged both ways (1 MiB echoed)', async () => {
    const p = await proxyTo(echo.addr);
    const s = await open(p.listen);
    const data = randomBytes(1024 * 1024);
    const got: Buffer[] = [];
    let n = 0;
    const done = new Promise<void>((res) =>
      s.on('data', (c: Buffer) => {
        got.push(c);
        n += c.length;
        if (n >= data.length) res();
      }),
    );
    s.write(data);
    await done;
    const h = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
    expect(h(Buffer.concat(got))).toBe(h(data));
  });
});

describe('latency', () => {
  it('delays each round trip by the latency, within +10 %', async () => {
    const p = await proxyTo(echo.addr);
    await addToxic(p.path, { type: 'latency', attributes: { latency: 300 } });
    const s = await open(p.listen);
    const rtts: number[] = [];
    for (let i = 0; i < 5; i++) rtts.push(await roundTrip(s, Buffer.from('ping')));
    expect(median(rtts)).toBeGreaterThanOrEqual(299);
    // not more than asked: a round trip here beats one through twice the latency
    await before(s, 600);
  });

  it('applies to the upstream stream too, and jitter stays within ± jitter', async () => {
    const p = await proxyTo(echo.addr);
    await addToxic(p.path, { type: 'latency', stream: 'upstream', attributes: { latency: 200, jitter: 50 } });
    const s = await open(p.listen);
    for (let i = 0; i < 5; i++) {
      const rtt = await roundTrip(s, Buffer.from('x'));
      expect(rtt).toBeGreaterThanOrEqual(149);
    }
    // never more than latency + jitter (250): it beats a 500 ms upstream latency started at the same time
    for (let i = 0; i < 3; i++) await before(s, 500, 'upstream');
  });

  it('delays each chunk from its arrival: delays do not pile up', async () => {
    const p = await proxyTo(echo.addr);
    await addToxic(p.path, { type: 'latency', attributes: { latency: 200 } });
    const s = await open(p.listen);
    // a marker sent with the first chunk through 1.2 s of latency: sent over ~200 ms, each delayed 200 ms, all
    // ten chunks are there by ~400 ms, long before it; piled up, the last would need 2 s
    const ref = await reference(1200);
    let got = 0;
    const all = new Promise<void>((r) =>
      s.on('data', (c: Buffer) => {
        got += c.length;
        if (got >= 10) r();
      }),
    );
    const t0 = performance.now();
    const marker = roundTrip(ref, Buffer.from('m'));
    for (let i = 0; i < 10; i++) {
      s.write(Buffer.from([i]));
      await sleep(20);
    }
    expect(await firstOf(all, marker)).toBe('first');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(200);
  });
});

describe('bandwidth', () => {
  it('200 kB at rate 100 KB/s takes 2.0 s (±15 %)', async () => {
    const src = await sourceServer(200_000);
    cleanup.push(() => src.close());
    const p = await proxyTo(src.addr);
    await addToxic(p.path, { type: 'bandwidth', attributes: { rate: 100 } });
    // the reference: the same 200 kB at 60 KB/s (3.3 s), started at the same time, must finish later
    const q = await proxyTo(src.addr);
    await addToxic(q.path, { type: 'bandwidth', attributes: { rate: 60 } });
    const t0 = performance.now();
    const [s, r] = await Promise.all([open(p.listen), open(q.listen)]);
    const transfer = watch(s);
    const slower = watch(r);
    expect(await firstOf(transfer, slower)).toBe('first');
    const o = await transfer;
    const secs = (performance.now() - t0) / 1000;
    expect(o.bytes).toBe(200_000);
    expect(secs).toBeGreaterThanOrEqual(1.7);
    expect((await slower).bytes).toBe(200_000);
  });
});

describe('slow_close', () => {
  it('delivers the close (FIN) delay ms late', async () => {
    const src = await sourceServer(10);
    cleanup.push(() => src.close());
    const p = await proxyTo(src.addr);
    await addToxic(p.path, { type: 'slow_close', attributes: { delay: 500 } });
    const s = await open(p.listen);
    const o = await watch(s);
    expect(o.kind).toBe('end');
    expect(o.bytes).toBe(10);
    expect(o.at).toBeGreaterThanOrEqual(480);
  });
});

describe('timeout', () => {
  it('drops data, then closes after the timeout with no data', async () => {
    const p = await proxyTo(echo.addr);
    await addToxic(p.path, { type: 'timeout', stream: 'upstream', attributes: { timeout: 500 } });
    const s = await open(p.listen);
    const outcome = watch(s);
    s.write('hello');
    const r = await outcome;
    expect(r.bytes).toBe(0);
    expect(r.at).toBeGreaterThanOrEqual(450);
  });

  it('timeout 0 holds forever; removing the toxic closes the held connection', async () => {
    const p = await proxyTo(echo.addr);
    await addToxic(p.path, { type: 'timeout', attributes: { timeout: 0 } });
    const s = await open(p.listen);
    const outcome = watch(s);
    s.write('hello');
    expect(await within(outcome, 1500)).toBe('timeout');
    const r = await raw(target.url, 'DELETE', `${p.path}/toxics/timeout_downstream`);
    expect(r.status).toBe(204);
    const o = await outcome;
    expect(o.bytes).toBe(0);
  });
});

describe('reset_peer', () => {
  it('the client sees ECONNRESET', async () => {
    const p = await proxyTo(echo.addr);
    await addToxic(p.path, { type: 'reset_peer', attributes: { timeout: 100 } });
    const s = await open(p.listen);
    const outcome = watch(s);
    s.write('hello');
    const o = await outcome;
    expect(o).toMatchObject({ kind: 'error', code: 'ECONNRESET', bytes: 0 });
  });

  it('added to an open connection: RST here; a real Toxiproxy closes with FIN (it sets SO_LINGER 0 only on connections opened while the toxic exists)', async () => {
    const p = await proxyTo(echo.addr);
    const s = await open(p.listen);
    await roundTrip(s, Buffer.from('a'));
    await addToxic(p.path, { type: 'reset_peer', attributes: { timeout: 0 } });
    const outcome = watch(s);
    s.write('b');
    const o = await outcome;
    expect(o).toMatchObject(EXTERNAL ? { kind: 'end', bytes: 0 } : { kind: 'error', code: 'ECONNRESET', bytes: 0 });
  });
});

describe('limit_data', () => {
  it('passes exactly N bytes, then closes', async () => {
    const src = await sourceServer(100_000);
    cleanup.push(() => src.close());
    const p = await proxyTo(src.addr);
    await addToxic(p.path, { type: 'limit_data', attributes: { bytes: 12_345 } });
    const s = await open(p.listen);
    const o = await watch(s);
    expect((o as { bytes: number }).bytes).toBe(12_345);
  });
});

describe('slicer', () => {
  it('splits data into small delayed pieces, intact', async () => {
    const src = await sourceServer(2000);
    cleanup.push(() => src.close());
    const p = await proxyTo(src.addr);
    await addToxic(p.path, { type: 'slicer', attributes: { average_size: 100, size_variation: 20, delay: 5000 } });
    const s = await open(p.listen);
    let events = 0;
    s.on('data', () => events++);
    const o = await watch(s);
    expect(o.bytes).toBe(2000);
    expect(events).toBeGreaterThan(5);
    expect(o.at).toBeGreaterThanOrEqual(15 * 5 - 5); // ≥ 15 pieces, 5 ms apart
  });
});

describe('enabled:false', () => {
  it('drops open connections (also those held by a toxic) and refuses new ones', async () => {
    const p = await proxyTo(echo.addr);
    const a = await open(p.listen);
    await roundTrip(a, Buffer.from('x'));
    await addToxic(p.path, { type: 'timeout', attributes: { timeout: 0 } });
    const b = await open(p.listen);
    const oa = watch(a);
    const ob = watch(b);
    expect((await raw(target.url, 'POST', p.path, { enabled: false })).status).toBe(200);
    // both end (a hang fails the test by its own timeout)
    await oa;
    await ob;
    await expect(dial(p.listen)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});

describe('live changes', () => {
  it('toxics added to an already open connection apply, and stop applying when removed', async () => {
    const p = await proxyTo(echo.addr);
    const s = await open(p.listen);
    await before(s, 250);
    await addToxic(p.path, { type: 'latency', attributes: { latency: 250 } });
    const during = await roundTrip(s, Buffer.from('b'));
    expect(during).toBeGreaterThanOrEqual(249);
    const upd = await raw(target.url, 'POST', `${p.path}/toxics/latency_downstream`, { attributes: { latency: 400 } });
    expect(upd.status).toBe(200);
    const updated = await roundTrip(s, Buffer.from('c'));
    expect(updated).toBeGreaterThanOrEqual(399);
    await raw(target.url, 'DELETE', `${p.path}/toxics/latency_downstream`);
    // removed: a round trip beats one through 250 ms of latency again
    await before(s, 250);
  });

  it('POST /reset removes toxics from open connections', async () => {
    const p = await proxyTo(echo.addr);
    const s = await open(p.listen);
    await addToxic(p.path, { type: 'latency', attributes: { latency: 300 } });
    expect(await roundTrip(s, Buffer.from('a'))).toBeGreaterThanOrEqual(299);
    expect((await raw(target.url, 'POST', '/reset')).status).toBe(204);
    await before(s, 300);
  });
});

describe('toxicity', () => {
  it('is decided per connection: 0 never applies, 0.5 applies to some connections and not others', async () => {
    const p = await proxyTo(echo.addr);
    await addToxic(p.path, { name: 'never', type: 'latency', toxicity: 0, attributes: { latency: 1000 } });
    const s = await open(p.listen);
    await before(s, 1000);
    await raw(target.url, 'DELETE', `${p.path}/toxics/never`);
    // 600 ms: a connection without the toxic is far below it even on a loaded machine
    await addToxic(p.path, { name: 'half', type: 'latency', toxicity: 0.5, attributes: { latency: 600 } });
    const rtts = await Promise.all(
      Array.from({ length: 24 }, async () => {
        const c = await open(p.listen);
        const first = await roundTrip(c, Buffer.from('x'));
        const second = await roundTrip(c, Buffer.from('y'));
        return [first >= 599, second >= 599] as const;
      }),
    );
    const slow = rtts.filter(([a]) => a).length;
    expect(slow).toBeGreaterThan(0);
    expect(slow).toBeLessThan(24);
    // the decision holds for the connection's life
    for (const [a, b] of rtts) expect(a).toBe(b);
  });
});
