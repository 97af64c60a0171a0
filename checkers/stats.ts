// Stats checker: ok / fail / info counts per f and overall, and the errors behind fail / info grouped by kind.
// Never invalid; warns when some f never succeeded.
import type { PairedHistory } from '../src/history/types.js';
import type { CheckResult, Checker } from './types.js';

export interface OutcomeCounts {
  count: number;
  ok: number;
  fail: number;
  info: number;
  /** info ops that never completed (included in info) */
  pending: number;
}

/** One kind of error: the same error text on the same f with the same outcome. */
export interface ErrorKind {
  type: 'fail' | 'info';
  f: string;
  /** the error text as recorded (SQLSTATE first for a server error), cut at MAX_ERROR_CHARS */
  error: string;
  count: number;
  /** how many of them each node gave */
  nodes: Record<string, number>;
  /** the invoke index of the first such op */
  first: number;
}

/** How many error kinds the result keeps (most frequent first); `errorKinds` counts them all. */
export const MAX_ERROR_KINDS = 20;
const MAX_ERROR_CHARS = 200;

function zero(): OutcomeCounts {
  return { count: 0, ok: 0, fail: 0, info: 0, pending: 0 };
}

function count(t: OutcomeCounts, type: 'ok' | 'fail' | 'info', pending: boolean): void {
  t.count++;
  if (type === 'ok') t.ok++;
  else if (type === 'fail') t.fail++;
  else t.info++;
  if (pending) t.pending++;
}

/** The stats checker's result: outcome counts overall and per f, the errors behind fail / info. Always valid. */
export interface StatsResult extends CheckResult, OutcomeCounts {
  valid: true;
  byF: Record<string, OutcomeCounts>;
  /** the most frequent error kinds (at most MAX_ERROR_KINDS) */
  errors: ErrorKind[];
  /** how many error kinds there were in all */
  errorKinds: number;
  /** nemesis events */
  nemesis: number;
}

/** Count client op outcomes; nemesis events are counted apart. */
export function checkStats(history: PairedHistory): StatsResult {
  const total = zero();
  const byF: Record<string, OutcomeCounts> = {};
  const kinds = new Map<string, ErrorKind>();
  for (const op of history.ops) {
    const c = (byF[op.f] ??= zero());
    count(c, op.type, op.completeIndex === null);
    count(total, op.type, op.completeIndex === null);
    if (op.type === 'ok') continue;
    const error = op.completeIndex === null ? 'never completed' : (op.error ?? 'no error given').slice(0, MAX_ERROR_CHARS);
    const id = `${op.type}\u0000${op.f}\u0000${error}`;
    let kind = kinds.get(id);
    if (!kind) kinds.set(id, (kind = { type: op.type, f: op.f, error, count: 0, nodes: {}, first: op.invokeIndex }));
    kind.count++;
    const node = op.node ?? '?';
    kind.nodes[node] = (kind.nodes[node] ?? 0) + 1;
  }
  const errors = [...kinds.values()].sort((a, b) => b.count - a.count || a.first - b.first).slice(0, MAX_ERROR_KINDS);
  const result: StatsResult = { valid: true, ...total, byF, errors, errorKinds: kinds.size, nemesis: history.nemesis.length };
  const warnings = Object.entries(byF)
    .filter(([, c]) => c.ok === 0)
    .map(([f, c]) => `no ${f} succeeded (${c.count} attempted: ${c.fail} failed, ${c.info} indeterminate)`);
  if (warnings.length > 0) result.warnings = warnings;
  return result;
}

/** The stats checker under the Checker seam. */
export const statsChecker: Checker<StatsResult> = (history) => checkStats(history);
