// HostServer: the NodeProcess of a node on a host of a hosts file — a HostNode (PostgreSQL over a Remote) seen
// through the cluster's seam: initdb, files in the data directory, cloneFrom as pg_basebackup run on this host
// from the source's host, start with readiness checked from here too, signals, and the log fetched to a local copy.
import { mkdirSync } from 'node:fs';
import { dirname, posix } from 'node:path';
import type pg from 'pg';
import { HostNode } from '../hosts/pg-node.js';
import { RemoteError, tail } from '../remote/errors.js';
import { shQuote } from '../remote/shell.js';
import type { Remote } from '../remote/types.js';
import { recreateSlot } from './clone.js';
import type { DownReason, NodeProcess } from './process.js';
import { answers, withClient } from './sql.js';

export interface HostServerSpec {
  name: string;
  remote: Remote;
  /** PostgreSQL's bin directory on the host, and the OS user it runs as there */
  pgBin: string;
  pgUser: string;
  /** the address it listens on, which the other hosts and faultline connect to */
  address: string;
  port: number;
  /** the node's directory on the host (inside the run's scratch directory) */
  dir: string;
  /** where the server log is fetched to on this machine */
  localLog: string;
}

/** PostgreSQL on a host, as the cluster sees a server. */
export class HostServer implements NodeProcess {
  readonly node: HostNode;
  downReason: DownReason = 'stopped';
  initdbOutput: string | null = null;
  private intent: 'stopped' | 'killed' | null = null;

  constructor(readonly spec: HostServerSpec) {
    this.node = new HostNode({ name: spec.name, remote: spec.remote, pgBin: spec.pgBin, user: spec.pgUser, dir: spec.dir, listen: spec.address, port: spec.port });
  }

  get name(): string {
    return this.spec.name;
  }
  get logFile(): string {
    return this.spec.localLog;
  }
  get running(): boolean {
    return this.node.running;
  }
  get paused(): boolean {
    return this.node.paused;
  }
  get pid(): number | null {
    return this.node.pid;
  }

  private fail(detail: string): RemoteError {
    return new RemoteError(this.spec.remote.name, this.spec.remote.where, 'postgres', `${this.spec.name}: ${detail}`);
  }

  async initdb(password: string): Promise<void> {
    await this.node.prepare();
    try {
      await this.node.initdb({ superuser: 'postgres', password });
    } catch (err) {
      this.initdbOutput = err instanceof RemoteError ? err.detail : String(err);
      throw err;
    }
  }

  writeFile(rel: string, content: string, mode = 0o600): Promise<void> {
    return this.node.writeDataFile(rel, content, mode);
  }

  /**
   * A base backup of `source` (a server on another host) into this node's data directory: the slot is made
   * fresh on the source, then pg_basebackup runs on this host as the server user, straight from the source's
   * address, streaming WAL through the slot; the password goes in a 0600 passfile removed afterwards.
   */
  async cloneFrom(source: NodeProcess, sourceAdmin: pg.ClientConfig, slot: string): Promise<void> {
    if (!(source instanceof HostServer)) throw new Error(`cannot clone ${this.name} from ${source.name}: not a server on a host`);
    if (this.running) throw new Error(`cannot clone ${this.name}: it is running`);
    await withClient(sourceAdmin, (c) => recreateSlot(c, slot));
    const remote = this.spec.remote;
    const user = this.spec.pgUser;
    // beside the node's directory (the run's directory exists; the node's may not yet)
    const passfile = `${posix.dirname(this.spec.dir)}/.pgpass-${this.name}`;
    const src = source.spec;
    const login = String(sourceAdmin.user ?? 'postgres');
    const esc = (v: string): string => v.replace(/\\/g, '\\\\').replace(/:/g, '\\:');
    await remote.upload(Buffer.from(`${esc(src.address)}:${src.port}:*:${esc(login)}:${esc(String(sourceAdmin.password ?? ''))}\n`), passfile, { mode: 0o600, user });
    const conn = `host=${src.address} port=${src.port} user=${login} sslmode=disable application_name=faultline-clone-${this.name} connect_timeout=10`;
    const data = shQuote(this.node.dataDir);
    // one round trip: the node's directory, an empty data directory, the backup, standby.signal, the passfile gone
    const r = await remote.exec(
      {
        sh: [
          `trap 'rm -f -- ${shQuote(passfile)}' EXIT`,
          `umask 077 && mkdir -p ${shQuote(this.spec.dir)} && rm -rf -- ${data} || exit 1`,
          `${shQuote(`${this.spec.pgBin}/pg_basebackup`)} -D ${data} -d ${shQuote(conn)} -X stream -S ${shQuote(slot)} --checkpoint=fast --no-sync --no-password || exit $?`,
          `: > ${shQuote(`${this.node.dataDir}/standby.signal`)}`,
        ].join('\n'),
      },
      { user, cwd: '/', env: { PGPASSFILE: passfile, LC_ALL: 'C', LANG: 'C' }, timeoutMs: 600_000 },
    );
    if (r.code !== 0) throw this.fail(`pg_basebackup from ${source.name} (${src.address}:${src.port}) failed: ${r.timedOut ? 'timed out' : tail(r.stderr || r.stdout)}`);
  }

  /** Starts the server on its host (ready when its postmaster says so there), then waits until it answers here too. */
  async start(probe: pg.ClientConfig, timeoutMs = 120_000): Promise<void> {
    if (this.running) return;
    this.intent = null;
    try {
      await this.node.start({ readyTimeoutMs: timeoutMs });
    } catch (err) {
      if (this.running) await this.kill();
      throw err;
    }
    const proc = this.node.process;
    void proc?.exited.then(() => {
      if (this.node.process === proc) this.downReason = this.intent ?? 'exited';
    });
    const deadline = Date.now() + timeoutMs;
    let last = '';
    for (;;) {
      const refused = await answers(probe, 5000);
      if (refused === null) return;
      last = refused;
      if (!this.running) throw this.fail(`exited during start-up: ${await this.node.logTail()}`);
      if (Date.now() > deadline) {
        await this.kill();
        throw this.fail(`answers on its host but not from here at ${this.spec.address}:${this.spec.port} after ${timeoutMs} ms (${last})`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.intent = 'stopped';
    this.downReason = 'stopped';
    await this.node.stop('fast');
  }

  /** SIGKILL of the whole tree, then the System V segment the dead postmaster leaves (nattch 0) is removed. */
  async kill(): Promise<void> {
    const pid = this.node.pid;
    if (!this.running || pid === null) return;
    this.intent = 'killed';
    this.downReason = 'killed';
    await this.node.kill();
    await this.spec.remote
      .exec(
        {
          sh: `[ -r /proc/sysvipc/shm ] || exit 0\nawk -v p=${pid} 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next } $c["cpid"] == p && $c["nattch"] == 0 { print $c["shmid"] }' /proc/sysvipc/shm | while read -r id; do ipcrm -m "$id" 2>/dev/null; done; exit 0`,
        },
        { user: this.spec.pgUser, timeoutMs: 30_000 },
      )
      .catch(() => undefined);
  }

  pause(): Promise<void> {
    return this.node.pause();
  }

  resume(): Promise<void> {
    return this.node.resume();
  }

  /** Copies the server log from the host to `logFile` (best effort: none before the first start). */
  async fetchLog(): Promise<void> {
    mkdirSync(dirname(this.spec.localLog), { recursive: true });
    const r = await this.spec.remote.exec({ sh: `[ -f ${shQuote(this.node.logFile)} ]` }, { user: this.spec.pgUser, timeoutMs: 30_000 });
    if (r.code !== 0) return;
    await this.node.fetchLog(this.spec.localLog);
  }
}
