// Issue 12 item 5: `faultline run --results` on a disk that fills (a real 1 MB tmpfs): the run stops, its cluster
// too (no data directory left), one line says what failed, exit 74, and the history it wrote is whole lines that
// `faultline check` reads.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mountTmpfs } from '../support/tmpfs.js';

const ROOT = join(import.meta.dirname, '..', '..');

describe('results disk full', () => {
  it('stops the run and the cluster, says so in one line, exits 74, leaves a checkable history', async () => {
    const fs = mountTmpfs('1m', 'results-full');
    if (!fs) return;
    // the cluster's own directory goes here (FAULTLINE_TMPDIR), so "nothing left behind" can be checked
    const tmp = mkdtempSync(join(tmpdir(), 'faultline-full-tmp-'));
    chmodSync(tmp, 0o755); // the server user must reach the data directories below it
    try {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', 'src/cli/main.ts', 'run', '-w', 'set', '-t', 'single', '--rate', '0', '--concurrency', '4', '--time-limit', '120', '--results', fs.dir, '--quiet'],
        { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FAULTLINE_TMPDIR: tmp } },
      );
      let out = '';
      let err = '';
      child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
      const status = await new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      expect(status, err).toBe(74);
      const lines = err.trimEnd().split('\n');
      expect(lines, err).toHaveLength(1);
      expect(lines[0]).toMatch(/^faultline: cannot record the run: writing .*history\.jsonl failed \(ENOSPC: no space left on device\); the run and its cluster were stopped; the history keeps the [0-9]+ events written before, as whole lines \(faultline check .*\)$/);
      expect(err).not.toMatch(/\n\s+at /);
      expect(out).toBe('');
      // the cluster was stopped and its directory removed
      expect(readdirSync(tmp)).toEqual([]);
      const dir = realpathSync(join(fs.dir, 'latest'));
      const text = readFileSync(join(dir, 'history.jsonl'), 'utf8');
      expect(text.length).toBeGreaterThan(0);
      expect(text.endsWith('\n')).toBe(true);
      const check = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'check', dir], { cwd: ROOT, encoding: 'utf8' });
      expect([0, 1, 2], check.stderr + check.stdout).toContain(check.status);
      expect(existsSync(join(dir, 'test.json'))).toBe(true);
    } finally {
      fs.remove();
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
