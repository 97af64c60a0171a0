// `faultline pack RUN_DIR`: one .tar.gz of a run directory for a bug report (as Jepsen's web UI offers a
// zip): every regular file of the run (history, test/results/status/final JSON, metrics, report, node logs),
// never a data directory (cluster/, anything holding PG_VERSION), a secret file (pgpass, cluster.json, keys)
// or a link; text is redacted once more on the way (with the kept cluster's password, when there is one).
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, extname, join, relative, resolve, sep } from 'node:path';
import { create } from 'tar';
import { RUN_FILES } from '../store/index.js';
import { redactSecrets } from '../util/redact.js';
import { EXIT, UsageError, UserError } from '../util/exit.js';

/** Files never packed whatever their place: they hold a password or a key. */
const SECRET_NAMES = new Set(['pgpass', '.pgpass', 'cluster.json', 'pwfile', 'passfile']);
const SECRET_EXTENSIONS = new Set(['.key', '.pem', '.crt', '.p12', '.pfx']);
/** Text files, redacted on the way in. */
const TEXT_EXTENSIONS = new Set(['.json', '.jsonl', '.log', '.html', '.svg', '.txt', '.edn', '.csv', '.conf']);

export interface PackPlan {
  /** paths relative to the run directory, / separated, sorted */
  files: string[];
  /** what was left out and why ("cluster/: a data directory") */
  skipped: string[];
}

/** Why `rel` (a path inside the run directory, with its lstat) is not packed, or null. */
function leaveOut(abs: string, rel: string, isDir: boolean, isFile: boolean, isLink: boolean): string | null {
  const name = basename(rel);
  if (isLink) return 'a link (not followed)';
  if (isDir) {
    if (rel === 'cluster') return 'the kept cluster (data directories)';
    let names: string[] = [];
    try {
      names = readdirSync(abs);
    } catch {
      return 'unreadable';
    }
    if (names.includes('PG_VERSION')) return 'a PostgreSQL data directory';
    return null;
  }
  if (!isFile) return 'not a regular file';
  if (SECRET_NAMES.has(name)) return 'holds a secret';
  if (SECRET_EXTENSIONS.has(extname(name).toLowerCase())) return 'a key or certificate';
  return null;
}

/** Which files of `runDir` go into the archive (pure apart from reading the directory tree). */
export function planPack(runDir: string): PackPlan {
  const files: string[] = [];
  const skipped: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const abs = join(dir, name);
      const rel = relative(runDir, abs).split(sep).join('/');
      const st = lstatSync(abs);
      const why = leaveOut(abs, rel, st.isDirectory(), st.isFile(), st.isSymbolicLink());
      if (why) skipped.push(`${rel}${st.isDirectory() ? '/' : ''}: ${why}`);
      else if (st.isDirectory()) walk(abs);
      else files.push(rel);
    }
  };
  walk(runDir);
  return { files, skipped };
}

/** Passwords in the kept cluster's passfile (host:port:db:user:password lines), to redact verbatim. */
function keptPasswords(runDir: string): string[] {
  try {
    return readFileSync(join(runDir, 'cluster', 'pgpass'), 'utf8')
      .split('\n')
      .map((l) => l.split(':').slice(4).join(':').trim())
      .filter((p) => p.length >= 6);
  } catch {
    return [];
  }
}

export interface PackResult {
  archive: string;
  plan: PackPlan;
  bytes: number;
}

/** Pack `runDir` into `out` (default: ./<test>-<timestamp>.tar.gz); the archive's entries sit under that name. */
export async function packRun(runDir: string, out?: string): Promise<PackResult> {
  let real: string;
  try {
    real = realpathSync(runDir);
  } catch {
    throw new UserError(`${runDir}: no such run directory`, EXIT.NO_INPUT);
  }
  if (!statSync(real).isDirectory()) throw new UserError(`${runDir}: not a directory`, EXIT.NO_INPUT);
  try {
    statSync(join(real, RUN_FILES.history));
  } catch {
    throw new UserError(`${runDir}: not a run directory (no ${RUN_FILES.history})`, EXIT.NO_INPUT);
  }
  const root = `${basename(dirname(real))}-${basename(real)}`.replace(/[^\w.-]/g, '_');
  const archive = resolve(out ?? `${root}.tar.gz`);
  try {
    statSync(archive);
    throw new UsageError(`${archive} exists: remove it or give another -o FILE`);
  } catch (err) {
    if (err instanceof UsageError) throw err;
  }
  if (archive.startsWith(real + sep)) throw new UsageError(`${archive}: the archive cannot go inside the run directory it packs`);
  const plan = planPack(real);
  const secrets = keptPasswords(real);
  // stage redacted copies, so the archive holds exactly what was checked
  const stage = mkdtempSync(join(tmpdir(), 'faultline-pack-'));
  try {
    for (const rel of plan.files) {
      const to = join(stage, root, ...rel.split('/'));
      mkdirSync(dirname(to), { recursive: true, mode: 0o700 });
      const data = readFileSync(join(real, ...rel.split('/')));
      writeFileSync(to, TEXT_EXTENSIONS.has(extname(rel).toLowerCase()) ? redactSecrets(data.toString('utf8'), secrets) : data, { mode: 0o644 });
    }
    mkdirSync(join(stage, root), { recursive: true });
    await create({ gzip: true, file: archive, cwd: stage, portable: true, follow: false }, [root]);
  } catch (err) {
    rmSync(archive, { force: true });
    if (err instanceof UserError) throw err;
    throw new UserError(`${archive}: cannot write the archive: ${err instanceof Error ? err.message : String(err)}`, EXIT.UNAVAILABLE);
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
  return { archive, plan, bytes: statSync(archive).size };
}

/** `faultline pack` itself: the archive's path on stdout, what went in and what stayed out on stderr. */
export async function runPack(runDir: string, opts: { output?: string }): Promise<number> {
  const r = await packRun(runDir, opts.output);
  process.stdout.write(`${r.archive}\n`);
  process.stderr.write(`faultline: packed ${r.plan.files.length} file(s), ${(r.bytes / 1024).toFixed(0)} KiB${r.plan.skipped.length ? `; left out: ${r.plan.skipped.join('; ')}` : ''}\n`);
  return EXIT.OK;
}
