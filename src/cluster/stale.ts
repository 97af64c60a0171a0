// Temporary cluster directories of a faultline that was SIGKILLed: its watchdogs stop the servers, but nobody
// removes the data (on /dev/shm that is RAM). Each temporary directory records its owner; the next cluster start
// removes the directories whose owner is gone.
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isAlive, startTimeOf } from '../util/processes.js';

export const TEMP_PREFIX = 'faultline-cluster-';
const OWNER_FILE = 'owner.json';

interface Owner {
  pid: number;
  start: number | null;
}

/** Marks a temporary cluster directory as this process's. */
export function claimTempDir(dir: string): void {
  const owner: Owner = { pid: process.pid, start: startTimeOf(process.pid) };
  writeFileSync(join(dir, OWNER_FILE), `${JSON.stringify(owner)}\n`);
}

function ownerAlive(o: Owner): boolean {
  return isAlive(o.pid) && (o.start === null || startTimeOf(o.pid) === o.start);
}

/**
 * Removes the temporary cluster directories under `base` whose owner process is gone (best effort; returns
 * them). Directories without an owner file (kept clusters, or ones still being created) are left alone.
 */
export function sweepStaleTempDirs(base: string): string[] {
  const removed: string[] = [];
  let entries: string[];
  try {
    entries = readdirSync(base).filter((e) => e.startsWith(TEMP_PREFIX));
  } catch {
    return removed;
  }
  for (const e of entries) {
    const dir = join(base, e);
    try {
      if (!statSync(dir).isDirectory()) continue;
      const owner = JSON.parse(readFileSync(join(dir, OWNER_FILE), 'utf8')) as Owner;
      if (typeof owner.pid !== 'number' || ownerAlive(owner)) continue;
      rmSync(dir, { recursive: true, force: true });
      removed.push(dir);
    } catch {
      // no owner file, unreadable, or removed meanwhile
    }
  }
  return removed;
}
