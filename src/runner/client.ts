// A client process: performs a workload's ops against the node its router picks, one at a time, and
// records every invoke and completion in the history with an honest outcome (see classify.ts).
import pg from 'pg';
import type { Workload, WorkloadOp, GenContext } from '../../workloads/types.js';
import type { HistoryWriter } from '../history/writer.js';
import type { Json } from '../history/types.js';
import { abortedBeforeCommit, classifyError, isSyncRepCancelNotice } from './classify.js';
import type { Router } from './routing.js';
import type { Rng } from '../util/rng.js';

export interface ClientOptions {
  client: number;
  concurrency: number;
  workload: Workload;
  writer: HistoryWriter;
  router: Router;
  rng: Rng;
  /** connection settings for a node (through its client proxy) */
  connectionFor(node: string): pg.ClientConfig;
  /** client-side timeout per op, ms: a timed-out write is info */
  opTimeoutMs: number;
  /** mean pause between ops of this client, ms (0: back to back) */
  meanIntervalMs: number;
  /** retry a failed op on the next node (routing `any`), at most this many times */
  maxRetries: number;
  unique(): number;
  stopped(): boolean;
  /** called with each completion's outcome (progress counters) */
  onOutcome?(type: Outcome): void;
}

type Outcome = 'ok' | 'fail' | 'info';

const SYNC_REP_CANCELLED = '01000 sync replication wait cancelled: committed locally, maybe not replicated';
const NOT_QUERYABLE = /not queryable|Client was closed|Cannot use a pool after calling end/i;

export class Client {
  private process: number;
  private readonly conns = new Map<string, pg.Client>();
  private syncRepCancelled = false;
  /**
   * the op in flight, for the timeout watchdog (one interval per client, not a timer per query): its
   * connection (null when none), when it started, and whether the watchdog ended it
   */
  private inflightConn: pg.Client | null = null;
  private inflightStarted = 0;
  private inflightTimedOut = false;

  constructor(private readonly o: ClientOptions) {
    this.process = o.client;
  }

  async run(): Promise<void> {
    const watchdog = setInterval(() => this.checkTimeout(), Math.max(10, Math.min(250, this.o.opTimeoutMs / 4)));
    try {
      await this.loop();
    } finally {
      clearInterval(watchdog);
      await this.closeAll();
    }
  }

  /** Client-side op timeout: a reply that does not come in time ends the connection; a write is then info. */
  private checkTimeout(): void {
    const conn = this.inflightConn;
    if (!conn || this.inflightTimedOut || Date.now() - this.inflightStarted < this.o.opTimeoutMs) return;
    this.inflightTimedOut = true;
    // end the socket at once: a graceful end would wait forever on a black-holed link
    (conn as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
  }

  /**
   * One op after another. An attempt is written inline (invoke, perform, complete), not in an async helper:
   * an extra async frame and promise per op showed in the runner bench (bench/runner.bench.ts). Events go to
   * the writer as fields (appendOp), not objects, for the same reason.
   */
  private async loop(): Promise<void> {
    const gen: GenContext = { rng: this.o.rng, client: this.o.client, concurrency: this.o.concurrency, unique: this.o.unique };
    const w = this.o.writer;
    while (!this.o.stopped()) {
      if (this.o.meanIntervalMs > 0) await sleep(this.o.rng.exp(this.o.meanIntervalMs));
      if (this.o.stopped()) break;
      const op = this.o.workload.generate(gen);
      const { f, key } = op;
      let node = this.o.router.pick(this.o.client, op);
      let retryOf: number | undefined;
      for (let attempt = 0; ; attempt++) {
        const process = this.process;
        const invokeIndex =
          attempt > 0
            ? w.append({ process, type: 'invoke', f, key, value: op.value, node, retry: attempt, retryOf }).index
            : w.appendOp(process, 'invoke', f, key, op.value, node);
        let outcome: Outcome;
        let conn = this.conns.get(node);
        if (conn === undefined) {
          try {
            conn = await this.connect(node);
          } catch (err) {
            w.appendOp(process, 'fail', f, key, op.value, node, `connect: ${message(err)}`);
          }
        }
        if (conn === undefined) outcome = 'fail';
        else {
          this.syncRepCancelled = false;
          this.inflightStarted = Date.now();
          this.inflightTimedOut = false;
          this.inflightConn = conn;
          try {
            const value: Json = await this.o.workload.invoke(conn, op);
            this.inflightConn = null;
            outcome = this.completed(op, node, value);
          } catch (caught) {
            this.inflightConn = null;
            outcome = this.failed(op, node, caught);
          }
        }
        this.o.onOutcome?.(outcome);
        if (outcome === 'ok' || attempt >= this.o.maxRetries || this.o.stopped()) break;
        const next = this.o.router.next(this.o.client, node, op);
        if (next === undefined) break;
        node = next;
        retryOf = invokeIndex;
      }
    }
  }

  /** The op returned: ok, or info when a write's wait for synchronous replication was cancelled. */
  private completed(op: WorkloadOp, node: string, value: Json): Outcome {
    const process = this.process;
    if (op.write && this.syncRepCancelled) {
      this.becomeNewProcess();
      this.o.writer.appendOp(process, 'info', op.f, op.key, op.value, node, SYNC_REP_CANCELLED);
      return 'info';
    }
    this.o.writer.appendOp(process, 'ok', op.f, op.key, value, node);
    return 'ok';
  }

  /** The op threw: fail or info by what is known of its effect (classify.ts). */
  private failed(op: WorkloadOp, node: string, caught: unknown): Outcome {
    const process = this.process;
    // a transaction the workload reports as failed before its COMMIT went out certainly aborted, timeout or not
    const beforeCommit = abortedBeforeCommit(caught);
    const err = this.inflightTimedOut ? new Error(`timeout: no reply within ${this.o.opTimeoutMs} ms${beforeCommit ? ' (before COMMIT)' : ''}`) : caught;
    const sent = !beforeCommit && !NOT_QUERYABLE.test(message(err));
    const c = classifyError(err, { write: op.write, sent });
    if (connectionLost(err)) this.drop(node);
    this.o.writer.appendOp(process, c.type, op.f, op.key, op.value, node, c.error);
    if (c.type === 'info') this.becomeNewProcess();
    return c.type;
  }

  /** As in Jepsen: a process whose op ended info is hung forever; the client goes on as a new process. */
  private becomeNewProcess(): void {
    this.process += this.o.concurrency;
  }

  /** Open this client's connection to `node` (perform reuses it while it lasts). */
  private async connect(node: string): Promise<pg.Client> {
    const cfg = this.o.connectionFor(node);
    const c = new pg.Client({
      ...cfg,
      connectionTimeoutMillis: this.o.opTimeoutMs,
      application_name: `faultline-client-${this.o.client}`,
    });
    // an idle client without an error listener would crash the process on 57P01 (see notes)
    c.on('error', () => this.drop(node, c));
    c.on('notice', (n) => {
      if (isSyncRepCancelNotice(n)) this.syncRepCancelled = true;
    });
    try {
      await c.connect();
    } catch (err) {
      c.end().catch(() => undefined);
      throw err;
    }
    this.conns.set(node, c);
    return c;
  }

  private drop(node: string, which?: pg.Client): void {
    const c = this.conns.get(node);
    if (!c || (which && which !== c)) return;
    this.conns.delete(node);
    c.end().catch(() => undefined);
  }

  private async closeAll(): Promise<void> {
    const all = [...this.conns.values()];
    this.conns.clear();
    await Promise.all(all.map((c) => withTimeout(c.end(), 2000).catch(() => undefined)));
  }
}

/** Did the error leave the connection unusable? (a server ERROR or a workload's own definite failure does not) */
function connectionLost(err: unknown): boolean {
  if ((err as { definite?: unknown })?.definite === true) return false;
  const code = (err as { code?: unknown })?.code;
  const sqlstate = typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code);
  return !sqlstate || code.startsWith('57P') || code.startsWith('08');
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return Promise.race([p, new Promise<T>((_, rej) => setTimeout(() => rej(new Error('timeout')), ms))]);
}
