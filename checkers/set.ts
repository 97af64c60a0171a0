// Set checker (Jepsen set-full semantics): follows every added element through the reads (and the final
// reads per node) and classifies it stable, stale, lost, never-read, unexpected, recovered, duplicated.
// Keyed histories (ops with `key`) are checked per key; reads are ordered by their invoke index.
import type { Json, Key, Op, PairedHistory } from '../src/history/types.js';
import { CappedList, compactList, type Capped } from './ref.js';
import type { CheckContext, CheckResult, Checker } from './types.js';

/** A set op's values are ill-typed: returns what was expected, or null when fine. */
export function setOpProblem(op: Op): string | null {
  if (op.f === 'add' && op.invokeValue === null) return 'expected the "value" of a set add to be the element; got null';
  if (op.f === 'read' && op.type === 'ok' && !Array.isArray(op.value)) {
    return `expected the "value" of an ok set read to be an array of elements; got ${JSON.stringify(op.value)}`;
  }
  return null;
}

/** Which read: a history read (index = its invoke index) or a node's final read. */
export interface ReadRef {
  index: number | null;
  completeIndex: number | null;
  process?: number;
  node?: string;
  final?: true;
}

interface Read {
  ref: ReadRef;
  invoke: number;
  complete: number;
  /** element ids as read, duplicates included */
  ids: Int32Array;
}

export interface ElementRef {
  element: Json;
  key?: Key;
}

/** Interns elements to dense integer ids; 1 and "1" differ, structured elements compare by their JSON. */
class ElementTable {
  private readonly nums = new Map<number, number>();
  private readonly strs = new Map<string, number>();
  private readonly other = new Map<string, number>();
  readonly values: Json[] = [];

  id(v: Json): number {
    let map: Map<number, number> | Map<string, number>;
    let k: number | string;
    if (typeof v === 'number') {
      map = this.nums;
      k = v;
    } else if (typeof v === 'string') {
      map = this.strs;
      k = v;
    } else {
      map = this.other;
      k = JSON.stringify(v);
    }
    const found = (map as Map<number | string, number>).get(k);
    if (found !== undefined) return found;
    (map as Map<number | string, number>).set(k, this.values.length);
    this.values.push(v);
    return this.values.length - 1;
  }
}

function readElements(v: Json, what: string): Json[] {
  if (!Array.isArray(v)) throw new Error(`${what}: expected an array of elements, got ${JSON.stringify(v)}`);
  return v;
}

function finalFor(v: Json, key: string | null, node: string): Json[] {
  if (key === null) {
    if (v === null) return [];
    return readElements(v, `final read of ${node}`);
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    throw new Error(`final read of ${node}: expected an object of key → elements for a keyed history`);
  }
  const got = v[key];
  return got === undefined || got === null ? [] : readElements(got, `final read of ${node} key ${key}`);
}

class Report {
  stable = 0;
  indeterminate = 0;
  attempted = 0;
  acknowledged = 0;
  reads = 0;
  lost = new CappedList<ElementRef & { known: number; lastSeenBy: ReadRef | null; firstMissedBy: ReadRef }>();
  stale = new CappedList<ElementRef & { known: number; firstMissedBy: ReadRef; seenAgainBy: ReadRef }>();
  neverRead = new CappedList<ElementRef>();
  unexpected = new CappedList<ElementRef & { firstSeenBy: ReadRef; addFailed: boolean }>();
  recovered = new CappedList<ElementRef & { firstSeenBy: ReadRef }>();
  duplicated = new CappedList<ElementRef & { read: ReadRef; copies: number }>();
  final = new Map<string, { lost: CappedList<ElementRef>; unexpected: CappedList<ElementRef> }>();
  /** every lost element by key (uncapped): `lostElements` names them all as ranges */
  lostByKey = new Map<Key | undefined, Json[]>();
}

/** Every lost element, as ranges ("871–1064, 3219–3382"); per key for a keyed set ("1: 5–9; 2: 3"). */
function lostElements(byKey: Map<Key | undefined, Json[]>): string {
  const parts = [...byKey].map(([key, values]) => (key === undefined ? compactList(values, Number.POSITIVE_INFINITY) : `${JSON.stringify(key)}: ${compactList(values, Number.POSITIVE_INFINITY)}`));
  return parts.join('; ');
}

function withKey<T extends object>(o: T, key: Key | undefined): T & { key?: Key } {
  return key === undefined ? o : { ...o, key };
}

/**
 * Check one key's (or the unkeyed) sub-history. Linear in the total size of the reads: element ids are
 * interned, and absences are found as gaps between an element's successive presences (reads in invoke order).
 */
function checkGroup(ops: Op[], key: Key | undefined, finals: Array<[string, Json[]]>, events: number, out: Report): void {
  const table = new ElementTable();
  const adds: Array<[Op, number]> = [];
  const reads: Read[] = [];
  const internRead = (vals: Json[]): Int32Array => {
    const ids = new Int32Array(vals.length);
    for (let i = 0; i < vals.length; i++) ids[i] = table.id(vals[i]);
    return ids;
  };
  for (const op of ops) {
    if (op.f === 'add') adds.push([op, table.id(op.invokeValue)]);
    else if (op.f === 'read' && op.type === 'ok') {
      const ref: ReadRef = { index: op.invokeIndex, completeIndex: op.completeIndex, process: op.process };
      if (op.node !== undefined) ref.node = op.node;
      const ids = internRead(readElements(op.value, `read at index ${op.invokeIndex}`));
      reads.push({ ref, invoke: op.invokeIndex, complete: op.completeIndex ?? events, ids });
    }
  }
  out.reads += reads.length;
  // final reads come after every history read; they are all "invoked" after everything is known
  const finalStart = reads.length;
  for (const [node, vals] of finals) {
    reads.push({ ref: { index: null, completeIndex: null, node, final: true }, invoke: Infinity, complete: events, ids: internRead(vals) });
  }
  const R = reads.length;
  const nFinals = R - finalStart;
  const E = table.values.length;

  const okAdd = new Float64Array(E).fill(Infinity);
  const infoAdd = new Uint8Array(E);
  const anyAdd = new Uint8Array(E);
  for (const [op, id] of adds) {
    anyAdd[id] = 1;
    if (op.type === 'ok' && op.completeIndex !== null) okAdd[id] = Math.min(okAdd[id], op.completeIndex);
    else if (op.type === 'info') infoAdd[id] = 1;
  }

  // pass 1: first sighting (position, completion), duplicates within one read
  const firstSeen = new Float64Array(E).fill(Infinity);
  const firstPos = new Int32Array(E).fill(-1);
  const stamp = new Int32Array(E).fill(-1);
  for (let j = 0; j < R; j++) {
    const r = reads[j];
    let copies: Map<number, number> | null = null;
    for (const id of r.ids) {
      if (stamp[id] === j) {
        copies ??= new Map();
        copies.set(id, (copies.get(id) ?? 1) + 1);
        continue;
      }
      stamp[id] = j;
      if (r.complete < firstSeen[id]) firstSeen[id] = r.complete;
      if (firstPos[id] < 0) firstPos[id] = j;
    }
    if (copies) for (const [id, n] of copies) out.duplicated.add(withKey({ element: table.values[id], read: r.ref, copies: n }, key));
  }

  // when each element became known, and the first read invoked after that (R: none)
  const invokes = reads.map((r) => r.invoke);
  const firstAfter = (k: number): number => {
    let lo = 0;
    let hi = R;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (invokes[mid] <= k) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const known = new Float64Array(E);
  const start = new Int32Array(E);
  for (let id = 0; id < E; id++) {
    known[id] = Math.min(okAdd[id], firstSeen[id]);
    start[id] = known[id] === Infinity ? R : firstAfter(known[id]);
  }

  // pass 2: absences after known = gaps between successive presences at or after start
  const lastPos = new Int32Array(E).fill(-1);
  const firstAbsent = new Int32Array(E).fill(-1);
  const lastAbsent = new Int32Array(E).fill(-1);
  const seenAgain = new Int32Array(E).fill(-1);
  const finalsPresent = new Int32Array(E);
  for (let j = 0; j < R; j++) {
    for (const id of reads[j].ids) {
      if (lastPos[id] === j) continue; // a duplicate
      const s = start[id];
      if (j >= s) {
        const gap = Math.max(lastPos[id] + 1, s);
        if (gap < j) {
          if (firstAbsent[id] < 0) {
            firstAbsent[id] = gap;
            seenAgain[id] = j;
          }
          lastAbsent[id] = j - 1;
        }
      }
      lastPos[id] = j;
      if (j >= finalStart) finalsPresent[id]++;
    }
  }

  const knownIds: number[] = [];
  for (let id = 0; id < E; id++) {
    const value = table.values[id];
    const attempted = okAdd[id] !== Infinity || infoAdd[id] === 1;
    if (anyAdd[id]) out.attempted++;
    if (okAdd[id] !== Infinity) out.acknowledged++;
    if (!attempted) {
      if (firstPos[id] >= 0) out.unexpected.add(withKey({ element: value, firstSeenBy: reads[firstPos[id]].ref, addFailed: anyAdd[id] === 1 }, key));
      continue;
    }
    if (known[id] === Infinity) {
      out.indeterminate++;
      continue;
    }
    knownIds.push(id);
    if (okAdd[id] === Infinity && firstPos[id] >= 0) out.recovered.add(withKey({ element: value, firstSeenBy: reads[firstPos[id]].ref }, key));
    const s = start[id];
    if (s >= R) {
      out.neverRead.add(withKey({ element: value }, key));
      continue;
    }
    const tail = Math.max(lastPos[id] + 1, s);
    if (tail < R) {
      if (firstAbsent[id] < 0) firstAbsent[id] = tail;
      lastAbsent[id] = R - 1;
    }
    const lastPresent = lastPos[id] >= s ? lastPos[id] : -1;
    const lost = finalsPresent[id] < nFinals || (lastAbsent[id] >= 0 && lastAbsent[id] > lastPresent);
    if (lost) {
      let lostHere = out.lostByKey.get(key);
      if (!lostHere) out.lostByKey.set(key, (lostHere = []));
      lostHere.push(value);
      out.lost.add(
        withKey(
          {
            element: value,
            known: known[id],
            lastSeenBy: lastPos[id] >= 0 ? reads[lastPos[id]].ref : null,
            firstMissedBy: reads[firstAbsent[id]].ref,
          },
          key,
        ),
      );
    } else {
      out.stable++;
      if (firstAbsent[id] >= 0) {
        out.stale.add(
          withKey({ element: value, known: known[id], firstMissedBy: reads[firstAbsent[id]].ref, seenAgainBy: reads[seenAgain[id]].ref }, key),
        );
      }
    }
  }

  for (let f = finalStart; f < R; f++) {
    const node = reads[f].ref.node as string;
    let entry = out.final.get(node);
    if (!entry) {
      entry = { lost: new CappedList(), unexpected: new CappedList() };
      out.final.set(node, entry);
    }
    const mark = R + f;
    for (const id of reads[f].ids) {
      if (stamp[id] === mark) continue;
      stamp[id] = mark;
      if (okAdd[id] === Infinity && infoAdd[id] === 0) entry.unexpected.add(withKey({ element: table.values[id] }, key));
    }
    for (const id of knownIds) if (stamp[id] !== mark) entry.lost.add(withKey({ element: table.values[id] }, key));
  }
}

function first<T>(l: CappedList<T>): T | undefined {
  return l.toJSON().items[0];
}

function where(r: ReadRef): string {
  const on = r.node !== undefined ? ` on ${r.node}` : '';
  return r.final ? `the final read${on}` : `the read at index ${r.index}${on}`;
}

/** Check a set history (add / read ops); ctx.final: node → elements (or key → elements for keyed histories). */
export function checkSet(history: PairedHistory, ctx: CheckContext = {}): CheckResult {
  const groups = new Map<string, { key?: Key; ops: Op[] }>();
  for (const op of history.ops) {
    if (op.f !== 'add' && op.f !== 'read') continue;
    const gk = op.key === undefined ? '' : String(op.key);
    let g = groups.get(gk);
    if (!g) {
      g = op.key === undefined ? { ops: [] } : { key: op.key, ops: [] };
      groups.set(gk, g);
    }
    g.ops.push(op);
  }
  const finalEntries = Object.entries(ctx.final ?? {});
  const isObject = (v: Json): boolean => v !== null && typeof v === 'object' && !Array.isArray(v);
  const keyed = [...groups.keys()].some((k) => k !== '') || finalEntries.some(([, v]) => isObject(v));
  if (keyed) {
    for (const [, v] of finalEntries) {
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
        groups.delete('');
        for (const k of Object.keys(v)) if (!groups.has(k)) groups.set(k, { key: k, ops: [] });
      }
    }
  } else if (groups.size === 0 && finalEntries.length > 0) {
    groups.set('', { ops: [] });
  }
  const out = new Report();
  for (const [gk, g] of groups) {
    const finals = finalEntries.map(([node, v]): [string, Json[]] => [node, finalFor(v, g.key === undefined ? null : gk, node) ?? []]);
    checkGroup(g.ops, g.key, finals, history.events, out);
  }

  const valid = out.lost.count === 0 && out.unexpected.count === 0 && out.duplicated.count === 0;
  const result: CheckResult = {
    valid,
    attempted: out.attempted,
    acknowledged: out.acknowledged,
    reads: out.reads,
    stable: out.stable,
    indeterminate: out.indeterminate,
    lost: out.lost.toJSON(),
    lostElements: lostElements(out.lostByKey),
    stale: out.stale.toJSON(),
    neverRead: out.neverRead.toJSON(),
    unexpected: out.unexpected.toJSON(),
    recovered: out.recovered.toJSON(),
    duplicated: out.duplicated.toJSON(),
  };
  if (ctx.final) {
    const fin: Record<string, { lost: Capped<ElementRef>; unexpected: Capped<ElementRef> }> = {};
    for (const [node, f] of out.final) fin[node] = { lost: f.lost.toJSON(), unexpected: f.unexpected.toJSON() };
    result.final = fin;
  }
  const reasons: string[] = [];
  const l = first(out.lost);
  if (l) reasons.push(`${out.lost.count} lost (first: ${JSON.stringify(l.element)}, missed by ${where(l.firstMissedBy)})`);
  const u = first(out.unexpected);
  if (u) reasons.push(`${out.unexpected.count} unexpected (first: ${JSON.stringify(u.element)}, seen by ${where(u.firstSeenBy)})`);
  const d = first(out.duplicated);
  if (d) reasons.push(`${out.duplicated.count} duplicated (first: ${JSON.stringify(d.element)} ×${d.copies} in ${where(d.read)})`);
  if (reasons.length > 0) result.reason = reasons.join('; ');
  return result;
}

/** The set checker under the Checker seam. */
export const setChecker: Checker = (history, ctx) => checkSet(history, ctx);
