// Writing the results store: results/<test>/<timestamp>/ run directories, the results/latest link (moved only once
// a run directory has its test.json), and writes that never leave a torn file (a full disk is a RunIoError, exit 74).
// What is written there is redacted: no password reaches a run file (they are readable by every local user).
import { mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { EXIT, UserError } from '../util/exit.js';
import { redactSecrets } from '../util/redact.js';
import { makeDirs } from '../util/dirs.js';

/** A run could not write its results (ENOSPC, EIO…): it stops the cluster and exits 74 (EXIT.IOERR). */
export class RunIoError extends UserError {
  constructor(message: string) {
    super(message, EXIT.IOERR);
    this.name = 'RunIoError';
  }
}

/** "ENOSPC: no space left on device" from a Node fs error (its code and the kernel's words), else its message. */
export function ioReason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  const m = /^[A-Z]+: ([^,]+)/.exec(e?.message ?? '');
  return e?.code && m ? `${e.code}: ${m[1]}` : (e?.message ?? String(err));
}

/** A timestamp usable as a directory name, sortable: 20261122T003501.123Z. */
export function stamp(d = new Date()): string {
  return d.toISOString().replace(/[-:]/g, '');
}

/**
 * Creates results/<test>/<timestamp>/. The `latest` links are not moved yet: call linkLatest once the run
 * directory holds its test.json, so a run killed before that leaves `latest` on the last run that has one.
 */
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
      if ((err as NodeJS.ErrnoException).code === 'ENOSPC') throw new RunIoError(`cannot create the run directory ${dir}: ${ioReason(err)}`);
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || i > 100) throw err;
      dir = join(resultsDir, test, `${stamp()}-${i}`);
    }
  }
  return dir;
}

/** Points results/latest and results/<test>/latest at a run directory (`dir` = results/<test>/<stamp>). */
export function linkLatest(dir: string): void {
  const testDir = dirname(dir);
  const resultsDir = dirname(testDir);
  link(join(resultsDir, 'latest'), relative(resultsDir, dir));
  link(join(testDir, 'latest'), relative(testDir, dir));
}

function link(at: string, target: string): void {
  try {
    rmSync(at, { force: true });
    symlinkSync(target, at);
  } catch {
    // a missing link is cosmetic
  }
}

/** Writes JSON (redacted) whole or not at all: a temp file renamed into place; a failure is a RunIoError. */
export function writeJson(path: string, data: unknown): void {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, redactSecrets(`${JSON.stringify(data, null, 2)}\n`));
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw new RunIoError(`cannot write ${path}: ${ioReason(err)}`);
  }
}

/** Copies a text file (a server log) into the run directory with its passwords redacted. */
export function copyRedacted(from: string, to: string): void {
  writeFileSync(to, redactSecrets(readFileSync(from, 'utf8')));
}
