// Temporary cluster directories left by a SIGKILLed faultline are removed by the next cluster start; live
// owners' directories and directories without an owner file (kept clusters) are not.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { claimTempDir, sweepStaleTempDirs, TEMP_PREFIX } from '../../src/cluster/stale.js';

const base = mkdtempSync(join(tmpdir(), 'faultline-stale-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('stale temporary cluster directories', () => {
  it('are removed when their owner is gone, and only then', () => {
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const mk = (name: string): string => {
      const d = join(base, `${TEMP_PREFIX}${name}`);
      mkdirSync(join(d, 'n1', 'data'), { recursive: true });
      return d;
    };
    const stale = mk('stale');
    writeFileSync(join(stale, 'owner.json'), JSON.stringify({ pid: Number(dead.stdout), start: 1 }));
    const reused = mk('reused'); // a live PID, but another process's start time: the owner is gone
    writeFileSync(join(reused, 'owner.json'), JSON.stringify({ pid: process.pid, start: -1 }));
    const mine = mk('mine');
    claimTempDir(mine);
    const kept = mk('kept');
    const other = join(base, 'unrelated');
    mkdirSync(other);

    expect(sweepStaleTempDirs(base).sort()).toEqual([reused, stale].sort());
    expect([stale, reused, mine, kept, other].map((d) => existsSync(d))).toEqual([false, false, true, true, true]);
    expect(sweepStaleTempDirs(join(base, 'missing'))).toEqual([]);
  });
});
