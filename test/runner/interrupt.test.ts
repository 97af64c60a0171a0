// Ctrl-C in the middle of `faultline run` stops every server and proxy it started, and the history written
// so far is checkable with `faultline check` (issue acceptance 6). A run SIGKILLed at once leaves `latest` on a
// run directory that has its test.json (issue 12 item 7).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { descendants } from '../../src/util/processes.js';
import { gone, until } from '../cluster/helpers.js';

const ROOT = join(import.meta.dirname, '..', '..');
const results = mkdtempSync(join(tmpdir(), 'faultline-int-'));
afterAll(() => rmSync(results, { recursive: true, force: true }));

function historyFile(): string | null {
  const latest = join(results, 'latest');
  const f = join(latest, 'history.jsonl');
  return existsSync(f) ? f : null;
}

describe('Ctrl-C during faultline run', () => {
  it('leaves no postgres or proxy process and a checkable history', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', 'run', '-w', 'set', '-t', 'streaming-async', '--nodes', '2', '-n', 'kill', '--nemesis-interval', '1', '--time-limit', '60', '--results', results, '--quiet'],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const exit = new Promise<number | null>((r) => child.once('exit', (code, signal) => r(code ?? (signal ? 128 : null))));
    try {
      // wait until clients have written a good part of a history
      const started = await until(() => {
        const f = historyFile();
        return f !== null && readFileSync(f, 'utf8').split('\n').length > 200;
      }, 100);
      expect(started, err).toBe(true);
      const tree = descendants(child.pid!);
      expect(tree.length).toBeGreaterThan(3); // proxy server, postgres wrappers, postmasters, backends
      child.kill('SIGINT');
      expect(await exit).toBe(130);
      expect(await until(() => tree.every(gone))).toBe(true);

      const f = historyFile()!;
      const check = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'check', '--model', 'set', f], { cwd: ROOT, encoding: 'utf8' });
      // valid, invalid or unknown are all verdicts; 65 (malformed) would mean a broken history
      expect([0, 1, 2], check.stderr + check.stdout).toContain(check.status);
      expect(readdirSync(join(results, 'latest'))).toContain('test.json');
      // status.json says how the run ended
      const status = JSON.parse(readFileSync(join(results, 'latest', 'status.json'), 'utf8')) as { state: string; signal?: string };
      expect(status).toMatchObject({ state: 'interrupted', signal: 'SIGINT' });
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('SIGKILLed in its first second: results/latest points at a run with a test.json, and check reads it', async () => {
    const own = mkdtempSync(join(tmpdir(), 'faultline-kill9-'));
    try {
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'run', '-w', 'set', '-t', 'single', '--time-limit', '30', '--results', own, '--quiet'], {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const exit = new Promise<void>((r) => child.once('exit', () => r()));
      try {
        // the moment `latest` appears, before the cluster is up
        expect(await until(() => existsSync(join(own, 'latest')), 2)).toBe(true);
        const tree = descendants(child.pid!);
        child.kill('SIGKILL');
        await exit;
        expect(await until(() => tree.every(gone))).toBe(true);
      } finally {
        child.kill('SIGKILL');
      }
      expect(readdirSync(join(own, 'latest'))).toEqual(expect.arrayContaining(['history.jsonl', 'test.json']));
      const check = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'check', join(own, 'latest')], { cwd: ROOT, encoding: 'utf8' });
      expect(check.status, check.stderr + check.stdout).toBe(0);
      // the history as written, judged by the set workload's suite; the checkers whose inputs a run stores after
      // its final reads are not judged, and the line says so
      expect(check.stdout).toMatch(/: valid — workload set on single \(set, stats, retries, latency\), 0 ops; not judged: convergence \(the run ended before its final reads \(no final\.json, no snapshot\.json\)\)\n$/);
    } finally {
      rmSync(own, { recursive: true, force: true });
    }
  });
});
