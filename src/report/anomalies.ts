// Finds the ops that checker results name as anomalous (linearizability's failing op, counter reads out of
// bounds, set adds that were lost, any `op` under an invalid checker) so pictures can highlight them. Pure.
import type { Op } from '../history/types.js';
import type { RunResults } from '../runner/results.js';

export interface Highlight {
  /** position of the op in PairedHistory.ops */
  op: number;
  labels: string[];
}

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Does a checker's op-like object (an Op, or a history event) refer to this op? */
export function refersTo(ref: unknown, op: Op): boolean {
  if (!isRec(ref)) return false;
  if (typeof ref.invokeIndex === 'number') return ref.invokeIndex === op.invokeIndex;
  if (typeof ref.index === 'number') return ref.index === op.invokeIndex || ref.index === op.completeIndex;
  if (typeof ref.process === 'number' && typeof ref.time === 'number') {
    return ref.process === op.process && (ref.time === op.invokeTime || ref.time === op.completeTime);
  }
  return false;
}

function isOpLike(v: unknown): v is Rec {
  return isRec(v) && typeof v.f === 'string' && (typeof v.invokeIndex === 'number' || typeof v.index === 'number' || typeof v.process === 'number');
}

/** Index ops by invoke and completion event index for fast lookups. */
class OpIndex {
  private readonly byEvent = new Map<number, number>();
  constructor(private readonly ops: readonly Op[]) {
    ops.forEach((op, i) => {
      this.byEvent.set(op.invokeIndex, i);
      if (op.completeIndex !== null) this.byEvent.set(op.completeIndex, i);
    });
  }
  find(ref: Rec): number | null {
    if (typeof ref.invokeIndex === 'number') return this.byEvent.get(ref.invokeIndex) ?? null;
    if (typeof ref.index === 'number') return this.byEvent.get(ref.index) ?? null;
    const i = this.ops.findIndex((op) => refersTo(ref, op));
    return i >= 0 ? i : null;
  }
}

const SKIP_KEYS = new Set(['prefix', 'window', 'final', 'states', 'linearized', 'history']);

function short(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 24 ? `${s.slice(0, 23)}…` : s;
}

/** Label for an op found under `checker` at a record that may carry lower/upper bounds. */
function labelFor(checker: string, holder: Rec): string {
  if (Array.isArray(holder.expected) && holder.expected.length === 2) return `${checker}: read ${short(holder.value)} outside [${short(holder.expected[0])}, ${short(holder.expected[1])}]`;
  if ('lower' in holder || 'upper' in holder) return `${checker}: outside [${short(holder.lower)}, ${short(holder.upper)}]`;
  if (checker.startsWith('lineariz')) return 'cannot be linearized';
  if (typeof holder.kind === 'string') return `${checker}: ${holder.kind}`;
  return checker;
}

/** Walk a checker's data for `op` fields (and arrays of op-likes under `ops`/`errors`/`stale`). */
function walk(checker: string, v: unknown, depth: number, found: Array<[Rec, string]>): void {
  if (depth > 5) return;
  if (Array.isArray(v)) {
    for (const x of v) walk(checker, x, depth + 1, found);
    return;
  }
  if (!isRec(v)) return;
  for (const [k, x] of Object.entries(v)) {
    if (SKIP_KEYS.has(k)) continue;
    if (k === 'op' && isOpLike(x)) found.push([x, labelFor(checker, v)]);
    else if ((k === 'ops' || k === 'errors') && listItems(x).length > 0 && listItems(x).every(isOpLike)) {
      for (const o of listItems(x)) found.push([o as Rec, labelFor(checker, v)]);
    } else walk(checker, x, depth + 1, found);
  }
}

/** The items of a checker list: a plain array, or a capped list {count, items, truncated}. */
export function listItems(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (isRec(v) && Array.isArray(v.items)) return v.items;
  return [];
}

/** Elements a set checker reports lost: `lost` as elements, or {element} records, plain or capped. */
function lostElements(data: Rec): unknown[] {
  return listItems(data.lost).map((x) => (isRec(x) && 'element' in x ? x.element : x));
}

/** Set stale reads: items {element, firstMissedBy: {index, …}} — the read that missed an acknowledged element. */
function staleReads(data: Rec): Array<[Rec, string]> {
  const out: Array<[Rec, string]> = [];
  for (const x of listItems(data.stale)) {
    if (isRec(x) && isRec(x.firstMissedBy) && typeof x.firstMissedBy.index === 'number') out.push([x.firstMissedBy, `stale read (missed ${short(x.element)})`]);
  }
  return out;
}

/** All highlighted ops, in op order, each with its labels. */
export function findHighlights(results: RunResults | null, ops: readonly Op[], maxHighlights = 200): Highlight[] {
  if (!results || !isRec(results.checkers)) return [];
  const index = new OpIndex(ops);
  const labels = new Map<number, string[]>();
  const add = (i: number, label: string): void => {
    const l = labels.get(i) ?? [];
    if (!l.includes(label)) l.push(label);
    labels.set(i, l);
  };
  for (const [name, data] of Object.entries(results.checkers)) {
    if (!isRec(data) || data.valid === true) continue;
    const found: Array<[Rec, string]> = [];
    walk(name, data, 0, found);
    found.push(...staleReads(data));
    for (const [ref, label] of found) {
      const i = index.find(ref);
      if (i !== null) add(i, label);
    }
    const lost = lostElements(data);
    if (lost.length > 0) {
      const want = new Set(lost.map((x) => JSON.stringify(x)));
      ops.forEach((op, i) => {
        if (op.f === 'add' && op.type !== 'fail' && want.has(JSON.stringify(op.invokeValue))) add(i, `lost ${short(op.invokeValue)}`);
      });
    }
  }
  return [...labels.entries()]
    .sort((a, b) => a[0] - b[0])
    .slice(0, maxHighlights)
    .map(([op, l]) => ({ op, labels: l }));
}

/** [first invoke, last completion] of the highlighted ops, or null. */
export function highlightSpan(highlights: readonly Highlight[], ops: readonly Op[], runEnd: number): [number, number] | null {
  if (highlights.length === 0) return null;
  let lo = Infinity;
  let hi = -Infinity;
  for (const h of highlights) {
    const op = ops[h.op];
    if (!op) continue;
    lo = Math.min(lo, op.invokeTime);
    hi = Math.max(hi, op.completeTime ?? runEnd);
  }
  return Number.isFinite(lo) ? [lo, hi] : null;
}
