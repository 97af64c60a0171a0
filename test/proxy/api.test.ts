// API compatibility suite: one case per row of the Toxiproxy fact sheet (shared/notes/toxiproxy-api.md),
// driven through toxiproxy-node-client and raw HTTP. With TOXIPROXY_URL set it runs against that server.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ToxiproxyError } from 'toxiproxy-node-client';
import { dial, echoServer, EXTERNAL, openTarget, raw, uniqueName, watch, type Local, type Target } from './helpers.js';

let target: Target;
let echo: Local;
const created = new Set<string>();

beforeAll(async () => {
  target = await openTarget();
  echo = await echoServer();
});
afterEach(async () => {
  for (const name of created) await raw(target.url, 'DELETE', `/proxies/${name}`);
  created.clear();
});
afterAll(async () => {
  await target?.close();
  await echo?.close();
});

function name(tag = 'api'): string {
  const n = uniqueName(tag);
  created.add(n);
  return n;
}

async function makeProxy(extra: Record<string, unknown> = {}): Promise<{ name: string; listen: string }> {
  const n = name();
  const r = await raw(target.url, 'POST', '/proxies', { name: n, listen: '127.0.0.1:0', upstream: echo.addr, ...extra });
  expect(r.status).toBe(201);
  return { name: n, listen: (r.json() as { listen: string }).listen };
}

function expectError(r: { status: number; text: string; type: string | null }, status: number, message: string | RegExp): void {
  expect(r.status).toBe(status);
  expect(r.type).toMatch(/^text\/plain/);
  expect(r.text.endsWith('\n')).toBe(true);
  const body = JSON.parse(r.text) as { error: string; status: number };
  expect(body.status).toBe(status);
  if (typeof message === 'string') expect(body.error).toBe(message);
  else expect(body.error).toMatch(message);
  expect(Object.keys(body)).toEqual(['error', 'status']);
}

async function clientStatus(p: Promise<unknown>): Promise<number> {
  try {
    await p;
    return 0;
  } catch (e) {
    expect(e).toBeInstanceOf(ToxiproxyError);
    const m = /status code (\d+)/.exec((e as Error).message);
    return m ? Number(m[1]) : -1;
  }
}

describe('general', () => {
  it('unknown path and trailing slash: 404 "404 page not found"', async () => {
    for (const path of ['/nope', '/proxies/', '/version/', '/proxies/x/toxics/', '/']) {
      const r = await raw(target.url, 'GET', path);
      expect(r.status, path).toBe(404);
      expect(r.text.trim()).toBe('404 page not found');
    }
  });

  it('known path, wrong method: 405 with an empty body', async () => {
    const { name: n } = await makeProxy();
    for (const [m, path] of [
      ['DELETE', '/proxies'],
      ['GET', '/reset'],
      ['GET', '/populate'],
      ['POST', '/version'],
      ['PUT', `/proxies/${n}`],
      ['DELETE', `/proxies/${n}/toxics`],
    ] as const) {
      const r = await raw(target.url, m, path);
      expect(r.status, `${m} ${path}`).toBe(405);
      expect(r.text).toBe('');
    }
  });

  it('a browser User-Agent gets 403 "User agent not allowed"', async () => {
    const r = await raw(target.url, 'GET', '/proxies', undefined, { 'User-Agent': 'Mozilla/5.0 (X11; Linux x86_64)' });
    expect(r.status).toBe(403);
    expect(r.text.trim()).toBe('User agent not allowed');
    const ok = await raw(target.url, 'GET', '/proxies', undefined, { 'User-Agent': 'curl/8.0' });
    expect(ok.status).toBe(200);
  });

  it('malformed JSON: 400 "bad request body: …"', async () => {
    const r = await raw(target.url, 'POST', '/proxies', '{"name": "x", ');
    expectError(r, 400, /^bad request body: /);
    const { name: n } = await makeProxy();
    expectError(await raw(target.url, 'POST', `/proxies/${n}/toxics`, 'not json'), 400, /^bad request body: /);
    expectError(await raw(target.url, 'POST', `/proxies/${n}`, '[1,'), 400, /^bad request body: /);
  });

  it('unknown JSON fields are ignored', async () => {
    const n = name();
    const r = await raw(target.url, 'POST', '/proxies', { name: n, listen: '127.0.0.1:0', upstream: echo.addr, colour: 'red', extra: { a: 1 } });
    expect(r.status).toBe(201);
    const t = await raw(target.url, 'POST', `/proxies/${n}/toxics`, { type: 'latency', attributes: { latency: 5, bogus: 3 }, whatever: true });
    expect(t.status).toBe(200);
    expect((t.json() as { attributes: object }).attributes).toEqual({ latency: 5, jitter: 0 });
  });

  it('proxy JSON is {name, listen, upstream, enabled, Logger, toxics} in that order (Logger: {}, as Toxiproxy leaks it); toxic JSON lists every attribute', async () => {
    const { name: n } = await makeProxy();
    const text = (await raw(target.url, 'GET', `/proxies/${n}`)).text;
    const p = JSON.parse(text) as Record<string, unknown>;
    expect(Object.keys(p)).toEqual(['name', 'listen', 'upstream', 'enabled', 'Logger', 'toxics']);
    expect(p.Logger).toEqual({});
    expect(p.toxics).toEqual([]);
    const all = (await raw(target.url, 'GET', '/proxies')).json() as Record<string, Record<string, unknown>>;
    expect(Object.keys(all[n] ?? {})).toEqual(['name', 'listen', 'upstream', 'enabled', 'Logger', 'toxics']);
    const t = (await raw(target.url, 'POST', `/proxies/${n}/toxics`, { type: 'slicer' })).json() as Record<string, unknown>;
    expect(Object.keys(t).sort()).toEqual(['attributes', 'name', 'stream', 'toxicity', 'type']);
    expect(t.attributes).toEqual({ average_size: 0, size_variation: 0, delay: 0 });
  });
});

describe('GET /version', () => {
  it('200 {"version": "2.x.y…"} and a newline, as application/json;charset=utf-8; the client returns the raw text', async () => {
    const r = await raw(target.url, 'GET', '/version');
    expect(r.status).toBe(200);
    expect(r.type).toBe('application/json;charset=utf-8');
    expect(r.text).toMatch(/^\{"version": "2\.\d+\.\d+[^"]*"\}\n$/);
    expect(typeof (r.json() as { version: unknown }).version).toBe('string');
    const text = await target.client.getVersion();
    expect(JSON.parse(text)).toEqual(r.json());
  });
});

describe('GET /proxies', () => {
  it.skipIf(EXTERNAL)('is {} when empty', async () => {
    const r = await raw(target.url, 'GET', '/proxies');
    expect(r.status).toBe(200);
    expect(r.json()).toEqual({});
  });

  it('is an object keyed by proxy name (not an array)', async () => {
    const a = await makeProxy();
    const b = await makeProxy();
    const r = await raw(target.url, 'GET', '/proxies');
    const body = r.json() as Record<string, { name: string }>;
    expect(Array.isArray(body)).toBe(false);
    expect(body[a.name].name).toBe(a.name);
    expect(body[b.name].name).toBe(b.name);
    const all = await target.client.getAll();
    expect(all[a.name].listen).toBe(a.listen);
  });
});

describe('POST /proxies', () => {
  it('201 with the proxy; enabled defaults to true; listen rewritten to the bound address', async () => {
    const n = name();
    const p = await target.client.createProxy({ name: n, listen: 'localhost:0', upstream: echo.addr });
    expect(p.enabled).toBe(true);
    expect(p.listen).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(p.listen).not.toBe('127.0.0.1:0');
    const r = (await raw(target.url, 'GET', `/proxies/${n}`)).json() as Record<string, unknown>;
    expect(r).toEqual({ name: n, listen: p.listen, upstream: echo.addr, enabled: true, Logger: {}, toxics: [] });
    // and it proxies
    const s = await dial(p.listen);
    s.write('hi');
    const got = await new Promise<string>((res) => s.once('data', (c: Buffer) => res(c.toString())));
    expect(got).toBe('hi');
    s.destroy();
  });

  it('missing name or upstream: 400 "missing required field: …"', async () => {
    expectError(await raw(target.url, 'POST', '/proxies', { listen: '127.0.0.1:0', upstream: echo.addr }), 400, 'missing required field: name');
    const n = name();
    expectError(await raw(target.url, 'POST', '/proxies', { name: n, listen: '127.0.0.1:0' }), 400, 'missing required field: upstream');
    expect(await clientStatus(target.client.createProxy({ name: '', listen: '127.0.0.1:0', upstream: echo.addr }))).toBe(400);
  });

  it('duplicate name: 409 "proxy already exists"', async () => {
    const { name: n } = await makeProxy();
    expectError(await raw(target.url, 'POST', '/proxies', { name: n, listen: '127.0.0.1:0', upstream: echo.addr }), 409, 'proxy already exists');
    expect(await clientStatus(target.client.createProxy({ name: n, listen: '127.0.0.1:0', upstream: echo.addr }))).toBe(409);
  });

  it('listen address in use: 500 with the bind error, proxy not created', async () => {
    const n = name();
    const r = await raw(target.url, 'POST', '/proxies', { name: n, listen: echo.addr, upstream: echo.addr });
    expectError(r, 500, /address already in use/);
    expect((await raw(target.url, 'GET', `/proxies/${n}`)).status).toBe(404);
  });

  it('the upstream is not checked at creation, not even its syntax (a connection is accepted, then closed)', async () => {
    for (const upstream of ['127.0.0.1:1', 'x', '127.0.0.1:99999', 'no-port']) {
      const n = name();
      const r = await raw(target.url, 'POST', '/proxies', { name: n, listen: '127.0.0.1:0', upstream });
      expect(r.status, upstream).toBe(201);
      expect((r.json() as { upstream: string }).upstream).toBe(upstream);
      const s = await dial((r.json() as { listen: string }).listen);
      s.on('error', () => {});
      // accepted, then closed: the connection ends (a hang is ended by the test's own timeout)
      await watch(s);
    }
    const { name: m } = await makeProxy();
    const u = await raw(target.url, 'PATCH', `/proxies/${m}`, { upstream: 'x' });
    expect(u.status).toBe(200);
    expect((u.json() as { upstream: string }).upstream).toBe('x');
  });
});

describe('GET /proxies/{name}', () => {
  it('200 with the proxy; unknown: 404 "proxy not found", also for every route below it', async () => {
    const { name: n, listen } = await makeProxy();
    const p = await target.client.get(n);
    expect(p.listen).toBe(listen);
    expect(await clientStatus(target.client.get('fl_no_such_proxy'))).toBe(404);
    const u = '/proxies/fl_no_such_proxy';
    expectError(await raw(target.url, 'GET', u), 404, 'proxy not found');
    expectError(await raw(target.url, 'POST', u, { enabled: false }), 404, 'proxy not found');
    expectError(await raw(target.url, 'DELETE', u), 404, 'proxy not found');
    expectError(await raw(target.url, 'GET', `${u}/toxics`), 404, 'proxy not found');
    expectError(await raw(target.url, 'POST', `${u}/toxics`, { type: 'latency' }), 404, 'proxy not found');
    expectError(await raw(target.url, 'GET', `${u}/toxics/t`), 404, 'proxy not found');
    expectError(await raw(target.url, 'POST', `${u}/toxics/t`, { toxicity: 1 }), 404, 'proxy not found');
    expectError(await raw(target.url, 'DELETE', `${u}/toxics/t`), 404, 'proxy not found');
  });
});

describe('POST/PATCH /proxies/{name}', () => {
  it('changes upstream and enabled; omitted fields keep their value; no renaming', async () => {
    const { name: n, listen } = await makeProxy();
    const other = await echoServer();
    try {
      const r = await raw(target.url, 'PATCH', `/proxies/${n}`, { upstream: other.addr, name: 'renamed' });
      expect(r.status).toBe(200);
      expect(r.json()).toMatchObject({ name: n, listen, upstream: other.addr, enabled: true });
      expect((await raw(target.url, 'GET', '/proxies/renamed')).status).toBe(404);
      const p = await target.client.get(n);
      const q = await p.update({ enabled: false } as never);
      expect(q.enabled).toBe(false);
      expect(q.upstream).toBe(other.addr);
      expect(q.listen).toBe(listen);
    } finally {
      await other.close();
    }
  });

  it('changes listen (the proxy restarts on the new address)', async () => {
    const { name: n, listen } = await makeProxy();
    const r = await raw(target.url, 'POST', `/proxies/${n}`, { listen: '127.0.0.1:0' });
    expect(r.status).toBe(200);
    const now = (r.json() as { listen: string }).listen;
    expect(now).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(now).not.toBe(listen);
    const s = await dial(now);
    s.destroy();
  });

  it('enabled:false closes the listener and open connections (FIN); enabled:true listens again on the same address', async () => {
    const { name: n, listen } = await makeProxy();
    const s = await dial(listen);
    const outcome = watch(s);
    const r = await raw(target.url, 'POST', `/proxies/${n}`, { enabled: false });
    expect(r.status).toBe(200);
    expect((r.json() as { enabled: boolean }).enabled).toBe(false);
    const o = await outcome;
    expect(o.kind).toBe('end');
    await expect(dial(listen)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    const back = await raw(target.url, 'POST', `/proxies/${n}`, { enabled: true });
    expect(back.json()).toMatchObject({ enabled: true, listen });
    (await dial(listen)).destroy();
  });
});

describe('DELETE /proxies/{name}', () => {
  it('204; open connections are closed; then 404', async () => {
    const { name: n, listen } = await makeProxy();
    const s = await dial(listen);
    const outcome = watch(s);
    const r = await raw(target.url, 'DELETE', `/proxies/${n}`);
    expect(r.status).toBe(204);
    expect(r.text).toBe('');
    await outcome; // the open connection is closed (a hang is ended by the test's own timeout)
    expectError(await raw(target.url, 'DELETE', `/proxies/${n}`), 404, 'proxy not found');
    const { name: m } = await makeProxy();
    await (await target.client.get(m)).remove();
    expect(await clientStatus(target.client.get(m))).toBe(404);
  });
});

describe('toxics', () => {
  it('GET /proxies/{name}/toxics: an array, upstream first, then downstream, in insertion order', async () => {
    const { name: n } = await makeProxy();
    const add = (b: object): Promise<unknown> => raw(target.url, 'POST', `/proxies/${n}/toxics`, b);
    await add({ name: 'd1', type: 'latency', stream: 'downstream' });
    await add({ name: 'u1', type: 'latency', stream: 'upstream' });
    await add({ name: 'd2', type: 'noop' });
    await add({ name: 'u2', type: 'noop', stream: 'upstream' });
    const r = await raw(target.url, 'GET', `/proxies/${n}/toxics`);
    expect(r.status).toBe(200);
    expect((r.json() as { name: string }[]).map((t) => t.name)).toEqual(['u1', 'u2', 'd1', 'd2']);
    const viaClient = await target.client.getApi().get(`${target.url}/proxies/${n}/toxics`);
    expect(viaClient.data).toEqual(r.json());
    const p = (await raw(target.url, 'GET', `/proxies/${n}`)).json() as { toxics: { name: string }[] };
    expect(p.toxics.map((t) => t.name)).toEqual(['u1', 'u2', 'd1', 'd2']);
  });

  it('POST /proxies/{name}/toxics: 200 (not 201); defaults: stream downstream, name <type>_<stream>, toxicity 1, attributes 0', async () => {
    const { name: n } = await makeProxy();
    const r = await raw(target.url, 'POST', `/proxies/${n}/toxics`, { type: 'latency' });
    expect(r.status).toBe(200);
    expect(r.json()).toEqual({ attributes: { latency: 0, jitter: 0 }, name: 'latency_downstream', type: 'latency', stream: 'downstream', toxicity: 1 });
    const up = await raw(target.url, 'POST', `/proxies/${n}/toxics`, { type: 'bandwidth', stream: 'upstream', attributes: { rate: 7 } });
    expect(up.json()).toEqual({ attributes: { rate: 7 }, name: 'bandwidth_upstream', type: 'bandwidth', stream: 'upstream', toxicity: 1 });
    // toxicity defaults to 1 only when omitted: an explicit 0 stays 0
    const zero = await raw(target.url, 'POST', `/proxies/${n}/toxics`, { type: 'timeout', toxicity: 0 });
    expect((zero.json() as { toxicity: number }).toxicity).toBe(0);
    const p = await target.client.get(n);
    const t = await p.addToxic({ name: 'lat', type: 'latency', stream: 'upstream', toxicity: 0.5, attributes: { latency: 100, jitter: 10 } });
    expect(t.toJson()).toEqual({ attributes: { latency: 100, jitter: 10 }, name: 'lat', stream: 'upstream', toxicity: 0.5, type: 'latency' });
  });

  it('every toxic type is accepted with its attributes', async () => {
    const { name: n } = await makeProxy();
    const expected: Record<string, object> = {
      latency: { latency: 0, jitter: 0 },
      bandwidth: { rate: 0 },
      slow_close: { delay: 0 },
      timeout: { timeout: 0 },
      reset_peer: { timeout: 0 },
      slicer: { average_size: 0, size_variation: 0, delay: 0 },
      limit_data: { bytes: 0 },
    };
    for (const [type, attrs] of Object.entries(expected)) {
      const r = await raw(target.url, 'POST', `/proxies/${n}/toxics`, { type, toxicity: 0 });
      expect(r.status, type).toBe(200);
      expect((r.json() as { attributes: object }).attributes, type).toEqual(attrs);
    }
    const noop = await raw(target.url, 'POST', `/proxies/${n}/toxics`, { type: 'noop', toxicity: 0 });
    expect(noop.status).toBe(200);
  });

  it('bad stream: 400; missing/unknown type: 400; duplicate name: 409', async () => {
    const { name: n } = await makeProxy();
    const path = `/proxies/${n}/toxics`;
    expectError(await raw(target.url, 'POST', path, { type: 'latency', stream: 'sideways' }), 400, 'stream was invalid, can be either upstream or downstream');
    expectError(await raw(target.url, 'POST', path, { type: 'latency', stream: '' }), 400, 'stream was invalid, can be either upstream or downstream');
    expectError(await raw(target.url, 'POST', path, { stream: 'upstream' }), 400, 'invalid toxic type');
    expectError(await raw(target.url, 'POST', path, { type: 'explode' }), 400, 'invalid toxic type');
    await raw(target.url, 'POST', path, { type: 'latency' });
    expectError(await raw(target.url, 'POST', path, { type: 'latency' }), 409, 'toxic already exists');
    expectError(await raw(target.url, 'POST', path, { type: 'noop', name: 'latency_downstream' }), 409, 'toxic already exists');
    const p = await target.client.get(n);
    expect(await clientStatus(p.addToxic({ name: 'latency_downstream', type: 'latency', stream: 'downstream', toxicity: 1, attributes: {} }))).toBe(409);
  });

  it('stream is matched without regard to case and shown as given; the default name uses it as given', async () => {
    const { name: n } = await makeProxy();
    const r = await raw(target.url, 'POST', `/proxies/${n}/toxics`, { type: 'latency', stream: 'UpStream' });
    expect(r.status).toBe(200);
    expect(r.json()).toEqual({ attributes: { latency: 0, jitter: 0 }, name: 'latency_UpStream', type: 'latency', stream: 'UpStream', toxicity: 1 });
    await raw(target.url, 'POST', `/proxies/${n}/toxics`, { type: 'noop', stream: 'DOWNSTREAM' });
    await raw(target.url, 'POST', `/proxies/${n}/toxics`, { name: 'u2', type: 'noop', stream: 'upstream' });
    const list = (await raw(target.url, 'GET', `/proxies/${n}/toxics`)).json() as { name: string; stream: string }[];
    // upstream ones first: UpStream counts as upstream
    expect(list.map((t) => [t.name, t.stream])).toEqual([
      ['latency_UpStream', 'UpStream'],
      ['u2', 'upstream'],
      ['noop_DOWNSTREAM', 'DOWNSTREAM'],
    ]);
  });

  it('GET /proxies/{name}/toxics/{t}: 200; unknown: 404 "toxic not found"', async () => {
    const { name: n } = await makeProxy();
    await raw(target.url, 'POST', `/proxies/${n}/toxics`, { type: 'latency', attributes: { latency: 3 } });
    const r = await raw(target.url, 'GET', `/proxies/${n}/toxics/latency_downstream`);
    expect(r.status).toBe(200);
    expect(r.json()).toMatchObject({ name: 'latency_downstream', attributes: { latency: 3, jitter: 0 } });
    const t = await (await target.client.get(n)).getToxic('latency_downstream');
    expect(t.attributes).toEqual({ latency: 3, jitter: 0 });
    expectError(await raw(target.url, 'GET', `/proxies/${n}/toxics/nope`), 404, 'toxic not found');
    expectError(await raw(target.url, 'POST', `/proxies/${n}/toxics/nope`, { toxicity: 1 }), 404, 'toxic not found');
  });

  it('POST/PATCH /proxies/{name}/toxics/{t}: only attributes (merged) and toxicity change', async () => {
    const { name: n } = await makeProxy();
    await raw(target.url, 'POST', `/proxies/${n}/toxics`, { name: 't', type: 'latency', attributes: { latency: 100, jitter: 5 } });
    const r = await raw(target.url, 'PATCH', `/proxies/${n}/toxics/t`, { attributes: { latency: 200 }, type: 'noop', stream: 'upstream', name: 'x' });
    expect(r.status).toBe(200);
    expect(r.json()).toEqual({ attributes: { latency: 200, jitter: 5 }, name: 't', type: 'latency', stream: 'downstream', toxicity: 1 });
    const t = await (await target.client.get(n)).getToxic<{ latency: number; jitter: number }>('t');
    const u = await t.update({ toxicity: 0.25, attributes: { jitter: 1 } } as never);
    expect(u.toJson()).toEqual({ attributes: { latency: 200, jitter: 1 }, name: 't', stream: 'downstream', toxicity: 0.25, type: 'latency' });
    // toxicity omitted: kept
    const v = await raw(target.url, 'POST', `/proxies/${n}/toxics/t`, { attributes: {} });
    expect((v.json() as { toxicity: number }).toxicity).toBe(0.25);
  });

  it('DELETE /proxies/{name}/toxics/{t}: 204; a second delete: 404', async () => {
    const { name: n } = await makeProxy();
    await raw(target.url, 'POST', `/proxies/${n}/toxics`, { type: 'noop' });
    const r = await raw(target.url, 'DELETE', `/proxies/${n}/toxics/noop_downstream`);
    expect(r.status).toBe(204);
    expect(r.text).toBe('');
    expectError(await raw(target.url, 'DELETE', `/proxies/${n}/toxics/noop_downstream`), 404, 'toxic not found');
    await raw(target.url, 'POST', `/proxies/${n}/toxics`, { type: 'noop' });
    const t = await (await target.client.get(n)).getToxic('noop_downstream');
    await t.remove();
    expect(await clientStatus(t.remove())).toBe(404);
  });
});

describe('POST /reset', () => {
  it('204: re-enables every proxy and removes all toxics; proxies stay', async () => {
    const a = await makeProxy();
    const b = await makeProxy({ enabled: false });
    await raw(target.url, 'POST', `/proxies/${a.name}/toxics`, { type: 'latency' });
    await raw(target.url, 'POST', `/proxies/${a.name}/toxics`, { type: 'timeout', stream: 'upstream' });
    const r = await raw(target.url, 'POST', '/reset');
    expect(r.status).toBe(204);
    const pa = (await raw(target.url, 'GET', `/proxies/${a.name}`)).json() as { toxics: unknown[]; enabled: boolean };
    expect(pa.toxics).toEqual([]);
    expect(pa.enabled).toBe(true);
    const pb = (await raw(target.url, 'GET', `/proxies/${b.name}`)).json() as { enabled: boolean };
    expect(pb.enabled).toBe(true);
    await target.client.reset();
  });
});

describe('POST /populate', () => {
  it('201 {"proxies": [...]}; the client returns them by name', async () => {
    const n1 = name();
    const n2 = name();
    const r = await raw(target.url, 'POST', '/populate', [
      { name: n1, listen: '127.0.0.1:0', upstream: echo.addr },
      { name: n2, listen: '127.0.0.1:0', upstream: echo.addr, enabled: false },
    ]);
    expect(r.status).toBe(201);
    const body = r.json() as { proxies: { name: string; enabled: boolean; toxics: unknown[] }[] };
    expect(body.proxies.map((p) => p.name)).toEqual([n1, n2]);
    expect(body.proxies[1].enabled).toBe(false);
    expect(body.proxies[0].toxics).toEqual([]);
    const n3 = name();
    const viaClient = await target.client.populate([{ name: n3, listen: '127.0.0.1:0', upstream: echo.addr }]);
    expect(viaClient[n3].upstream).toBe(echo.addr);
  });

  it('all are validated first: 400 "missing required field: name at proxy 2", nothing created', async () => {
    const n1 = name();
    const r = await raw(target.url, 'POST', '/populate', [{ name: n1, listen: '127.0.0.1:0', upstream: echo.addr }, { listen: '127.0.0.1:0', upstream: echo.addr }]);
    expect(r.status).toBe(400);
    const body = r.json() as { error: string; status: number; proxies: unknown };
    expect(body.error).toBe('missing required field: name at proxy 2');
    expect(body.status).toBe(400);
    expect('proxies' in body).toBe(true);
    expect((await raw(target.url, 'GET', `/proxies/${n1}`)).status).toBe(404);
  });

  it('an existing proxy with the same listen+upstream is kept as is (toxics too); a different one is replaced', async () => {
    const same = await makeProxy();
    const diff = await makeProxy();
    await raw(target.url, 'POST', `/proxies/${same.name}/toxics`, { type: 'latency' });
    await raw(target.url, 'POST', `/proxies/${diff.name}/toxics`, { type: 'latency' });
    const other = await echoServer();
    try {
      const r = await raw(target.url, 'POST', '/populate', [
        { name: same.name, listen: same.listen, upstream: echo.addr },
        { name: diff.name, listen: '127.0.0.1:0', upstream: other.addr },
      ]);
      expect(r.status).toBe(201);
      const ps = (await raw(target.url, 'GET', `/proxies/${same.name}`)).json() as { toxics: unknown[]; listen: string };
      expect(ps.toxics).toHaveLength(1);
      expect(ps.listen).toBe(same.listen);
      const pd = (await raw(target.url, 'GET', `/proxies/${diff.name}`)).json() as { toxics: unknown[]; upstream: string };
      expect(pd.toxics).toHaveLength(0);
      expect(pd.upstream).toBe(other.addr);
    } finally {
      await other.close();
    }
  });
});
