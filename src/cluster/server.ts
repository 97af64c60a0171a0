// One PostgreSQL server process: initdb, start (as a direct child, through a watchdog wrapper), readiness, and
// the signals the nemesis needs: fast stop, SIGKILL of the whole tree, SIGSTOP/SIGCONT of the whole tree.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { chownSync, closeSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type pg from 'pg';
import { descendants, isAlive, track, waitGone } from '../util/processes.js';
import { removeDataDirSegments, removeOrphanSegments } from './ipc.js';
import { answers } from './sql.js';
import { causeOf, LogWatch } from './server-log.js';
import type { PgBinaries } from './binaries.js';
import { cloneInto } from './clone.js';
import type { OsUser } from './osuser.js';
import type { NodeProcess } from './process.js';

const execFileAsync = promisify(execFile);

/**
 * Watchdog wrapper (sh): starts postgres in the background, prints its PID, and holds the read end of a pipe
 * from faultline on fd 3. If faultline dies in any way (even SIGKILL) the pipe closes, `read` returns, and the
 * watcher resumes (SIGCONT) and immediate-shuts-down (SIGQUIT) the postmaster, which SIGKILLs stopped children
 * after 5 s; SIGKILL follows after 15 s. When postgres exits normally the wrapper exits with its status.
 */
const WRAPPER = [
  'exec 3<&0 </dev/null',
  '"$@" 3<&- >&2 &',
  'pg=$!',
  'echo "$pg"',
  'exec >/dev/null',
  '( read -r _ <&3; kill -CONT "$pg" 2>/dev/null; kill -QUIT "$pg" 2>/dev/null; n=0;',
  '  while kill -0 "$pg" 2>/dev/null && [ "$n" -lt 150 ]; do sleep 0.1; n=$((n+1)); done;',
  '  kill -KILL "$pg" 2>/dev/null ) &',
  'w=$!',
  'exec 3<&-',
  'wait "$pg"',
  'rc=$?',
  'kill "$w" 2>/dev/null',
  'exit "$rc"',
].join('\n');

export interface ServerSpec {
  name: string;
  /** node directory: holds data/ and server.log */
  dir: string;
  port: number;
  bins: PgBinaries;
  user: OsUser;
}

/** A PostgreSQL server run by faultline on this machine, as a child process (the local NodeProcess). */
export class PgServer implements NodeProcess {
  readonly dataDir: string;
  readonly logFile: string;
  private child: ChildProcess | null = null;
  private exited: Promise<number | null> | null = null;
  private untrack: (() => void) | null = null;
  pid: number | null = null;
  paused = false;
  /** why the server is down: set by stop()/kill(); `exited` when it went away on its own */
  downReason: 'stopped' | 'killed' | 'exited' = 'stopped';
  private intent: 'stopped' | 'killed' | null = null;
  /** what a failed initdb printed (kept for the run's results: the node directory is removed) */
  initdbOutput: string | null = null;

  get name(): string {
    return this.spec.name;
  }

  constructor(readonly spec: ServerSpec) {
    this.dataDir = join(spec.dir, 'data');
    this.logFile = join(spec.dir, 'server.log');
  }

  private own(path: string): void {
    if (!this.spec.user.self) chownSync(path, this.spec.user.uid, this.spec.user.gid);
  }

  private env(): NodeJS.ProcessEnv {
    return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: this.spec.dir, LC_ALL: 'C', LANG: 'C', TZ: 'UTC', PGTZ: 'UTC' };
  }

  private ids(): { uid?: number; gid?: number } {
    return this.spec.user.self ? {} : { uid: this.spec.user.uid, gid: this.spec.user.gid };
  }

  /** Creates the node directory (mode 0755), an empty data directory (0700) owned by the server user. */
  prepareDirs(): void {
    mkdirSync(this.spec.dir, { recursive: true, mode: 0o755 });
    this.own(this.spec.dir);
    rmSync(this.dataDir, { recursive: true, force: true });
    mkdirSync(this.dataDir, { mode: 0o700 });
    this.own(this.dataDir);
  }

  async initdb(password: string): Promise<void> {
    this.prepareDirs();
    const ino = statSync(this.dataDir).ino;
    const pwfile = join(this.spec.dir, 'pwfile');
    writeFileSync(pwfile, password + '\n', { mode: 0o600 });
    this.own(pwfile);
    // initdb's own backends: dynamic shared memory in the data directory, so a backend that dies there (a full
    // disk makes it PANIC) leaves no /dev/shm/PostgreSQL.* file; the server's settings are written afterwards
    const dsm = this.spec.bins.major >= 16 ? ['-c', 'dynamic_shared_memory_type=mmap'] : [];
    try {
      await execFileAsync(
        this.spec.bins.initdb,
        ['-D', this.dataDir, '-U', 'postgres', '--auth=scram-sha-256', `--pwfile=${pwfile}`, '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions', ...dsm],
        { env: this.env(), cwd: this.spec.dir, ...this.ids() },
      );
    } catch (err) {
      const e = err as Error & { stderr?: string; stdout?: string };
      this.initdbOutput = `${e.stdout ?? ''}${e.stderr ?? ''}`;
      // a backend that PANICked keeps its System V segment (keyed from the data directory's inode)
      removeDataDirSegments(ino, this.spec.user.uid, isAlive);
      const cause = causeOf(e.stderr ?? '')?.line ?? e.stderr?.trim().split('\n').pop() ?? e.message;
      throw new Error(`initdb for ${this.spec.name} failed: ${cause}`);
    } finally {
      rmSync(pwfile, { force: true });
    }
  }

  /** Writes a file into the data directory, owned by the server user. */
  writeDataFile(rel: string, content: string, mode = 0o600): void {
    const p = join(this.dataDir, rel);
    writeFileSync(p, content, { mode });
    this.own(p);
  }

  async writeFile(rel: string, content: string, mode = 0o600): Promise<void> {
    this.writeDataFile(rel, content, mode);
  }

  /** A base backup of a server on this machine (cloneInto: backup API and a filtered copy of its data directory). */
  async cloneFrom(source: NodeProcess, sourceAdmin: pg.ClientConfig, slot: string): Promise<void> {
    if (!(source instanceof PgServer)) throw new Error(`cannot clone ${this.name} from ${source.name}: not a server on this machine`);
    await cloneInto(source, sourceAdmin, this, slot);
  }

  get running(): boolean {
    return this.child !== null;
  }

  /** Starts postgres and waits until it accepts connections with `probe`. */
  async start(probe: pg.ClientConfig, timeoutMs = 60_000): Promise<void> {
    if (this.child) return;
    const watch = new LogWatch(this.logFile);
    // 0600: a failed statement is logged with its text, and CREATE SUBSCRIPTION's carries the password
    const logFd = openSync(this.logFile, 'a', 0o600);
    let child: ChildProcess;
    try {
      child = spawn('sh', ['-c', WRAPPER, 'faultline-pg', this.spec.bins.postgres, '-D', this.dataDir], {
        stdio: ['pipe', 'pipe', logFd],
        env: this.env(),
        cwd: this.spec.dir,
        detached: true,
        ...this.ids(),
      });
    } finally {
      closeSync(logFd);
    }
    this.child = child;
    this.paused = false;
    this.intent = null;
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    void this.exited.then(() => {
      if (this.child === child) {
        this.downReason = this.intent ?? 'exited';
        this.child = null;
        this.pid = null;
        this.paused = false;
        this.untrack?.();
        this.untrack = null;
      }
    });
    const pid = await new Promise<number>((resolve, reject) => {
      let buf = '';
      const stdout = child.stdout!;
      stdout.setEncoding('utf8');
      stdout.on('data', (d: string) => {
        buf += d;
        const nl = buf.indexOf('\n');
        if (nl >= 0) resolve(Number(buf.slice(0, nl)));
      });
      child.once('error', reject);
      child.once('exit', () => reject(new Error(`postgres wrapper for ${this.spec.name} exited early`)));
    });
    this.pid = pid;
    child.unref();
    for (const st of [child.stdin, child.stdout]) (st as unknown as { unref?: () => void } | null)?.unref?.();
    const untrack = track({
      name: `postgres ${this.spec.name}`,
      pid,
      stop: () => this.stop(),
      killNow: () => {
        try {
          process.kill(pid, 'SIGCONT');
          process.kill(pid, 'SIGQUIT');
        } catch {
          // gone
        }
      },
    });
    this.untrack = untrack;
    try {
      await this.waitReady(probe, timeoutMs, watch);
    } catch (err) {
      await this.kill();
      throw err;
    }
  }

  /**
   * Connects until the server answers. Fails at once, naming the server log's PANIC / FATAL line, when the
   * server exits or the log shows it cannot start (a full disk…); else after `timeoutMs`, with that line too.
   */
  async waitReady(probe: pg.ClientConfig, timeoutMs = 60_000, watch: LogWatch = new LogWatch(this.logFile)): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    const why = (): string => {
      const cause = watch.poll();
      return cause ? `: ${cause.line}` : '';
    };
    for (;;) {
      if (!this.child) throw new Error(`postgres ${this.spec.name} exited during start-up${why() || ` (log: ${this.logTail(1)})`}`);
      const cause = watch.poll();
      if (cause?.hopeless) throw new Error(`postgres ${this.spec.name} cannot start: ${cause.line}`);
      const refused = await answers(probe, 2000);
      if (refused === null) return;
      last = refused;
      if (Date.now() > deadline) throw new Error(`postgres ${this.spec.name} not ready after ${timeoutMs} ms (${last})${why()}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  logTail(lines = 15): string {
    try {
      return readFileSync(this.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }

  private async waitExit(timeoutMs: number): Promise<boolean> {
    const exited = this.exited;
    if (!this.child || !exited) return true;
    let timer: NodeJS.Timeout | undefined;
    const ok = await Promise.race([
      exited.then(() => true),
      new Promise<boolean>((r) => {
        timer = setTimeout(() => r(false), timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    return ok;
  }

  /** Fast shutdown (SIGINT); falls back to kill after `timeoutMs`. */
  async stop(timeoutMs = 30_000): Promise<void> {
    const pid = this.pid;
    if (!this.child || pid === null) return;
    if (this.paused) await this.resume();
    this.intent = 'stopped';
    try {
      process.kill(pid, 'SIGINT');
    } catch {
      // already exiting
    }
    if (!(await this.waitExit(timeoutMs))) await this.kill();
  }

  /** SIGKILL to the postmaster and every process below it; resolves when all are gone. */
  async kill(): Promise<void> {
    const pid = this.pid;
    if (!this.child || pid === null) return;
    this.intent = 'killed';
    try {
      process.kill(pid, 'SIGSTOP'); // freeze the tree so no child is forked while we collect it
    } catch {
      // gone
    }
    const pids = [pid, ...descendants(pid)];
    for (const p of pids) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        // gone
      }
    }
    await this.waitExit(10_000);
    await waitGone(pids, 10_000);
    removeOrphanSegments(new Set([pid]));
  }

  /** SIGSTOP to the postmaster first (no new children), then to every descendant. */
  async pause(): Promise<void> {
    const pid = this.pid;
    if (!this.child || pid === null) return;
    process.kill(pid, 'SIGSTOP');
    for (const p of descendants(pid)) {
      try {
        process.kill(p, 'SIGSTOP');
      } catch {
        // gone
      }
    }
    this.paused = true;
  }

  async resume(): Promise<void> {
    const pid = this.pid;
    if (!this.child || pid === null) return;
    for (const p of descendants(pid)) {
      try {
        process.kill(p, 'SIGCONT');
      } catch {
        // gone
      }
    }
    try {
      process.kill(pid, 'SIGCONT');
    } catch {
      // gone
    }
    this.paused = false;
  }

  /** All PIDs of this server right now (postmaster first). */
  pids(): number[] {
    return this.pid !== null && isAlive(this.pid) ? [this.pid, ...descendants(this.pid)] : [];
  }
}
