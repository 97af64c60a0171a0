// Retries: how many ops clients retried on another node after a failure, and whether the retry succeeded
// (reached a healthy node). Informational: always valid; derived from the history's retry/retryOf fields.
import type { Op, PairedHistory } from '../src/history/types.js';
import type { CheckContext, CheckResult } from './types.js';

export interface ClientRetries {
  client: number;
  ops: number;
  retries: number;
  /** retries that ended ok */
  retriesOk: number;
  /** retries that went to a different node than the attempt they retried */
  rerouted: number;
  /** of those, how many ended ok */
  reroutedOk: number;
}

/** The retries checker's result (informational: always valid). */
export interface RetriesResult extends CheckResult {
  valid: true;
  retries: number;
  retriesOk: number;
  rerouted: number;
  reroutedOk: number;
  /** retries that ended ok, per node */
  okByNode: Record<string, number>;
  perClient: ClientRetries[];
}

export function retriesChecker(history: PairedHistory, ctx: CheckContext = {}): RetriesResult {
  const n = ctx.concurrency && ctx.concurrency > 0 ? ctx.concurrency : Number.POSITIVE_INFINITY;
  const byInvoke = new Map<number, Op>();
  for (const op of history.ops) byInvoke.set(op.invokeIndex, op);
  const clients = new Map<number, ClientRetries>();
  const okByNode: Record<string, number> = {};
  for (const op of history.ops) {
    const client = Number.isFinite(n) ? op.process % n : op.process;
    let c = clients.get(client);
    if (!c) clients.set(client, (c = { client, ops: 0, retries: 0, retriesOk: 0, rerouted: 0, reroutedOk: 0 }));
    c.ops++;
    if (op.retry === undefined) continue;
    c.retries++;
    if (op.type === 'ok') {
      c.retriesOk++;
      if (op.node) okByNode[op.node] = (okByNode[op.node] ?? 0) + 1;
    }
    const prior = op.retryOf === undefined ? undefined : byInvoke.get(op.retryOf);
    if (prior && prior.node !== op.node) {
      c.rerouted++;
      if (op.type === 'ok') c.reroutedOk++;
    }
  }
  const perClient = [...clients.values()].sort((a, b) => a.client - b.client);
  const sum = (k: keyof ClientRetries): number => perClient.reduce((s, c) => s + c[k], 0);
  return {
    valid: true,
    retries: sum('retries'),
    retriesOk: sum('retriesOk'),
    rerouted: sum('rerouted'),
    reroutedOk: sum('reroutedOk'),
    okByNode,
    perClient,
  };
}
