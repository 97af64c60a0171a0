// HostNode: one PostgreSQL server on a Remote (a host over SSH, or this machine): initdb, configuration files,
// start (tied to faultline by the spawn watchdog: it goes when faultline goes), readiness (postmaster.pid), fast stop, SIGKILL,
// SIGSTOP/SIGCONT of the whole process tree, the server log fetched into the run directory, and cleanup.
import { RemoteError, tail } from '../remote/errors.js';
import { shQuote } from '../remote/shell.js';
import type { ExecOptions, Remote, RemoteProcess } from '../remote/types.js';

export interface HostNodeSpec {
  name: string;
  remote: Remote;
  /** PostgreSQL's bin directory on the host */
  pgBin: string;
  /** the OS user PostgreSQL runs as */
  user: string;
  /** the node's directory on the host (created; holds data/, server.log, the socket) — removed by remove() */
  dir: string;
  /** the address it listens on (and peers and clients connect to) */
  listen: string;
  port: number;
}

export type StopMode = 'smart' | 'fast' | 'immediate';

export class HostNode {
  readonly dataDir: string;
  readonly logFile: string;
  private proc: RemoteProcess | null = null;
  paused = false;
  /** the superuser initdb created (readiness probes connect as it) */
  superuser = 'postgres';

  constructor(readonly spec: HostNodeSpec) {
    this.dataDir = `${spec.dir}/data`;
    this.logFile = `${spec.dir}/server.log`;
  }

  get pid(): number | null {
    return this.proc?.running ? this.proc.pid : null;
  }

  get running(): boolean {
    return this.proc?.running ?? false;
  }

  /** The running (or last) postmaster process: its `exited` says when and how it ended. */
  get process(): RemoteProcess | null {
    return this.proc;
  }

  private bin(b: string): string {
    return `${this.spec.pgBin}/${b}`;
  }

  private as(extra: ExecOptions = {}): ExecOptions {
    return { user: this.spec.user, cwd: this.spec.dir, env: { LC_ALL: 'C', LANG: 'C', TZ: 'UTC', PGTZ: 'UTC' }, timeoutMs: 300_000, ...extra };
  }

  private fail(detail: string): RemoteError {
    return new RemoteError(this.spec.remote.name, this.spec.remote.where, 'postgres', `${this.spec.name}: ${detail}`);
  }

  /** Creates the node directory (0700, owned by the server user). */
  async prepare(): Promise<void> {
    await this.spec.remote.exec({ sh: `umask 077 && mkdir -p ${shQuote(this.spec.dir)}` }, { user: this.spec.user, check: true, timeoutMs: 60_000 });
  }

  /** initdb with a superuser (password auth when a password is given, from a 0600 file removed afterwards). */
  async initdb(opts: { superuser?: string; password?: string; args?: readonly string[] } = {}): Promise<void> {
    this.superuser = opts.superuser ?? 'postgres';
    const args = [this.bin('initdb'), '-D', this.dataDir, '-U', this.superuser, '-E', 'UTF8', '--locale=C', '--no-sync'];
    const pwfile = `${this.spec.dir}/.pwfile`;
    if (opts.password !== undefined) {
      await this.spec.remote.upload(Buffer.from(`${opts.password}\n`), pwfile, { mode: 0o600, user: this.spec.user });
      args.push(`--pwfile=${pwfile}`, '--auth=scram-sha-256');
    } else args.push('--auth=trust');
    try {
      const r = await this.spec.remote.exec([...args, ...(opts.args ?? [])], this.as());
      if (r.code !== 0) throw this.fail(`initdb failed: ${tail(r.stderr || r.stdout)}`);
    } finally {
      if (opts.password !== undefined) await this.spec.remote.exec(['rm', '-f', pwfile], this.as()).catch(() => undefined);
    }
  }

  /**
   * Writes faultline's settings to data/faultline.conf (included from postgresql.conf once), with
   * listen_addresses, port and the socket directory always set from the spec.
   */
  async writeConfig(settings: Readonly<Record<string, string | number | boolean>> = {}): Promise<void> {
    const all: Record<string, string | number | boolean> = {
      listen_addresses: this.spec.listen,
      port: this.spec.port,
      unix_socket_directories: this.spec.dir,
      ...settings,
    };
    const lines = Object.entries(all).map(([k, v]) => {
      if (!/^[a-z_][a-z0-9_.]*$/i.test(k)) throw this.fail(`not a setting name: ${JSON.stringify(k)}`);
      const value = typeof v === 'string' ? `'${v.replace(/'/g, "''")}'` : String(v);
      return `${k} = ${value}`;
    });
    await this.spec.remote.upload(Buffer.from(`# written by faultline\n${lines.join('\n')}\n`), `${this.dataDir}/faultline.conf`, { mode: 0o600, user: this.spec.user });
    const conf = shQuote(`${this.dataDir}/postgresql.conf`);
    await this.spec.remote.exec({ sh: `grep -qx "include 'faultline.conf'" ${conf} || echo "include 'faultline.conf'" >> ${conf}` }, this.as({ check: true }));
  }

  /** Writes a file into the data directory (atomically, as the server user). */
  async writeDataFile(rel: string, content: string, mode = 0o600): Promise<void> {
    if (rel.startsWith('/') || rel.split('/').includes('..')) throw this.fail(`not a path inside the data directory: ${JSON.stringify(rel)}`);
    await this.spec.remote.upload(Buffer.from(content), `${this.dataDir}/${rel}`, { mode, user: this.spec.user });
  }

  /** Replaces pg_hba.conf with these lines. */
  async writeHba(lines: readonly string[]): Promise<void> {
    await this.spec.remote.upload(Buffer.from(`# written by faultline\n${lines.join('\n')}\n`), `${this.dataDir}/pg_hba.conf`, { mode: 0o600, user: this.spec.user });
  }

  /**
   * Starts postgres (stderr appended to server.log) and waits until it accepts connections (its postmaster.pid
   * says ready, or standby), or fails with the log's tail.
   */
  async start(opts: { readyTimeoutMs?: number } = {}): Promise<void> {
    if (this.running) return;
    this.paused = false;
    this.proc = await this.spec.remote.spawn([this.bin('postgres'), '-D', this.dataDir], {
      user: this.spec.user,
      cwd: this.spec.dir,
      env: { LC_ALL: 'C', LANG: 'C', TZ: 'UTC', PGTZ: 'UTC' },
      stderrPath: this.logFile,
      stdoutPath: this.logFile,
      // immediate shutdown when faultline goes away: the postmaster stops its children itself
      orphanSignal: 'QUIT',
      orphanGraceMs: 15_000,
    });
    const ready = this.spec.remote.exec(
      {
        sh: [
          `n=0; limit=${Math.ceil((opts.readyTimeoutMs ?? 120_000) / 100)}`,
          `while [ "$n" -lt "$limit" ]; do`,
          `  kill -0 ${this.proc.pid} 2>/dev/null || { echo "postgres exited" >&2; exit 2; }`,
          // the postmaster's own status line (postmaster.pid line 8, PostgreSQL 10+): ready, or standby for a hot standby
          `  st=$(sed -n 8p ${shQuote(`${this.dataDir}/postmaster.pid`)} 2>/dev/null | tr -d ' ')`,
          `  [ "$st" = ready ] || [ "$st" = standby ] && exit 0`,
          '  sleep 0.1; n=$((n+1))',
          'done',
          'echo "not ready in time" >&2; exit 1',
        ].join('\n'),
      },
      this.as({ timeoutMs: (opts.readyTimeoutMs ?? 120_000) + 30_000 }),
    );
    const r = await ready;
    if (r.code !== 0) {
      const log = await this.logTail();
      throw this.fail(`did not start (${r.stderr.trim() || `exit ${r.code}`}): ${log}`);
    }
  }

  /** The last lines of the server log, on one line. */
  async logTail(lines = 5): Promise<string> {
    const r = await this.spec.remote.exec(['tail', '-n', String(lines), this.logFile], this.as({ timeoutMs: 30_000 })).catch(() => null);
    return r ? tail(r.stdout, lines) : '';
  }

  /** pg_ctl stop -m MODE (resuming a paused server first), then waits for the process to exit. */
  async stop(mode: StopMode = 'fast'): Promise<void> {
    const p = this.proc;
    if (!p?.running) return;
    if (this.paused) await this.resume();
    const r = await this.spec.remote.exec([this.bin('pg_ctl'), 'stop', '-D', this.dataDir, '-m', mode, '-w', '-t', '120'], this.as());
    if (r.code !== 0 && p.running) {
      await p.signal('KILL', 'tree');
    }
    await p.exited;
  }

  /** SIGKILL to the postmaster and every child (a crash), then waits for the exit. */
  async kill(): Promise<void> {
    const p = this.proc;
    if (!p?.running) return;
    await p.signal('KILL', 'tree');
    this.paused = false;
    await p.exited;
  }

  /** SIGSTOP to the whole tree (the server hangs: connections stay open, nothing answers). */
  async pause(): Promise<void> {
    const p = this.proc;
    if (!p?.running || this.paused) return;
    await p.signal('STOP', 'tree');
    this.paused = true;
  }

  async resume(): Promise<void> {
    const p = this.proc;
    if (!p?.running || !this.paused) return;
    await p.signal('CONT', 'tree');
    this.paused = false;
  }

  /** Copies server.log to a local file (0600: logs may quote statements). */
  async fetchLog(localPath: string): Promise<void> {
    await this.spec.remote.download(this.logFile, localPath, { mode: 0o600, user: this.spec.user });
  }

  /** Stops the server (immediate) if it runs, and removes the node directory. */
  async remove(): Promise<void> {
    if (this.running) await this.stop('immediate');
    await this.spec.remote.exec(['rm', '-rf', '--', this.spec.dir], this.as({ cwd: '/', check: true }));
  }
}
