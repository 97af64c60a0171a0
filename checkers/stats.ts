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
  // counts by f in a Map: an object's hidden class would differ with each history's order of fs, and the optimized
  // loop would be thrown away (deoptimized) at every new one
  const byF = new Map<string, OutcomeCounts>();
  // error kinds by their text, then by type and f (no key is built per op: the texts can be long)
  const byError = new Map<string, ErrorKind[]>();
  let kindCount = 0;
  let lastF: string | null = null;
  let c = total;
  for (const op of history.ops) {
    if (op.f !== lastF) {
      lastF = op.f;
      let counts = byF.get(op.f);
      if (counts === undefined) byF.set(op.f, (counts = zero()));
      c = counts;
    }
    const pending = op.completeIndex === null;
    count(c, op.type, pending);
    count(total, op.type, pending);
    if (op.type === 'ok') continue;
    const text = pending ? 'never completed' : (op.error ?? 'no error given');
    const error = text.length > MAX_ERROR_CHARS ? text.slice(0, MAX_ERROR_CHARS) : text;
    let same = byError.get(error);
    if (same === undefined) byError.set(error, (same = []));
    let kind = same.find((k) => k.type === op.type && k.f === op.f);
    if (kind === undefined) {
      same.push((kind = { type: op.type, f: op.f, error, count: 0, nodes: {}, first: op.invokeIndex }));
      kindCount++;
    }
    kind.count++;
    const node = op.node ?? '?';
    kind.nodes[node] = (kind.nodes[node] ?? 0) + 1;
  }
  // most frequent first; ties by the first op (each op is of one kind, so the order is total)
  const errors = [...byError.values()]
    .flat()
    .sort((a, b) => b.count - a.count || a.first - b.first)
    .slice(0, MAX_ERROR_KINDS);
  const result: StatsResult = { valid: true, ...total, byF: Object.fromEntries(byF), errors, errorKinds: kindCount, nemesis: history.nemesis.length };
  const warnings = [...byF]
    .filter(([, c]) => c.ok === 0)
    .map(([f, c]) => `no ${f} succeeded (${c.count} attempted: ${c.fail} failed, ${c.info} indeterminate)`);
  if (warnings.length > 0) result.warnings = warnings;
  return result;
}

/** The stats checker under the Checker seam. */
export const statsChecker: Checker<StatsResult> = (history) => checkStats(history);
