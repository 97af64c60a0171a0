// What the unprivileged server user must reach: the PostgreSQL binaries (a clone below a private directory, such
// as root's 0700 home, gets them staged into a root-owned, world-readable cache, verified and reused) and the
// directories its processes write. When that cannot be, one line names the path and the fix (ReachError, exit 69).
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, cpSync, existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { makeDirs } from '../util/dirs.js';
import type { OsUser } from './osuser.js';

/** A path the server user cannot reach, with what to do about it. The CLI exits 69 on it. */
export class ReachError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReachError';
  }
}

/** Default home of staged binaries when running as root; FAULTLINE_CACHE_DIR overrides it. */
export const DEFAULT_CACHE_DIR = '/var/cache/faultline';

export function cacheDir(): string {
  return process.env.FAULTLINE_CACHE_DIR || DEFAULT_CACHE_DIR;
}

/** Runs `test FLAG path` as the server user: true when that user can reach the path that way. */
export function userCan(user: OsUser, flag: '-x' | '-r' | '-w', path: string): boolean {
  if (user.self) return true;
  const r = spawnSync('/bin/sh', ['-c', `test ${flag} "$1"`, 'sh', path], { uid: user.uid, gid: user.gid, stdio: 'ignore', env: { PATH: '/usr/bin:/bin' } });
  return r.status === 0;
}

/** The deepest existing ancestor of `path` (itself included) that the server user cannot search, or null. */
function firstUnreachable(user: OsUser, path: string): string | null {
  const chain: string[] = [];
  for (let p = path; ; p = dirname(p)) {
    chain.unshift(p);
    if (dirname(p) === p) break;
  }
  for (const p of chain) {
    if (!existsSync(p)) return null;
    if (!userCan(user, '-x', p)) return p;
  }
  return null;
}

/** Can the server user enter `dir` (or create it: the path's existing ancestors are all searchable)? */
export function canReach(user: OsUser, dir: string): boolean {
  return user.self || firstUnreachable(user, dir) === null;
}

/**
 * Throws a ReachError unless the server user can enter `dir` (which exists or will be created below an
 * existing parent). `what` names the setting it came from, e.g. "FAULTLINE_TMPDIR=/root/tmp".
 */
export function assertReachable(user: OsUser, dir: string, what: string, fix: string): void {
  if (user.self) return;
  const blocked = firstUnreachable(user, dir);
  if (blocked === null) return;
  const why = blocked === dir ? 'it is not searchable by others' : `${blocked} is not searchable by others`;
  throw new ReachError(`${what}: the server user ${user.name} cannot reach ${dir} (${why}); ${fix}`);
}

/** Can the server user run this postgres binary (directory permissions and shared libraries included)? */
function userRuns(user: OsUser, postgres: string): { ok: true } | { ok: false; why: string } {
  const r = spawnSync(postgres, ['--version'], { uid: user.uid, gid: user.gid, encoding: 'utf8', env: { PATH: '/usr/bin:/bin', LC_ALL: 'C' } });
  if (r.status === 0) return { ok: true };
  const err = r.error as NodeJS.ErrnoException | undefined;
  return { ok: false, why: err?.code ?? (r.stderr.trim().split('\n')[0] || `exit ${String(r.status ?? r.signal)}`) };
}

interface Entry {
  path: string;
  kind: 'dir' | 'file' | 'link';
  size: number;
  mode: number;
  target?: string;
}

/** Every entry below `root`, sorted, with sizes (no file contents read). */
function listTree(root: string): Entry[] {
  const out: Entry[] = [];
  const walk = (rel: string): void => {
    for (const name of readdirSync(join(root, rel)).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      const st = lstatSync(join(root, r));
      if (st.isSymbolicLink()) out.push({ path: r, kind: 'link', size: 0, mode: 0, target: readlinkSync(join(root, r)) });
      else if (st.isDirectory()) {
        out.push({ path: r, kind: 'dir', size: 0, mode: st.mode & 0o7777 });
        walk(r);
      } else out.push({ path: r, kind: 'file', size: st.size, mode: st.mode & 0o7777 });
    }
  };
  walk('');
  return out;
}

/** A fingerprint of a tree's shape: paths, kinds, sizes, link targets (cheap: stat only). */
function shapeOf(entries: readonly Entry[]): string {
  const h = createHash('sha256');
  for (const e of entries) h.update(`${e.kind}\0${e.path}\0${e.size}\0${e.target ?? ''}\n`);
  return h.digest('hex');
}

function fileSha(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

interface Manifest {
  source: string;
  version: string;
  shape: string;
  files: Record<string, { size: number; sha256: string }>;
}

const MANIFEST = '.faultline-manifest.json';

/** Does the staged copy at `dir` match the source's shape, with every file at its recorded size? */
function stagedMatches(dir: string, shape: string): boolean {
  let m: Manifest;
  try {
    m = JSON.parse(readFileSync(join(dir, MANIFEST), 'utf8')) as Manifest;
  } catch {
    return false;
  }
  if (m.shape !== shape) return false;
  for (const [rel, f] of Object.entries(m.files)) {
    try {
      if (statSync(join(dir, rel)).size !== f.size) return false;
    } catch {
      return false;
    }
  }
  return true;
}

/** Copies `src` to `dst`, makes it readable (and, where executable, runnable) by everyone, checks every byte. */
function copyVerified(src: string, dst: string, entries: readonly Entry[], version: string, shape: string): void {
  cpSync(src, dst, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
  const files: Manifest['files'] = {};
  chmodSync(dst, 0o755);
  for (const e of entries) {
    const p = join(dst, e.path);
    if (e.kind === 'dir') chmodSync(p, 0o755);
    else if (e.kind === 'file') {
      chmodSync(p, e.mode & 0o111 ? 0o755 : 0o644);
      const want = fileSha(join(src, e.path));
      const got = fileSha(p);
      if (got !== want || statSync(p).size !== e.size) throw new Error(`copy of ${e.path} differs from its source`);
      files[e.path] = { size: e.size, sha256: got };
    }
  }
  const manifest: Manifest = { source: src, version, shape, files };
  writeFileSync(join(dst, MANIFEST), JSON.stringify(manifest) + '\n', { mode: 0o644 });
}

function mb(entries: readonly Entry[]): number {
  return Math.ceil(entries.reduce((s, e) => s + e.size, 0) / 1024 ** 2);
}

/**
 * Stages the tree holding `binDir` (bin/, lib/, share/ of one PostgreSQL build) into the cache and returns the
 * staged bin directory. A staged copy whose shape matches the source is reused; a damaged one is replaced.
 */
export function stageBinaries(binDir: string, version: string, user: OsUser, root = cacheDir()): string {
  const src = dirname(binDir);
  const entries = listTree(src);
  const shape = shapeOf(entries);
  const dest = join(root, `postgresql-${version}-${shape.slice(0, 12)}`);
  const fix = `set FAULTLINE_CACHE_DIR to a root-owned directory that user ${user.name} can reach, or pass --pg-bin with binaries it can run`;
  if (stagedMatches(dest, shape)) return join(dest, 'bin');
  try {
    makeDirs(root);
  } catch (err) {
    throw new ReachError(`cannot create ${root} to stage the PostgreSQL binaries for user ${user.name} (${(err as NodeJS.ErrnoException).code ?? String(err)}); ${fix}`);
  }
  assertReachable(user, root, `the binary cache ${root}`, fix);
  const tmp = join(root, `.staging-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    copyVerified(src, tmp, entries, version, shape);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOSPC' ? `no room: ${mb(entries)} MB needed` : code ?? (err as Error).message;
    throw new ReachError(`cannot stage the PostgreSQL binaries into ${root} for user ${user.name} (${why}); ${fix}`);
  }
  try {
    rmSync(dest, { recursive: true, force: true });
    renameSync(tmp, dest);
  } catch {
    // another faultline staged the same build at the same moment: use its copy if it is whole
    rmSync(tmp, { recursive: true, force: true });
    if (!stagedMatches(dest, shape)) throw new ReachError(`cannot place the staged PostgreSQL binaries at ${dest}; ${fix}`);
  }
  return join(dest, 'bin');
}

/**
 * The bin directory the server user will run PostgreSQL from: `binDir` itself when that user can run it; for the
 * embedded binaries below a private directory, a staged copy; for a user-given directory, a ReachError (exit 69).
 */
export function reachableBinDir(binDir: string, version: string, user: OsUser, given: boolean): string {
  if (user.self) return binDir;
  const postgres = join(binDir, 'postgres');
  const r = userRuns(user, postgres);
  if (r.ok) return binDir;
  if (given) {
    const blocked = firstUnreachable(user, binDir);
    const where = blocked ? `${blocked} is not searchable by others` : r.why;
    throw new ReachError(
      `--pg-bin ${binDir}: the server user ${user.name} cannot run ${postgres} (${where}); put the binaries (bin/, lib/, share/) below a directory others can traverse, e.g. cp -a ${dirname(binDir)} /opt/postgresql-${version}, and pass --pg-bin there`,
    );
  }
  const staged = stageBinaries(binDir, version, user);
  const again = userRuns(user, join(staged, 'postgres'));
  if (!again.ok) throw new ReachError(`the staged PostgreSQL binaries in ${staged} do not run as user ${user.name} (${again.why}); set FAULTLINE_CACHE_DIR to another directory`);
  return staged;
}
