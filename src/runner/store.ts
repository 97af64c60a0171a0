// The results store: results/<test>/<timestamp>/ run directories and the results/latest link. What is
// written there is redacted: no password reaches a run file (they are readable by every local user).
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { redactSecrets } from '../util/redact.js';
import { makeDirs } from '../util/dirs.js';

/** A timestamp usable as a directory name, sortable: 20261122T003501.123Z. */
export function stamp(d = new Date()): string {
  return d.toISOString().replace(/[-:]/g, '');
}

/** Creates results/<test>/<timestamp>/ and points results/latest (and results/<test>/latest) at it. */
export function createRunDir(resultsDir: string, test: string): string {
  let dir = join(resultsDir, test, stamp());
  for (let i = 1; ; i++) {
    try {
      mkdirSync(dir, { recursive: false });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        makeDirs(join(resultsDir, test));
        continue;
      }
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || i > 100) throw err;
      dir = join(resultsDir, test, `${stamp()}-${i}`);
    }
  }
  link(join(resultsDir, 'latest'), relative(resultsDir, dir));
  link(join(resultsDir, test, 'latest'), relative(join(resultsDir, test), dir));
  return dir;
}

function link(at: string, target: string): void {
  try {
    rmSync(at, { force: true });
    symlinkSync(target, at);
  } catch {
    // a missing link is cosmetic
  }
}

export function writeJson(path: string, data: unknown): void {
  writeFileSync(path, redactSecrets(`${JSON.stringify(data, null, 2)}\n`));
}

/** Copies a text file (a server log) into the run directory with its passwords redacted. */
export function copyRedacted(from: string, to: string): void {
  writeFileSync(to, redactSecrets(readFileSync(from, 'utf8')));
}
