// When a toxic's toxicity is drawn for an open connection, as in Toxiproxy (ToxicStub.Run draws
// `rand < toxicity` each time a toxic (re)starts on a connection): when the connection opens, when the toxic is
// updated (attributes only too), and for the toxic just before one that is added to or removed from the same
// direction. Embedded-only: the draws come from a scripted random source.
import type { Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startProxyServer, type ProxyServer } from '../../src/proxy/server.js';
import { dial, echoServer, raw, uniqueName, type Local } from './helpers.js';

let echo: Local;
let server: ProxyServer;
const script: number[] = [];
let draws = 0;
const sockets: Socket[] = [];

beforeAll(async () => {
  echo = await echoServer();
  server = await startProxyServer({
    random: () => {
      draws++;
      const v = script.shift();
      if (v === undefined) throw new Error('an unexpected toxicity draw');
      return v;
    },
  });
});
afterEach(() => {
  for (const s of sockets.splice(0)) s.destroy();
  script.length = 0;
  draws = 0;
});
afterAll(async () => {
  await server?.close();
  await echo?.close();
});

async function proxy(): Promise<{ path: string; listen: string }> {
  const name = uniqueName('tox');
  const r = await raw(server.url, 'POST', '/proxies', { name, listen: '127.0.0.1:0', upstream: echo.addr });
  expect(r.status).toBe(201);
  return { path: `/proxies/${name}`, listen: (r.json() as { listen: string }).listen };
}

async function toxic(path: string, body: object): Promise<void> {
  const r = await raw(server.url, 'POST', `${path}/toxics`, body);
  expect(r.status, r.text).toBe(200);
}

async function open(listen: string): Promise<Socket> {
  const s = await dial(listen);
  s.on('error', () => {});
  sockets.push(s);
  return s;
}

/** Writes a byte: 'echoed' when it comes back, 'closed' when the connection ends first (limit_data applied). */
function probe(s: Socket): Promise<'echoed' | 'closed'> {
  return new Promise((resolve) => {
    const onData = (): void => {
      s.off('close', onClose);
      s.off('data', onData);
      resolve('echoed');
    };
    const onClose = (): void => {
      s.off('data', onData);
      resolve('closed');
    };
    s.on('data', onData);
    s.once('close', onClose);
    s.write('x');
  });
}

/** limit_data 0 at toxicity 0.5 (downstream): when it applies, the first echoed byte closes the connection. */
const GATE = { name: 'gate', type: 'limit_data', stream: 'downstream', toxicity: 0.5, attributes: { bytes: 0 } };

/** Waits until the server has made `n` draws (the API answers before every open connection has drawn). */
async function drawn(n: number): Promise<void> {
  for (let i = 0; i < 1000 && draws < n; i++) await new Promise((r) => setTimeout(r, 5));
  expect(draws).toBe(n);
}

describe('toxicity draws on an open connection', () => {
  it('adding a toxic redraws the toxic before it in the same direction', async () => {
    const p = await proxy();
    await toxic(p.path, GATE);
    script.push(0.9); // the gate, when the connection opens: does not apply
    const s = await open(p.listen);
    await drawn(1);
    expect(await probe(s)).toBe('echoed');
    script.push(0.1, 0.1); // the new noop and the gate again: now the gate applies
    await toxic(p.path, { name: 'after', type: 'noop', stream: 'downstream' });
    await drawn(3);
    expect(await probe(s)).toBe('closed');
  });

  it('removing a toxic redraws the one before it; a toxic in the other direction leaves it alone', async () => {
    const p = await proxy();
    await toxic(p.path, GATE);
    await toxic(p.path, { name: 'after', type: 'noop', stream: 'downstream' });
    script.push(0.9, 0.9);
    const s = await open(p.listen);
    await drawn(2);
    expect(await probe(s)).toBe('echoed');
    script.push(0.1); // only the new upstream toxic is drawn
    await toxic(p.path, { name: 'up', type: 'noop', stream: 'upstream' });
    await drawn(3);
    expect(await probe(s)).toBe('echoed');
    script.push(0.1); // the gate, once `after` is gone
    expect((await raw(server.url, 'DELETE', `${p.path}/toxics/after`)).status).toBe(204);
    await drawn(4);
    expect(await probe(s)).toBe('closed');
  });

  it('updating a toxic redraws it, also when only attributes change', async () => {
    const p = await proxy();
    await toxic(p.path, GATE);
    script.push(0.9);
    const s = await open(p.listen);
    await drawn(1);
    expect(await probe(s)).toBe('echoed');
    script.push(0.1);
    expect((await raw(server.url, 'PATCH', `${p.path}/toxics/gate`, { attributes: { bytes: 0 } })).status).toBe(200);
    await drawn(2);
    expect(await probe(s)).toBe('closed');
  });
});
