// A node whose postgres an HA manager (Patroni, pg_autoctl) starts and restarts: the cluster's NodeProcess for it.
// kill = SIGKILL of postgres only (the manager brings it back), pause = SIGSTOP of manager and postgres, stop = the
// manager's own shutdown plus any orphan postmaster; the manager itself is a Daemon the stack gives it.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';
import { descendants, isAlive, signalTree, startTimeOf } from '../../util/processes.js';
import type { DownReason, Endpoint, NodeProcess } from '../process.js';
import { withClient } from '../sql.js';
import type { Daemon } from './daemon.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Waits until `cond` holds, polling every `everyMs`; throws `what` after `timeoutMs`. */
export async function waitFor(what: string, cond: () => Promise<boolean> | boolean, timeoutMs: number, everyMs = 200): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > end) throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** The postmaster PID a data directory's postmaster.pid names while it lives, else null. */
export function postmasterPid(dataDir: string): number | null {
  try {
    const pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? pid : null;
  } catch {
    return null;
  }
}

/** A node whose postgres an HA manager runs (Patroni, pg_autoctl): the cluster's NodeProcess over the manager. */
export class ManagedMember implements NodeProcess {
  readonly endpoint: Endpoint;
  daemon: Daemon | null = null;
  dataDir = '';
  paused = false;
  private reason: DownReason = 'stopped';
  private stopping = false;

  constructor(readonly name: string) {
    this.endpoint = { host: '127.0.0.1', port: 0, user: 'postgres', password: '', database: 'postgres' };
  }

  get logFile(): string | null {
    return this.daemon?.spec.logFile ?? null;
  }
  get pid(): number | null {
    return this.dataDir ? postmasterPid(this.dataDir) : null;
  }
  get running(): boolean {
    return this.pid !== null;
  }
  get downReason(): DownReason {
    return this.reason;
  }
  get initdbOutput(): string | null {
    return null;
  }

  async initdb(): Promise<void> {
    throw new Error('the HA manager bootstraps its members itself');
  }
  async writeFile(rel: string, content: string, mode = 0o600): Promise<void> {
    writeFileSync(join(this.dataDir, rel), content, { mode });
  }
  async cloneFrom(): Promise<void> {
    throw new Error('the HA manager clones its members itself');
  }

  /** Starts the manager if it is down and waits until postgres accepts `probe`. */
  async start(probe: pg.ClientConfig, timeoutMs = 120_000): Promise<void> {
    this.resume();
    if (this.daemon && !this.daemon.running) this.daemon.start();
    await waitFor(`${this.name}'s postgres to accept connections`, async () => {
      try {
        await withClient({ ...probe, connectionTimeoutMillis: 2000 }, async (c) => c.query('SELECT 1'));
        return true;
      } catch {
        return false;
      }
    }, timeoutMs, 300);
    this.reason = 'exited';
  }

  /** Stops the manager (it shuts its postgres down) and any postmaster it left behind. */
  async stop(timeoutMs = 30_000): Promise<void> {
    this.stopping = true;
    this.resume();
    // the manager's own children (pg_autoctl's services) outlive a manager SIGKILLed after its stop timed out
    const children = (this.daemon?.pid != null ? descendants(this.daemon.pid) : []).map((p) => ({ p, started: startTimeOf(p) }));
    await this.daemon?.stop(timeoutMs);
    const pid = this.pid;
    if (pid !== null) {
      signalTree(pid, 'SIGCONT');
      process.kill(pid, 'SIGQUIT');
      await waitFor(`${this.name}'s postmaster to exit`, () => !isAlive(pid), 15_000, 100).catch(() => signalTree(pid, 'SIGKILL'));
    }
    // only a process that is still the one seen before (same start time: its PID not reused meanwhile)
    for (const c of children) if (c.started !== null && startTimeOf(c.p) === c.started) signalTree(c.p, 'SIGKILL');
    this.reason = 'stopped';
    this.stopping = false;
  }

  /** SIGKILL of postgres only (the postmaster and its children); the manager, if running, starts it again. */
  async kill(): Promise<void> {
    const pid = this.pid;
    if (pid === null) return;
    signalTree(pid, 'SIGSTOP');
    signalTree(pid, 'SIGKILL');
    await waitFor(`${this.name}'s postmaster to die`, () => !isAlive(pid), 10_000, 50);
    this.reason = 'killed';
    this.paused = false;
  }

  /** SIGSTOP of the manager and of postgres: the member freezes, its leader key expires after the TTL. */
  async pause(): Promise<void> {
    this.daemon?.pause();
    const pid = this.pid;
    if (pid !== null) signalTree(pid, 'SIGSTOP');
    this.paused = true;
  }

  async resume(): Promise<void> {
    const pid = this.pid;
    if (pid !== null) signalTree(pid, 'SIGCONT');
    this.daemon?.resume();
    this.paused = false;
  }

  get isStopping(): boolean {
    return this.stopping;
  }
}

