// Process hygiene: Ctrl-C of `faultline cluster up`, an uncaught exception, a SIGKILLed parent and an error thrown
// inside a test all leave no postgres or proxy process behind. Also the CLI's usage errors and `cluster status`.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withCluster } from '../../src/cluster/index.js';
import { descendants } from '../../src/util/processes.js';
import { gone, until } from './helpers.js';

const ROOT = join(import.meta.dirname, '..', '..');

function node(args: string[]): { child: ChildProcess; out: () => string; err: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<number | null>((r) => child.once('exit', (code, signal) => r(code ?? (signal ? 128 : null))));
  return { child, out: () => out, err: () => err, exit };
}

function cli(args: string[]) {
  return node(['src/cli/main.ts', ...args]);
}

describe('process hygiene', () => {
  it('Ctrl-C (SIGINT) of `faultline cluster up` stops every process it started; status works while it runs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-test-up-'));
    rmSync(dir, { recursive: true });
    const up = cli(['cluster', 'up', '--topology', 'streaming-sync', '--nodes', '3', '--sync-commit', 'remote_apply', '--dir', dir]);
    try {
      expect(await until(() => up.err().includes('Ctrl-C stops it'), 100), up.err()).toBe(true);
      const desc = JSON.parse(up.out()) as { nodes: { name: string; pid: number; clientUrl: string }[] };
      expect(desc.nodes.map((n) => n.name)).toEqual(['n1', 'n2', 'n3']);
      expect(desc.nodes[0]!.clientUrl).toMatch(/^postgres:\/\/postgres@127\.0\.0\.1:[0-9]+\/postgres\?passfile=[^&]+pgpass$/); // no password: it names the 0600 passfile
      const tree = descendants(up.child.pid!);
      for (const n of desc.nodes) expect(tree).toContain(n.pid);

      const st = cli(['cluster', 'status', '--dir', dir, '--json']);
      expect(await st.exit).toBe(0);
      const status = JSON.parse(st.out()) as { nodes: { node: string; role: string; ok: boolean; replicas?: { sync: string }[] }[] };
      expect(status.nodes.map((n) => [n.node, n.role, n.ok])).toEqual([
        ['n1', 'primary', true],
        ['n2', 'standby', true],
        ['n3', 'standby', true],
      ]);
      expect(status.nodes[0]!.replicas!.map((r) => r.sync).sort()).toEqual(['potential', 'sync']);

      up.child.kill('SIGINT');
      expect(await up.exit).toBe(130);
      expect(tree.filter((p) => !gone(p))).toEqual([]);
    } finally {
      up.child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an uncaught exception in the process that started the cluster leaves no server behind', async () => {
    const p = node(['test/cluster/fixtures/crash.ts', 'throw']);
    expect(await until(() => up(p.out()), 100), p.err()).toBe(true);
    // the process throws only when told to: its tree (proxy, wrappers, postmasters and their children) is whole
    const { pids } = JSON.parse(p.out()) as { pids: number[] };
    const tree = descendants(p.child.pid!);
    for (const pid of pids) {
      expect(tree).toContain(pid);
      expect(descendants(pid).length).toBeGreaterThan(0);
    }
    p.child.kill('SIGUSR2');
    expect(await p.exit).not.toBe(0);
    expect(p.err()).toContain('boom');
    expect(await until(() => tree.every(gone))).toBe(true);
    rmSync((JSON.parse(p.out()) as { dir: string }).dir, { recursive: true, force: true });
  });

  it('a SIGKILLed parent leaves no server behind (the watchdog wrapper reaps it), even a paused one', async () => {
    const p = node(['test/cluster/fixtures/crash.ts', 'hang']);
    expect(await until(() => up(p.out()), 100), p.err()).toBe(true);
    const { pids, dir } = JSON.parse(p.out()) as { pids: number[]; dir: string };
    const tree = descendants(p.child.pid!);
    for (const pid of pids) expect(tree).toContain(pid);
    process.kill(pids[1]!, 'SIGSTOP');
    for (const c of descendants(pids[1]!)) process.kill(c, 'SIGSTOP');
    p.child.kill('SIGKILL');
    await p.exit;
    expect(await until(() => tree.every(gone))).toBe(true);
    rmSync(dir, { recursive: true, force: true });
  });

  it('an error thrown inside a test (withCluster) stops the cluster', async () => {
    let pids: number[] = [];
    await expect(
      withCluster({ topology: 'single' }, async (c) => {
        pids = [c.node('n1').pid!, ...descendants(c.node('n1').pid!)];
        throw new Error('test failure');
      }),
    ).rejects.toThrow('test failure');
    expect(pids.length).toBeGreaterThan(3);
    expect(pids.filter((p) => !gone(p))).toEqual([]);
  });

  it('bad options are usage errors (exit 64)', async () => {
    for (const args of [
      ['--topology', 'ring'],
      ['--topology', 'single', '--nodes', '3'],
      ['--topology', 'streaming-sync', '--nodes', '3', '--sync-standbys', 'FIRST 5'],
      ['--topology', 'streaming-async', '--sync-commit', 'on'],
      ['--topology', 'streaming-async', '--nodes', 'x'],
      ['--topology', 'streaming-async', '--wan-latency', '10'],
    ]) {
      const r = cli(['cluster', 'up', ...args]);
      expect(await r.exit, args.join(' ')).toBe(64);
    }
  });
});

function up(out: string): boolean {
  return out.includes('\n');
}
