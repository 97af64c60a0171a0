// Finds the ops that checker results name as anomalous, so pictures can highlight them: every checker's typed
// `anomalies` (checkers/types.ts Anomaly: the ops by invoke index), labelled by a function that renders words from
// the anomaly's data. Also links each lost set element to the op that wrote it and the reads around its loss. Pure.
import type { ReadRef } from '../../checkers/set.js';
import { resultOf } from '../../checkers/suite.js';
import type { Anomaly } from '../../checkers/types.js';
import type { Json, Key, Op } from '../history/types.js';
import type { RunResults } from '../store/index.js';

export interface Highlight {
  /** position of the op in PairedHistory.ops */
  op: number;
  labels: string[];
  /** the anomaly types behind the labels ("lost", "nonlinearizable", "read-out-of-bounds", "G2-item"…) */
  kinds?: string[];
  /** elements the labels name (lost or stale set elements), for summaries */
  elements?: Json[];
}

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Index ops by invoke and completion event index for fast lookups. */
class OpIndex {
  private readonly byEvent = new Map<number, number>();
  constructor(ops: readonly Op[]) {
    ops.forEach((op, i) => {
      this.byEvent.set(op.invokeIndex, i);
      if (op.completeIndex !== null) this.byEvent.set(op.completeIndex, i);
    });
  }
  /** the op whose invoke (or completion) event has this index */
  find(eventIndex: number): number | null {
    return this.byEvent.get(eventIndex) ?? null;
  }
}

function short(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 24 ? `${s.slice(0, 23)}…` : s;
}

/** The items of a checker list: a plain array, or a capped list {count, items, truncated}. */
export function listItems(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (isRec(v) && Array.isArray(v.items)) return v.items;
  return [];
}

/** A checker's anomalies when they have the shared shape (type, ops by invoke index); null when it has none. */
export function typedAnomalies(data: unknown): Anomaly[] | null {
  if (!isRec(data) || !Array.isArray(data.anomalies) || data.anomalies.length === 0) return null;
  const ok = data.anomalies.every((a) => isRec(a) && typeof a.type === 'string' && Array.isArray(a.ops) && a.ops.every((i) => typeof i === 'number'));
  return ok ? (data.anomalies as Anomaly[]) : null;
}

/** The element an anomaly is about (set lost / unexpected / duplicated), when its data names one. */
function elementOf(a: Anomaly): Json | undefined {
  return isRec(a.data) && 'element' in a.data ? (a.data.element as Json) : undefined;
}

/** A highlight's label, rendered from the anomaly's data: "lost 3", "cannot be linearized", "counter: read 5 outside [7, 9]". */
export function anomalyLabel(checker: string, a: Anomaly): string {
  const keys = a.keys?.length ? ` [${a.keys.map((k) => short(k)).join(', ')}]` : '';
  const d = isRec(a.data) ? a.data : {};
  switch (a.type) {
    case 'nonlinearizable':
      return `cannot be linearized${keys}`;
    case 'read-out-of-bounds': {
      const e = Array.isArray(d.expected) ? d.expected : [];
      return `${checker}: read ${short(d.value)} outside [${short(e[0])}, ${short(e[1])}]${keys}`;
    }
    default: {
      const element = elementOf(a);
      return `${a.type}${keys}${element !== undefined ? ` ${short(element)}` : ''}`;
    }
  }
}

/** All highlighted ops, in op order, each with its labels (uncapped: pictures say what they could not draw). */
export function findHighlights(results: RunResults | null, ops: readonly Op[], maxHighlights = Number.POSITIVE_INFINITY): Highlight[] {
  if (!results || !isRec(results.checkers)) return [];
  const index = new OpIndex(ops);
  const found = new Map<number, Highlight>();
  const add = (i: number, label: string, kind: string, element?: Json): void => {
    const h = found.get(i) ?? { op: i, labels: [], kinds: [] };
    if (!h.labels.includes(label)) h.labels.push(label);
    if (!(h.kinds as string[]).includes(kind)) (h.kinds as string[]).push(kind);
    if (element !== undefined) h.elements = [...(h.elements ?? []), element];
    found.set(i, h);
  };
  for (const [name, data] of Object.entries(results.checkers)) {
    if (!isRec(data) || data.valid === true) continue;
    for (const a of typedAnomalies(data) ?? []) {
      const label = anomalyLabel(name, a);
      const element = elementOf(a);
      for (const inv of a.ops) {
        const i = index.find(inv);
        if (i !== null) add(i, label, a.type, element);
      }
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
  const set = resultOf(results?.checkers, 'set');
  if (!set || !isRec(set.lost)) return { links: [], count: 0 };
  const index = new OpIndex(ops);
  // results written before the checker named the add by its invoke index: the first add of the element
  const writes = new Map<string, number>();
  ops.forEach((op, i) => {
    if (op.f !== 'add' || op.type === 'fail') return;
    const k = JSON.stringify([op.key ?? null, op.invokeValue]);
    if (!writes.has(k)) writes.set(k, i);
  });
  const readAt = (ref: ReadRef | null | undefined): number | null => (ref && typeof ref.index === 'number' ? index.find(ref.index) : null);
  const links = set.lost.items.map((x): LostLink => {
    const write = typeof x.add === 'number' ? index.find(x.add) : (writes.get(JSON.stringify([x.key ?? null, x.element])) ?? null);
    const link: LostLink = { element: x.element, write, lastSeen: readAt(x.lastSeenBy), missedBy: readAt(x.firstMissedBy) };
    if (x.key !== undefined) link.key = x.key;
    if (x.firstMissedBy?.final === true && typeof x.firstMissedBy.node === 'string') link.missedByFinal = x.firstMissedBy.node;
    return link;
  });
  return { links, count: set.lost.count };
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
