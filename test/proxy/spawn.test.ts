// spawnProxyServer(): the child answers the API, stop() kills it, and it never outlives its parent.
// Also `faultline proxy --listen` in the foreground until SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { processGone, spawnProxyServer } from '../../src/proxy/spawn.js';
import { freePort } from '../../src/util/ports.js';
import { eventually } from '../support/wait.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const started: number[] = [];
const children: ChildProcess[] = [];

afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const pid of started.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
});

/** True once the process is gone (no deadline: a hang is ended by the test's own timeout). */
const waitGone = (pid: number): Promise<true> => eventually(() => processGone(pid));

function firstLine(c: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    c.stdout?.on('data', (b: Buffer) => {
      out += b.toString();
      const i = out.indexOf('\n');
      if (i >= 0) resolve(out.slice(0, i));
    });
    c.once('exit', (code) => reject(new Error(`exited ${code} before printing`)));
  });
}

describe('spawnProxyServer', () => {
  it('runs the API in a child process; stop() kills it and waits', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fl-proxy-'));
    try {
      const p = await spawnProxyServer({ logFile: join(dir, 'proxy.log') });
      started.push(p.pid);
      expect(p.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(Number(new URL(p.url).port)).toBeLessThan(32768);
      expect(p.pid).not.toBe(process.pid);
      const r = await fetch(`${p.url}/version`);
      expect(r.status).toBe(200);
      await p.stop();
      expect(processGone(p.pid)).toBe(true);
      await p.stop(); // idempotent
      expect(() => readFileSync(join(dir, 'proxy.log'))).not.toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the child exits when its parent goes away (SIGKILL of the parent)', async () => {
    const parent = spawn(process.execPath, ['--import', tsx, join(root, 'test/proxy/fixtures/parent.ts')], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(parent);
    const { pid, url } = JSON.parse(await firstLine(parent)) as { pid: number; url: string };
    started.push(pid);
    expect((await fetch(`${url}/version`)).status).toBe(200);
    parent.kill('SIGKILL');
    expect(await waitGone(pid)).toBe(true);
  });
});

describe('faultline proxy', () => {
  it('serves the API on --listen until SIGTERM', async () => {
    const port = await freePort();
    const c = spawn(process.execPath, ['--import', tsx, join(root, 'src/cli/main.ts'), 'proxy', '--listen', `127.0.0.1:${port}`], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(c);
    const line = await firstLine(c);
    expect(line).toContain(`http://127.0.0.1:${port}`);
    expect((await fetch(`http://127.0.0.1:${port}/proxies`)).status).toBe(200);
    const exit = new Promise<number | null>((r) => c.once('exit', (code) => r(code)));
    c.kill('SIGTERM');
    expect(await exit).toBe(0);
  });
});
