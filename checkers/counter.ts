// Counter checker (Jepsen counter semantics, generalised to negative deltas): every ok read must lie between
// the bounds its concurrent adds allow; final reads per node are compared with the acknowledged adds.
// Keyed histories (ops with `key`) are checked per key.
import type { Json, Key, Op, PairedHistory } from '../src/history/types.js';
import { CappedList, opRef, type OpRef } from './ref.js';
import { explained, type Explanation } from './explain.js';
import type { Anomaly, CheckContext, CheckResult, Checker } from './types.js';

/** A counter op's values are ill-typed: returns what was expected, or null when fine. */
export function counterOpProblem(op: Op): string | null {
  if (op.f === 'add' && (typeof op.invokeValue !== 'number' || !Number.isFinite(op.invokeValue))) {
    return `expected the "value" of a counter add to be a number (the delta); got ${JSON.stringify(op.invokeValue)}`;
  }
  if (op.f === 'read' && op.type === 'ok' && op.value !== null && (typeof op.value !== 'number' || !Number.isFinite(op.value))) {
    return `expected the "value" of an ok counter read to be a number; got ${JSON.stringify(op.value)}`;
  }
  return null;
}

/** Sums of positive and negative deltas of the points before a history index. */
class PrefixSums {
  private readonly at: Float64Array;
  private readonly pos: Float64Array;
  private readonly neg: Float64Array;

  constructor(points: Array<[index: number, delta: number]>) {
    points.sort((a, b) => a[0] - b[0]);
    this.at = new Float64Array(points.length);
    this.pos = new Float64Array(points.length + 1);
    this.neg = new Float64Array(points.length + 1);
    points.forEach(([i, d], k) => {
      this.at[k] = i;
      this.pos[k + 1] = this.pos[k] + (d > 0 ? d : 0);
      this.neg[k + 1] = this.neg[k] + (d < 0 ? d : 0);
    });
  }

  /** Sums over the points whose index is < q. */
  before(q: number): { pos: number; neg: number } {
    let lo = 0;
    let hi = this.at.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.at[mid] < q) lo = mid + 1;
      else hi = mid;
    }
    return { pos: this.pos[lo], neg: this.neg[lo] };
  }
}

export interface CounterReadError {
  op: OpRef;
  key?: Key;
  value: number;
  /** [lower, upper] bounds the read had to lie within */
  expected: [number, number];
}

export interface CounterFinal {
  value: number;
  /** sum of acknowledged (ok) deltas */
  acknowledged: number;
  /** [lower, upper] bounds a final value may take, counting info adds as maybe applied */
  possible: [number, number];
  /** how far below the lower bound the value is (0 if none) */
  lost: number;
  /** how far above the upper bound the value is (0 if none) */
  unexpected: number;
  /** false: the node had not caught up when read (the settlement's `unsettled`); its value is then not judged */
  settled?: false;
  reason?: string;
  /** an unsettled node's distance from the bounds (negative: below the lower bound), shown, not judged */
  behind?: number;
}

/** data of a counter anomaly: a read (or a node's final value) outside the bounds the adds allow. */
export interface CounterBounds {
  value: number;
  /** [lower, upper] */
  expected: [number, number];
  [extra: string]: Json;
}

/** The counter checker's result. */
export interface CounterResult extends CheckResult {
  /** ok reads checked */
  reads: number;
  /** reads out of bounds (all counted; `errors` keeps the first ones) */
  errorCount: number;
  errors: CounterReadError[];
  errorsTruncated?: true;
  /** per node (per key for a keyed counter): its final value against the bounds */
  final?: Record<string, CounterFinal | Record<string, CounterFinal>>;
  /**
   * `read-out-of-bounds` (a read outside the bounds its concurrent adds allow), `lost` (a settled node's final
   * value below the lower bound: acknowledged adds missing), `unexpected` (above the upper bound)
   */
  anomalies: Anomaly<'read-out-of-bounds' | 'lost' | 'unexpected', CounterBounds>[];
  /** no final read is of a settled node: node → why (the final values are then not judged) */
  noneSettled?: Record<string, string>;
  /** unsettled nodes whose value lies outside the bounds: node → why (shown, not judged) */
  behind?: Record<string, string>;
}

interface Group {
  adds: Op[];
  reads: Op[];
}

function groupKey(k: Key | undefined): string {
  return k === undefined ? '' : String(k);
}

function num(v: Json, what: string): number {
  if (v === null) return 0;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${what}: expected a number, got ${JSON.stringify(v)}`);
  return v;
}

/** Check a counter history: read bounds and, when ctx.final is given, final values per node. */
export function checkCounter(history: PairedHistory, ctx: CheckContext = {}): CounterResult {
  const groups = new Map<string, Group & { key?: Key }>();
  for (const op of history.ops) {
    if (op.f !== 'add' && op.f !== 'read') continue;
    const gk = groupKey(op.key);
    let g = groups.get(gk);
    if (!g) {
      g = { adds: [], reads: [] };
      if (op.key !== undefined) g.key = op.key;
      groups.set(gk, g);
    }
    if (op.f === 'add') g.adds.push(op);
    else if (op.type === 'ok') g.reads.push(op);
  }

  const errors = new CappedList<CounterReadError>();
  let readsChecked = 0;
  const totals = new Map<string, { acknowledged: number; lower: number; upper: number }>();
  for (const [gk, g] of groups) {
    const certain: Array<[number, number]> = [];
    const possible: Array<[number, number]> = [];
    let cPos = 0;
    let cNeg = 0;
    let pPos = 0;
    let pNeg = 0;
    for (const a of g.adds) {
      if (a.type === 'fail') continue;
      const d = num(a.invokeValue, `add at index ${a.invokeIndex}`);
      possible.push([a.invokeIndex, d]);
      if (d > 0) pPos += d;
      else pNeg += d;
      if (a.type === 'ok' && a.completeIndex !== null) {
        certain.push([a.completeIndex, d]);
        if (d > 0) cPos += d;
        else cNeg += d;
      }
    }
    totals.set(gk, { acknowledged: cPos + cNeg, lower: cPos + pNeg, upper: pPos + cNeg });
    const C = new PrefixSums(certain);
    const P = new PrefixSums(possible);
    for (const r of g.reads) {
      readsChecked++;
      const v = num(r.value, `read at index ${r.invokeIndex}`);
      const c = C.before(r.invokeIndex);
      const p = P.before(r.completeIndex ?? Number.POSITIVE_INFINITY);
      const lower = c.pos + p.neg;
      const upper = p.pos + c.neg;
      if (v < lower || v > upper) {
        const e: CounterReadError = { op: opRef(r), value: v, expected: [lower, upper] };
        if (g.key !== undefined) e.key = g.key;
        errors.add(e);
      }
    }
  }

  const result: CounterResult = { valid: errors.count === 0, reads: readsChecked, errorCount: errors.count, errors: errors.toJSON().items, anomalies: [] };
  if (errors.count > errors.toJSON().items.length) result.errorsTruncated = true;
  for (const e of result.errors) {
    const a: Anomaly<'read-out-of-bounds', CounterBounds> = { type: 'read-out-of-bounds', ops: [e.op.index], data: { value: e.value, expected: e.expected } };
    if (e.key !== undefined) a.keys = [e.key];
    if (e.op.node !== undefined) a.nodes = [e.op.node];
    result.anomalies.push(a);
  }

  if (ctx.final) {
    const finals: Record<string, CounterFinal | Record<string, CounterFinal>> = {};
    const unsettled = ctx.settlement?.unsettled ?? {};
    let settledFinals = 0;
    let behind = 0;
    const judge = (node: string, value: number, gk: string, key: Key | undefined, settled: boolean, reason: string | undefined): CounterFinal => {
      const t = totals.get(gk) ?? { acknowledged: 0, lower: 0, upper: 0 };
      const short = value < t.lower ? t.lower - value : 0;
      const over = value > t.upper ? value - t.upper : 0;
      const f: CounterFinal = { value, acknowledged: t.acknowledged, possible: [t.lower, t.upper], lost: settled ? short : 0, unexpected: settled ? over : 0 };
      if (!settled) {
        // a node read before it caught up shows how far it got, not what the cluster kept: not judged
        f.settled = false;
        if (reason !== undefined) f.reason = reason;
        if (short > 0 || over > 0) {
          f.behind = value - (short > 0 ? t.lower : t.upper);
          behind++;
        }
      }
      if (f.lost > 0 || f.unexpected > 0) {
        const a: Anomaly<'lost' | 'unexpected', CounterBounds> = {
          type: f.lost > 0 ? 'lost' : 'unexpected',
          ops: [],
          nodes: [node],
          data: { value, expected: f.possible, by: f.lost > 0 ? f.lost : f.unexpected, acknowledged: t.acknowledged },
        };
        if (key !== undefined) a.keys = [key];
        result.anomalies.push(a);
      }
      return f;
    };
    for (const [node, v] of Object.entries(ctx.final)) {
      const settled = !(node in unsettled);
      if (settled) settledFinals++;
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
        const perKey: Record<string, CounterFinal> = {};
        const keys = new Set([...groups.keys()].filter((k) => k !== ''));
        for (const k of Object.keys(v)) keys.add(k);
        for (const k of [...keys].sort()) perKey[k] = judge(node, num(v[k] ?? null, `final read of ${node} key ${k}`), k, groups.get(k)?.key ?? k, settled, unsettled[node]);
        finals[node] = perKey;
      } else {
        finals[node] = judge(node, num(v, `final read of ${node}`), '', undefined, settled, unsettled[node]);
      }
    }
    result.final = finals;
    if (result.anomalies.some((a) => a.type !== 'read-out-of-bounds')) result.valid = false;
    else if (settledFinals === 0 && Object.keys(ctx.final).length > 0 && result.valid === true) {
      result.valid = 'unknown';
      result.noneSettled = { ...unsettled };
    }
    if (behind > 0) result.behind = Object.fromEntries(Object.entries(unsettled).filter(([n]) => n in finals));
  }
  return explained(result, explainCounter);
}

/** The counter result in words, rendered from its data. */
export function explainCounter(r: CounterResult): Explanation {
  const reasons: string[] = [];
  const first = r.errors[0];
  if (first) {
    reasons.push(
      `${r.errorCount} read${r.errorCount === 1 ? '' : 's'} out of bounds; first: read at index ${first.op.index}` +
        `${first.key !== undefined ? ` of key ${JSON.stringify(first.key)}` : ''} returned ${first.value}, expected ${first.expected[0]}..${first.expected[1]}`,
    );
  }
  const badFinals = r.anomalies.filter((a) => a.type !== 'read-out-of-bounds').length;
  if (badFinals > 0) reasons.push(`${badFinals} final value${badFinals === 1 ? '' : 's'} out of bounds`);
  else if (r.noneSettled) {
    reasons.push(`no final read is of a settled node (${Object.entries(r.noneSettled).map(([n, why]) => `${n}: ${why}`).join('; ')}): the final values are not judged`);
  }
  const warnings = Object.entries(r.behind ?? {}).map(([n, why]) => `${n} had not caught up when read (${why}): its final value is not judged`);
  return { reason: reasons.length > 0 ? reasons.join('; ') : undefined, warnings };
}

/** The counter checker under the Checker seam. */
export const counterChecker: Checker<CounterResult> = (history, ctx) => checkCounter(history, ctx);
