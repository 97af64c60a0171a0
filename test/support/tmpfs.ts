// Test helper: a small tmpfs of its own (root only: `mount -t tmpfs -o size=…`), for disks that really fill up.
// Returns null, with the reason on stderr, where it cannot be mounted: the caller skips its test.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Tmpfs {
  dir: string;
  /** unmounts and removes the mount point (idempotent) */
  remove(): void;
}

export function mountTmpfs(size: string, label: string): Tmpfs | null {
  const dir = mkdtempSync(join(tmpdir(), `faultline-${label}-`));
  if (process.getuid?.() !== 0) {
    rmSync(dir, { recursive: true, force: true });
    process.stderr.write(`${label}: skipped: mounting a ${size} tmpfs needs root\n`);
    return null;
  }
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0755`, 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    process.stderr.write(`${label}: skipped: cannot mount a tmpfs: ${(r.stderr || r.error?.message || '').trim()}\n`);
    return null;
  }
  let mounted = true;
  return {
    dir,
    remove() {
      if (mounted) spawnSync('umount', [dir]);
      mounted = false;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
