// Where the embedded proxy may listen: loopback only (127.0.0.0/8, ::1, `localhost`) unless the server was
// started with --allow-remote; other host names are refused without a DNS lookup. The API's own --listen
// follows the same rule. Embedded-only (a real Toxiproxy listens wherever it is told).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLoopbackHost, listenRefusal } from '../../src/proxy/address.js';
import { startProxyServer, type ProxyServer } from '../../src/proxy/server.js';
import { echoServer, raw, type Local } from './helpers.js';

const ROOT = join(import.meta.dirname, '..', '..');
let echo: Local;
let server: ProxyServer;

beforeAll(async () => {
  echo = await echoServer();
  server = await startProxyServer();
});
afterAll(async () => {
  await server?.close();
  await echo?.close();
});

function error(r: { text: string }): string {
  return (JSON.parse(r.text) as { error: string }).error;
}

describe('loopback addresses (pure)', () => {
  it('knows loopback from the rest without resolving names', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', 'LOCALHOST', '::1']) expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ['', '0.0.0.0', '::', '10.0.0.1', '128.0.0.1', 'localhost.evil.example', 'evil.example', '::ffff:10.0.0.1']) expect(isLoopbackHost(h), h).toBe(false);
    expect(listenRefusal({ host: '0.0.0.0', port: 1 }, false)).toMatch(/--allow-remote/);
    expect(listenRefusal({ host: '0.0.0.0', port: 1 }, true)).toBeNull();
    expect(listenRefusal({ host: 'localhost', port: 1 }, false)).toBeNull();
  });
});

describe('a proxy listen address', () => {
  it('non-loopback addresses and host names are refused with 403, before any bind or lookup', async () => {
    for (const listen of ['0.0.0.0:0', ':0', '[::]:0', '10.1.2.3:0', '192.0.2.1:0', 'x.invalid:0', 'localhost.x.invalid:0']) {
      const r = await raw(server.url, 'POST', '/proxies', { name: `p${listen}`, listen, upstream: echo.addr });
      expect(r.status, listen).toBe(403);
      expect(error(r), listen).toMatch(/not a loopback address.*--allow-remote/);
      expect(r.text).not.toMatch(/getaddrinfo|EADDRNOTAVAIL/);
      expect((await raw(server.url, 'GET', `/proxies/${encodeURIComponent(`p${listen}`)}`)).status).toBe(404);
    }
    const pop = await raw(server.url, 'POST', '/populate', [{ name: 'ok1', listen: '127.0.0.1:0', upstream: echo.addr }, { name: 'bad', listen: '0.0.0.0:0', upstream: echo.addr }]);
    expect(pop.status).toBe(403);
    expect(error(pop)).toMatch(/at proxy 2$/);
    expect((await raw(server.url, 'GET', '/proxies/ok1')).status).toBe(404);
  });

  it('loopback addresses are fine; moving a proxy off loopback is refused and leaves it as it was', async () => {
    for (const [i, listen] of ['127.0.0.1:0', '127.0.0.2:0', 'localhost:0'].entries()) {
      const r = await raw(server.url, 'POST', '/proxies', { name: `lo${i}`, listen, upstream: echo.addr });
      expect(r.status, listen).toBe(201);
    }
    const before = (await raw(server.url, 'GET', '/proxies/lo0')).json();
    const r = await raw(server.url, 'PATCH', '/proxies/lo0', { listen: '0.0.0.0:0' });
    expect(r.status).toBe(403);
    expect((await raw(server.url, 'GET', '/proxies/lo0')).json()).toEqual(before);
  });

  it('with allowRemote, other addresses are bound (192.0.2.1 is not on this host: the bind error shows it was tried)', async () => {
    const open = await startProxyServer({ allowRemote: true });
    try {
      const r = await raw(open.url, 'POST', '/proxies', { name: 'far', listen: '192.0.2.1:0', upstream: echo.addr });
      expect(r.status).toBe(500);
      expect(error(r)).toMatch(/cannot assign requested address/);
    } finally {
      await open.close();
    }
  });
});

describe('the API address (faultline proxy --listen)', () => {
  const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), 'proxy', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });

  it('refuses a non-loopback --listen without --allow-remote (64), tries it with (69: not on this host)', () => {
    for (const listen of ['0.0.0.0:18474', 'x.invalid:18474']) {
      const r = cli('--listen', listen);
      expect(r.status, listen).toBe(64);
      expect(r.stderr).toMatch(/not a loopback address.*--allow-remote/);
      expect(r.stderr).not.toMatch(/getaddrinfo|at .*\.ts:/);
    }
    const far = cli('--listen', '192.0.2.1:18474', '--allow-remote');
    expect(far.status).toBe(69);
    expect(far.stderr).toMatch(/cannot listen on 192\.0\.2\.1:18474: EADDRNOTAVAIL/);
  });

  it('startProxyServer refuses a non-loopback host unless allowRemote', async () => {
    await expect(startProxyServer({ host: '0.0.0.0' })).rejects.toThrow(/not a loopback address/);
  });
});
