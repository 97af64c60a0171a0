// Careless and hostile input to the embedded server: clear 400/413 answers, no crash, many proxies.
// Embedded-only checks (real Toxiproxy accepts some of these), skipped when TOXIPROXY_URL is set.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { echoServer, EXTERNAL, openTarget, raw, type Local, type Target } from './helpers.js';

let target: Target;
let echo: Local;

beforeAll(async () => {
  target = await openTarget();
  echo = await echoServer();
});
afterAll(async () => {
  await target?.close();
  await echo?.close();
});

async function alive(): Promise<void> {
  expect((await raw(target.url, 'GET', '/version')).status).toBe(200);
}

function err(r: { text: string }): string {
  return (JSON.parse(r.text) as { error: string }).error;
}

describe.skipIf(EXTERNAL)('careless input', () => {
  it('a body over 1 MiB gets 413', async () => {
    const big = JSON.stringify({ name: 'big', upstream: echo.addr, pad: 'x'.repeat(2 * 1024 * 1024) });
    const r = await raw(target.url, 'POST', '/proxies', big);
    expect(r.status).toBe(413);
    expect(err(r)).toMatch(/too large/);
    await alive();
  });

  it('bad attributes and toxicity get 400 naming the field', async () => {
    const name = 'attrs';
    expect((await raw(target.url, 'POST', '/proxies', { name, listen: '127.0.0.1:0', upstream: echo.addr })).status).toBe(201);
    const cases: [object, RegExp][] = [
      [{ type: 'latency', attributes: { latency: -1 } }, /latency/],
      [{ type: 'latency', attributes: { latency: 'slow' } }, /latency/],
      [{ type: 'latency', attributes: { jitter: 1.5 } }, /jitter/],
      [{ type: 'latency', attributes: { latency: 1e15 } }, /latency/],
      [{ type: 'bandwidth', attributes: { rate: -5 } }, /rate/],
      [{ type: 'limit_data', attributes: { bytes: 1e300 } }, /bytes/],
      [{ type: 'latency', toxicity: 2 }, /toxicity/],
      [{ type: 'latency', toxicity: -0.1 }, /toxicity/],
      [{ type: 'latency', toxicity: 'half' }, /toxicity/],
      [{ type: 'latency', attributes: [1, 2] }, /attributes/],
      [{ type: 'latency', name: 'a/b' }, /name/],
      [{ type: 'latency', name: 42 }, /name/],
    ];
    for (const [body, msg] of cases) {
      const r = await raw(target.url, 'POST', `/proxies/${name}/toxics`, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(err(r)).toMatch(msg);
    }
    await raw(target.url, 'POST', `/proxies/${name}/toxics`, { type: 'latency', name: 'ok' });
    const u = await raw(target.url, 'POST', `/proxies/${name}/toxics/ok`, { attributes: { latency: -3 } });
    expect(u.status).toBe(400);
    expect((await raw(target.url, 'GET', `/proxies/${name}/toxics/ok`)).json()).toMatchObject({ attributes: { latency: 0 } });
    await raw(target.url, 'DELETE', `/proxies/${name}`);
  });

  it('bad proxy bodies get 400', async () => {
    const cases: [unknown, RegExp][] = [
      [[1, 2], /JSON object/],
      ['"just a string"', /JSON object/],
      [{ name: 'x', upstream: echo.addr, listen: 'garbage' }, /listen/],
      [{ name: 'x', upstream: echo.addr, enabled: 'yes' }, /enabled/],
      [{ name: 'a/b', upstream: echo.addr }, /name/],
      [{ name: 'x'.repeat(5000), upstream: echo.addr }, /name/],
      [{ name: ['x'], upstream: echo.addr }, /name/],
    ];
    for (const [body, msg] of cases) {
      const r = await raw(target.url, 'POST', '/proxies', typeof body === 'string' ? body : (body as object));
      expect(r.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(err(r)).toMatch(msg);
    }
    const pop = await raw(target.url, 'POST', '/populate', { not: 'an array' });
    expect(pop.status).toBe(400);
    expect(Object.keys((await raw(target.url, 'GET', '/proxies')).json() as object)).toEqual([]);
  });

  it('concurrent creates of one name: exactly one 201, the rest 409', async () => {
    const rs = await Promise.all(Array.from({ length: 20 }, () => raw(target.url, 'POST', '/proxies', { name: 'race', listen: '127.0.0.1:0', upstream: echo.addr })));
    expect(rs.filter((r) => r.status === 201)).toHaveLength(1);
    expect(rs.filter((r) => r.status === 409)).toHaveLength(19);
    await raw(target.url, 'DELETE', '/proxies/race');
  });

  it('garbage on the API socket does not hurt the server', async () => {
    await new Promise<void>((resolve) => {
      const s = connect({ host: '127.0.0.1', port: Number(new URL(target.url).port) }, () => s.end(Buffer.from('\x00\x01GARBAGE\r\n\r\n\xff\xfe')));
      s.on('error', () => resolve());
      s.on('close', () => resolve());
      s.resume();
    });
    await alive();
  });

  it('a thousand proxies are fine', async () => {
    const N = 1000;
    for (let i = 0; i < N; i += 50) {
      const batch = Array.from({ length: 50 }, (_, j) => ({ name: `many_${i + j}`, listen: '127.0.0.1:0', upstream: echo.addr }));
      const r = await raw(target.url, 'POST', '/populate', batch);
      expect(r.status).toBe(201);
    }
    const all = (await raw(target.url, 'GET', '/proxies')).json() as Record<string, { listen: string }>;
    expect(Object.keys(all).filter((k) => k.startsWith('many_'))).toHaveLength(N);
    expect(new Set(Object.values(all).map((p) => p.listen)).size).toBe(Object.keys(all).length);
    for (let i = 0; i < N; i++) await raw(target.url, 'DELETE', `/proxies/many_${i}`);
    await alive();
  });
});
