// A client process: performs a workload's ops against the node its router picks, one at a time, and
// records every invoke and completion in the history with an honest outcome (see classify.ts).
import pg from 'pg';
import type { Workload, WorkloadOp, GenContext } from '../../workloads/types.js';
import type { HistoryWriter } from '../history/writer.js';
import type { Json } from '../history/types.js';
import { classifyError, isSyncRepCancelNotice } from './classify.js';
import type { Router } from './routing.js';
import type { Rng } from './rng.js';

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
  /** the op in flight, for the timeout watchdog (one interval per client, not a timer per query) */
  private inflight: { started: number; conn: pg.Client; timedOut: boolean } | null = null;

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
    const f = this.inflight;
    if (!f || f.timedOut || Date.now() - f.started < this.o.opTimeoutMs) return;
    f.timedOut = true;
    // end the socket at once: a graceful end would wait forever on a black-holed link
    (f.conn as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
  }

  private async loop(): Promise<void> {
    const gen: GenContext = { rng: this.o.rng, client: this.o.client, concurrency: this.o.concurrency, unique: this.o.unique };
    while (!this.o.stopped()) {
      if (this.o.meanIntervalMs > 0) await sleep(this.o.rng.exp(this.o.meanIntervalMs));
      if (this.o.stopped()) break;
      const op = this.o.workload.generate(gen);
      let node = this.o.router.pick(this.o.client, op);
      let retryOf: number | undefined;
      for (let attempt = 0; ; attempt++) {
        const { outcome, invokeIndex } = await this.perform(op, node, attempt, retryOf);
        this.o.onOutcome?.(outcome);
        if (outcome === 'ok' || attempt >= this.o.maxRetries || this.o.stopped()) break;
        const next = this.o.router.next(this.o.client, node, op);
        if (next === undefined) break;
        node = next;
        retryOf = invokeIndex;
      }
    }
  }

  private async perform(op: WorkloadOp, node: string, attempt: number, retryOf: number | undefined): Promise<{ outcome: Outcome; invokeIndex: number }> {
    // events are plain literals of one shape, not spreads of a shared base: two spreads per event cost
    // more than the rest of the history path together (bench/runner.bench.ts)
    const w = this.o.writer;
    const process = this.process;
    const { f, key } = op;
    const inv =
      attempt > 0
        ? w.append({ process, type: 'invoke', f, key, value: op.value, node, retry: attempt, retryOf })
        : w.append({ process, type: 'invoke', f, key, value: op.value, node });
    const invokeIndex = inv.index;
    let conn: pg.Client;
    const existing = this.conns.get(node);
    if (existing) conn = existing;
    else {
      try {
        conn = await this.connect(node);
      } catch (err) {
        w.append({ process, type: 'fail', f, key, value: op.value, node, error: `connect: ${message(err)}` });
        return { outcome: 'fail', invokeIndex };
      }
    }
    this.syncRepCancelled = false;
    const inflight = { started: Date.now(), conn, timedOut: false };
    this.inflight = inflight;
    try {
      const value: Json = await this.o.workload.invoke(conn, op);
      this.inflight = null;
      if (op.write && this.syncRepCancelled) {
        this.becomeNewProcess();
        w.append({ process, type: 'info', f, key, value: op.value, node, error: SYNC_REP_CANCELLED });
        return { outcome: 'info', invokeIndex };
      }
      w.append({ process, type: 'ok', f, key, value, node });
      return { outcome: 'ok', invokeIndex };
    } catch (caught) {
      this.inflight = null;
      const err = inflight.timedOut ? new Error(`timeout: no reply within ${this.o.opTimeoutMs} ms`) : caught;
      const sent = !NOT_QUERYABLE.test(message(err));
      const c = classifyError(err, { write: op.write, sent });
      if (connectionLost(err)) this.drop(node);
      w.append({ process, type: c.type, f, key, value: op.value, node, error: c.error });
      if (c.type === 'info') this.becomeNewProcess();
      return { outcome: c.type, invokeIndex };
    }
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
