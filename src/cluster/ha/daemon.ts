// One long-running HA process (etcd, Patroni, pg_autoctl, pgpool) as the unprivileged server user: started detached
// with its output in a log file, registered with the stack's guard, and signalled by PID only: kill = SIGKILL of the
// daemon alone (its children, e.g. a managed postgres, keep running), stop = SIGTERM then SIGKILL, pause/resume.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import type { OsUser } from '../osuser.js';
import type { Guard } from './guard.js';

export interface DaemonSpec {
  /** unique in the stack: `etcd-e1`, `patroni-n1` */
  name: string;
  command: string;
  args: readonly string[];
  env?: Record<string, string>;
  cwd: string;
  logFile: string;
  user: OsUser;
}

export class Daemon {
  private child: ChildProcess | null = null;
  private exit: Promise<void> = Promise.resolve();
  pid: number | null = null;
  paused = false;
  /** how the last life ended: null while running or before the first start */
  lastExit: { code: number | null; signal: NodeJS.Signals | null } | null = null;

  constructor(
    readonly spec: DaemonSpec,
    private readonly guard: Guard,
  ) {}

  private args: readonly string[] | null = null;

  /** Arguments for the next starts (pg_autoctl: `create … --run` once, then `run`). */
  useArgs(args: readonly string[]): void {
    this.args = args;
  }

  get running(): boolean {
    return this.child !== null;
  }

  start(): void {
    if (this.child) return;
    const s = this.spec;
    const fd = openSync(s.logFile, 'a', 0o600);
    let child: ChildProcess;
    try {
      child = spawn(s.command, [...(this.args ?? s.args)], {
        stdio: ['ignore', fd, fd],
        cwd: s.cwd,
        detached: true,
        env: { PATH: '/usr/bin:/bin:/usr/sbin:/sbin', LC_ALL: 'C.UTF-8', LANG: 'C.UTF-8', HOME: s.cwd, ...s.env },
        ...(s.user.self ? {} : { uid: s.user.uid, gid: s.user.gid }),
      });
    } finally {
      closeSync(fd);
    }
    child.unref();
    this.child = child;
    this.pid = child.pid ?? null;
    this.paused = false;
    this.lastExit = null;
    if (this.pid !== null) this.guard.daemon(s.name, this.pid);
    this.exit = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        if (this.child === child) {
          this.child = null;
          this.pid = null;
          this.paused = false;
          this.lastExit = { code, signal };
          this.guard.daemon(s.name, null);
        }
        resolve();
      });
      child.once('error', () => resolve());
    });
  }

  private signal(sig: NodeJS.Signals): void {
    if (this.pid === null) return;
    try {
      process.kill(this.pid, sig);
    } catch {
      // gone
    }
  }

  /** SIGKILL of the daemon process only; resolves once it is gone. */
  async kill(): Promise<void> {
    if (!this.child) return;
    this.signal('SIGCONT');
    this.signal('SIGKILL');
    await this.exit;
  }

  /** `signal` (SIGTERM; resumed first), SIGKILL after `timeoutMs`. */
  async stop(timeoutMs = 30_000, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (!this.child) return;
    this.signal('SIGCONT');
    this.signal(signal);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((r) => (timer = setTimeout(() => r(true), timeoutMs)));
    const done = await Promise.race([this.exit.then(() => false), timedOut]);
    clearTimeout(timer);
    if (done) await this.kill();
  }

  pause(): void {
    this.signal('SIGSTOP');
    if (this.child) this.paused = true;
  }

  resume(): void {
    this.signal('SIGCONT');
    this.paused = false;
  }

  /** Resolves when the current life ends. */
  exited(): Promise<void> {
    return this.exit;
  }
}
