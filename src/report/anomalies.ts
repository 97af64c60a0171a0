// Finds the ops that checker results name as anomalous, so pictures can highlight them: a checker's typed
// `anomalies` (checkers/types.ts Anomaly) when it reports them, else a walk of its data (linearizability's
// failing op, counter reads out of bounds, set adds that were lost, stale reads, any `op` under an invalid
// checker). Also links each lost element to the op that wrote it and the reads around its loss. Pure.
import type { Anomaly } from '../../checkers/types.js';
import type { Json, Key, Op } from '../history/types.js';
import type { RunResults } from '../runner/results.js';

export interface Highlight {
  /** position of the op in PairedHistory.ops */
  op: number;
  labels: string[];
  /** the anomaly kinds behind the labels ("lost", "stale read", "cannot be linearized", a checker's name) */
  kinds?: string[];
  /** elements the labels name (lost or stale set elements), for summaries */
  elements?: Json[];
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

/** A checker's typed anomalies, when it reports them (issue 13's shape); null when it does not. */
export function typedAnomalies(data: unknown): Anomaly[] | null {
  if (!isRec(data) || !Array.isArray(data.anomalies) || data.anomalies.length === 0) return null;
  const ok = data.anomalies.every((a) => isRec(a) && typeof a.type === 'string' && Array.isArray(a.ops) && a.ops.every((i) => typeof i === 'number'));
  return ok ? (data.anomalies as Anomaly[]) : null;
}

/** The kind word of a label: "lost 707" → "lost", "set: outside […]" → "set", "stale read (missed 3)" → "stale read". */
function kindOf(label: string): string {
  return /^stale read/.test(label) ? 'stale read' : /^cannot be linearized/.test(label) ? 'cannot be linearized' : (label.split(/[: ]/)[0] ?? label);
}

/** All highlighted ops, in op order, each with its labels (uncapped: pictures say what they could not draw). */
export function findHighlights(results: RunResults | null, ops: readonly Op[], maxHighlights = Number.POSITIVE_INFINITY): Highlight[] {
  if (!results || !isRec(results.checkers)) return [];
  const index = new OpIndex(ops);
  const found = new Map<number, Highlight>();
  const add = (i: number, label: string, kind = kindOf(label), element?: Json): void => {
    const h = found.get(i) ?? { op: i, labels: [], kinds: [] };
    if (!h.labels.includes(label)) h.labels.push(label);
    if (!(h.kinds as string[]).includes(kind)) (h.kinds as string[]).push(kind);
    if (element !== undefined) h.elements = [...(h.elements ?? []), element];
    found.set(i, h);
  };
  for (const [name, data] of Object.entries(results.checkers)) {
    if (!isRec(data) || data.valid === true) continue;
    const typed = typedAnomalies(data);
    if (typed) {
      for (const a of typed) {
        const keys = a.keys?.length ? ` [${a.keys.map((k) => short(k)).join(', ')}]` : '';
        const element = isRec(a.data) && 'element' in a.data ? (a.data.element as Json) : undefined;
        for (const inv of a.ops) {
          const i = index.find({ invokeIndex: inv });
          if (i !== null) add(i, `${a.type}${keys}${element !== undefined ? ` ${short(element)}` : ''}`, a.type, element);
        }
      }
      continue;
    }
    const refs: Array<[Rec, string]> = [];
    walk(name, data, 0, refs);
    refs.push(...staleReads(data));
    for (const [ref, label] of refs) {
      const i = index.find(ref);
      if (i !== null) add(i, label);
    }
    const lost = lostElements(data);
    if (lost.length > 0) {
      const want = new Set(lost.map((x) => JSON.stringify(x)));
      ops.forEach((op, i) => {
        if (op.f === 'add' && op.type !== 'fail' && want.has(JSON.stringify(op.invokeValue))) add(i, `lost ${short(op.invokeValue)}`, 'lost', op.invokeValue);
      });
    }
  }
  return [...found.values()].sort((a, b) => a.op - b.op).slice(0, maxHighlights);
}

/** A lost set element with the ops around its loss (positions in ops; null: not in the history). */
export interface LostLink {
  element: Json;
  key?: Key;
  /** the add that wrote it (acknowledged, or of unknown outcome) */
  write: number | null;
  /** the last read that saw it */
  lastSeen: number | null;
  /** the first read that missed it after it was known (null with missedByFinal: a node's final read) */
  missedBy: number | null;
  missedByFinal?: string;
}

/** Every lost element the set checker kept (lost.items), linked to its ops, and the checker's total count. */
export function lostLinks(results: RunResults | null, ops: readonly Op[]): { links: LostLink[]; count: number } {
  const set = results && isRec(results.checkers) ? results.checkers.set : undefined;
  if (!isRec(set) || !isRec(set.lost)) return { links: [], count: 0 };
  const items = listItems(set.lost).filter(isRec);
  const count = typeof set.lost.count === 'number' ? set.lost.count : items.length;
  const index = new OpIndex(ops);
  const writes = new Map<string, number>();
  ops.forEach((op, i) => {
    if (op.f !== 'add' || op.type === 'fail') return;
    const k = JSON.stringify([op.key ?? null, op.invokeValue]);
    if (!writes.has(k)) writes.set(k, i);
  });
  const readAt = (ref: unknown): number | null => (isRec(ref) && typeof ref.index === 'number' ? index.find({ invokeIndex: ref.index }) : null);
  const links = items.map((x): LostLink => {
    const element = (x.element ?? null) as Json;
    const key = x.key as Key | undefined;
    const missed = x.firstMissedBy;
    // the checker names the add by its invoke index (newer results); else the first add of the element
    const write = typeof x.add === 'number' ? index.find({ invokeIndex: x.add }) : (writes.get(JSON.stringify([key ?? null, element])) ?? null);
    const link: LostLink = { element, write, lastSeen: readAt(x.lastSeenBy), missedBy: readAt(missed) };
    if (key !== undefined) link.key = key;
    if (isRec(missed) && missed.final === true && typeof missed.node === 'string') link.missedByFinal = missed.node;
    return link;
  });
  return { links, count };
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
