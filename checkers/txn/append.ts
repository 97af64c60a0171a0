// list-append inference, after Elle: each key's version order is its longest read (every other read must be a
// prefix of it, else incompatible-order); from it, ww (the append just before mine), wr (who appended the last
// element I read) and rw (who read the state just before my append) edges between txns.
import type { Json, Key } from '../../src/history/types.js';
import { AnomalyCollector, mopOf, txnView } from './collect.js';
import { RW, WR, WW, type EdgeBuffer } from './graph.js';
import { FAIL, NIL, OK, readList, type Interner, type TxnTable } from './table.js';
import type { TxnStep } from './types.js';

/** What the inference knows about versions, kept for explaining edges and for the side analyses. */
export interface AppendIndex {
  /** per value (element) id: the ok / info txn that appended it, or -1 */
  writer: Int32Array;
  /** per element: the txn of any outcome (fail too) that appended it, or -1 */
  anyWriter: Int32Array;
  /** per element: 1 when its writer appended to the same key again later (an intermediate state) */
  intermediate: Uint8Array;
  /** per element: its position in its key's version order, or -1 when no read observed it */
  pos: Int32Array;
  /** version order of key k: order[orderStart[k] .. orderStart[k+1]) */
  orderStart: Int32Array;
  order: Int32Array;
  /** ok read mops (flat mop indexes) grouped by the last element they saw: readers of slot s */
  readerStart: Int32Array;
  readers: Int32Array;
  /** the txn of each flat mop */
  mopTxn: Int32Array;
  /** per key: the mop of its longest read, or -1 */
  longest: Int32Array;
}

/** Slot of a read by what it saw last: an element id, or (valueCount + key) for the initial state. */
function slotOf(valueCount: number, key: number, last: number): number {
  return last === NIL ? valueCount + key : last;
}

const same = (a: Json[], b: Json[], n: number): boolean => {
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
};

/** Build the version orders, set each ok read mop's mopVal to the id of its last element, find order anomalies. */
function versionOrders(t: TxnTable, interner: Interner, mopTxn: Int32Array, out: AnomalyCollector): { longest: Int32Array; orderStart: Int32Array; order: Int32Array; compatible: Uint8Array } {
  const nk = t.keys.length;
  const longest = new Int32Array(nk).fill(-1);
  const longestLen = new Int32Array(nk).fill(-1);
  const nm = t.mopStart[t.n] as number;
  for (let m = 0; m < nm; m++) {
    if (t.mopWrite[m] === 1 || t.type[mopTxn[m]] !== OK) continue;
    const len = readList(t, mopTxn[m], m).length;
    const k = t.mopKey[m];
    if (len > longestLen[k]) {
      longestLen[k] = len;
      longest[k] = m;
    }
  }
  // order: the distinct elements of the longest read
  const orderStart = new Int32Array(nk + 1);
  const orderBuf: number[] = [];
  const seen = new Set<number>();
  for (let k = 0; k < nk; k++) {
    orderStart[k] = orderBuf.length;
    if (longest[k] < 0) continue;
    seen.clear();
    for (const e of readList(t, mopTxn[longest[k]], longest[k])) {
      const id = interner.value(k, e as number | string);
      if (!seen.has(id)) {
        seen.add(id);
        orderBuf.push(id);
      }
    }
  }
  orderStart[nk] = orderBuf.length;
  const order = Int32Array.from(orderBuf);
  // every read: compatible with the longest? its last element; duplicates
  const compatible = new Uint8Array(nm);
  const reported = new Uint8Array(nk);
  for (let m = 0; m < nm; m++) {
    if (t.mopWrite[m] === 1 || t.type[mopTxn[m]] !== OK) continue;
    const k = t.mopKey[m];
    const list = readList(t, mopTxn[m], m);
    const long = readList(t, mopTxn[longest[k]], longest[k]);
    const ok = list.length <= long.length && same(list, long, list.length);
    compatible[m] = ok ? 1 : 0;
    t.mopVal[m] = list.length === 0 ? NIL : interner.value(k, list[list.length - 1] as number | string);
    if (!ok && reported[k] === 0) {
      reported[k] = 1;
      out.add({
        type: 'incompatible-order',
        ops: [t.invokeIndex[mopTxn[m]], t.invokeIndex[mopTxn[longest[k]]]],
        keys: [t.keys[k] as Key],
        data: { values: [list, long], txns: [txnView(t, mopTxn[m]), txnView(t, mopTxn[longest[k]])] } as unknown as Json,
      });
    }
    // a read equal to a prefix of a duplicate-free longest read has no duplicates
    if (ok && list.length <= firstDuplicate(long)) continue;
    const dups = duplicatesIn(list);
    if (dups.length > 0) {
      out.add({ type: 'duplicate-elements', ops: [t.invokeIndex[mopTxn[m]]], keys: [t.keys[k] as Key], data: { mop: mopOf(t, mopTxn[m], m), duplicates: dups, txns: [txnView(t, mopTxn[m])] } as unknown as Json });
    }
  }
  return { longest, orderStart, order, compatible };
}

const dupCache = new WeakMap<Json[], number>();
/** Length of the longest duplicate-free prefix of a list. */
function firstDuplicate(list: Json[]): number {
  const c = dupCache.get(list);
  if (c !== undefined) return c;
  const s = new Set<Json>();
  let i = 0;
  for (; i < list.length; i++) {
    if (s.has(list[i] as Json)) break;
    s.add(list[i] as Json);
  }
  dupCache.set(list, i);
  return i;
}

/** [element, count] for every element occurring more than once. */
function duplicatesIn(list: Json[]): Array<[Json, number]> {
  const counts = new Map<Json, number>();
  for (const e of list) counts.set(e, (counts.get(e) ?? 0) + 1);
  return [...counts].filter(([, c]) => c > 1);
}

/** Infer ww / wr / rw edges into `edges`; record the order anomalies and side analyses into `out`. */
export function inferAppend(t: TxnTable, interner: Interner, edges: EdgeBuffer, out: AnomalyCollector): AppendIndex {
  const nm = t.mopStart[t.n] as number;
  const mopTxn = new Int32Array(nm);
  for (let i = 0; i < t.n; i++) for (let m = t.mopStart[i]; m < t.mopStart[i + 1]; m++) mopTxn[m] = i;
  const { longest, orderStart, order, compatible } = versionOrders(t, interner, mopTxn, out);
  const nv = interner.valueCount;
  const nk = t.keys.length;
  const writer = new Int32Array(nv).fill(-1);
  const anyWriter = new Int32Array(nv).fill(-1);
  const intermediate = new Uint8Array(nv);
  const pos = new Int32Array(nv).fill(-1);
  for (let k = 0; k < nk; k++) for (let i = orderStart[k]; i < orderStart[k + 1]; i++) pos[order[i]] = i - orderStart[k];
  const lastAppend = new Map<number, number>(); // key → element, within one txn
  for (let i = 0; i < t.n; i++) {
    lastAppend.clear();
    for (let m = t.mopStart[i]; m < t.mopStart[i + 1]; m++) {
      if (t.mopWrite[m] !== 1) continue;
      const e = t.mopVal[m];
      anyWriter[e] = i;
      if (t.type[i] !== FAIL) writer[e] = i;
      const prev = lastAppend.get(t.mopKey[m]);
      if (prev !== undefined) intermediate[prev] = 1;
      lastAppend.set(t.mopKey[m], e);
    }
  }
  // readers grouped by slot (what they saw last)
  const slots = nv + nk;
  const readerStart = new Int32Array(slots + 1);
  for (let m = 0; m < nm; m++) if (t.mopWrite[m] === 0 && t.type[mopTxn[m]] === OK) readerStart[slotOf(nv, t.mopKey[m], t.mopVal[m]) + 1]++;
  for (let s = 0; s < slots; s++) readerStart[s + 1] += readerStart[s];
  const fill = readerStart.slice(0, slots);
  const readers = new Int32Array(readerStart[slots]);
  for (let m = 0; m < nm; m++) if (t.mopWrite[m] === 0 && t.type[mopTxn[m]] === OK) readers[fill[slotOf(nv, t.mopKey[m], t.mopVal[m])]++] = m;
  // wr: the writer of the last element read precedes the reader
  for (let m = 0; m < nm; m++) {
    if (t.mopWrite[m] === 1 || t.type[mopTxn[m]] !== OK || t.mopVal[m] === NIL) continue;
    const w = writer[t.mopVal[m]];
    if (w >= 0) edges.add(w, mopTxn[m], WR);
  }
  // ww and rw: the version just before each append (of an ok / info txn)
  const idx: AppendIndex = { writer, anyWriter, intermediate, pos, orderStart, order, readerStart, readers, mopTxn, longest };
  for (let m = 0; m < nm; m++) {
    const i = mopTxn[m];
    if (t.mopWrite[m] !== 1 || t.type[i] === FAIL) continue;
    const k = t.mopKey[m];
    const prev = previousElement(idx, k, t.mopVal[m]);
    if (prev !== NIL && writer[prev] >= 0) edges.add(writer[prev], i, WW);
    const s = slotOf(nv, k, prev);
    for (let r = readerStart[s]; r < readerStart[s + 1]; r++) edges.add(mopTxn[readers[r]], i, RW);
  }
  sideAnalyses(t, interner, idx, compatible, out);
  return idx;
}

/**
 * The element appended just before e on key k: its predecessor in the version order; for an element no read
 * observed, the last observed element (it came after everything observed); NIL for the initial state.
 */
export function previousElement(idx: AppendIndex, k: number, e: number): number {
  const p = idx.pos[e];
  const start = idx.orderStart[k] as number;
  const end = idx.orderStart[k + 1] as number;
  if (p >= 0) return p > 0 ? (idx.order[start + p - 1] as number) : NIL;
  return end > start ? (idx.order[end - 1] as number) : NIL;
}

/** G1a, garbage reads, G1b, internal, future reads, lost updates and dirty updates. */
function sideAnalyses(t: TxnTable, interner: Interner, idx: AppendIndex, compatible: Uint8Array, out: AnomalyCollector): void {
  const { writer, anyWriter, mopTxn } = idx;
  const nm = t.mopStart[t.n] as number;
  const raw = (e: number): Json => t.valRaw[e] as Json;
  const key = (k: number): Key => t.keys[k] as Key;
  // elements of each key's order that a failed txn appended, or nobody did
  const nk = t.keys.length;
  const badInOrder = new Int32Array(nk).fill(-1); // first position of a failed or unwritten element in the order
  for (let k = 0; k < nk; k++) {
    for (let i = idx.orderStart[k]; i < idx.orderStart[k + 1]; i++) {
      if (writer[idx.order[i]] < 0) {
        badInOrder[k] = i - idx.orderStart[k];
        break;
      }
    }
  }
  for (let m = 0; m < nm; m++) {
    if (t.mopWrite[m] === 1 || t.type[mopTxn[m]] !== OK) continue;
    const i = mopTxn[m];
    const k = t.mopKey[m];
    const list = readList(t, i, m);
    // G1a and garbage: only reads reaching a bad position of the order, or incompatible ones, need a scan
    if (compatible[m] === 0 || (badInOrder[k] >= 0 && list.length > badInOrder[k])) {
      const garbage: Json[] = [];
      for (const el of list) {
        const e = interner.value(k, el as number | string, false);
        if (e >= 0 && writer[e] >= 0) continue;
        if (e >= 0 && anyWriter[e] >= 0) {
          out.add({ type: 'G1a', ops: [t.invokeIndex[i], t.invokeIndex[anyWriter[e]]], keys: [key(k)], data: { mop: mopOf(t, i, m), element: el, txns: [txnView(t, i), txnView(t, anyWriter[e])] } as unknown as Json });
        } else garbage.push(el);
      }
      if (garbage.length > 0) out.add({ type: 'garbage-read', ops: [t.invokeIndex[i]], keys: [key(k)], data: { mop: mopOf(t, i, m), elements: garbage, txns: [txnView(t, i)] } as unknown as Json });
    }
    // G1b: the last element read was not its writer's final append to the key
    const last = t.mopVal[m];
    if (last !== NIL && idx.intermediate[last] === 1 && anyWriter[last] !== i) {
      const w = anyWriter[last];
      out.add({ type: 'G1b', ops: [t.invokeIndex[i], t.invokeIndex[w]], keys: [key(k)], data: { mop: mopOf(t, i, m), element: raw(last), txns: [txnView(t, i), txnView(t, w)] } as unknown as Json });
    }
  }
  for (let i = 0; i < t.n; i++) if (t.type[i] === OK) perTxn(t, i, out);
  lostUpdates(t, mopTxn, out);
  dirtyUpdates(t, idx, out);
}

/** internal (a read disagrees with the txn's own earlier reads and appends) and future-read, for one ok txn. */
function perTxn(t: TxnTable, i: number, out: AnomalyCollector): void {
  const start = t.mopStart[i] as number;
  const end = t.mopStart[i + 1] as number;
  if (end - start < 2) return;
  // expected state per key: a full list, or (prefix unknown) the suffix this txn appended
  const state = new Map<number, { known: boolean; list: Json[] }>();
  const readElements = new Map<number, Map<Json, number>>(); // key → element → the read mop that saw it
  let internal = false;
  let future = false;
  for (let m = start; m < end; m++) {
    const k = t.mopKey[m];
    const mop = mopOf(t, i, m) as Json[];
    if (t.mopWrite[m] === 1) {
      const v = mop[2] as Json;
      const seenBy = readElements.get(k)?.get(v);
      if (seenBy !== undefined && !future) {
        future = true;
        out.add({ type: 'future-read', ops: [t.invokeIndex[i]], keys: [t.keys[k] as Key], data: { mop: mopOf(t, i, seenBy), element: v, txns: [txnView(t, i)] } as unknown as Json });
      }
      const s = state.get(k);
      if (s) s.list.push(v);
      else state.set(k, { known: false, list: [v] });
      continue;
    }
    const list = readList(t, i, m);
    const s = state.get(k);
    if (s) {
      const bad = s.known ? !(list.length === s.list.length && same(list, s.list, list.length)) : list.length < s.list.length || !same(list.slice(list.length - s.list.length), s.list, s.list.length);
      if (bad && !internal) {
        internal = true;
        out.add({ type: 'internal', ops: [t.invokeIndex[i]], keys: [t.keys[k] as Key], data: { mop, expected: s.known ? s.list : ['...', ...s.list], txns: [txnView(t, i)] } as unknown as Json });
      }
    }
    state.set(k, { known: true, list: list.slice() });
    let els = readElements.get(k);
    if (!els) readElements.set(k, (els = new Map()));
    for (const e of list) if (!els.has(e)) els.set(e, m);
  }
}

/**
 * Two committed txns that read the same version of a key and then appended to it (Elle's lost update). As in
 * Elle, a txn counts the first read of a key and the first append after it.
 */
function lostUpdates(t: TxnTable, mopTxn: Int32Array, out: AnomalyCollector): void {
  // group by key and what was read last (an element id, unique per key, or -(key+1) for the initial state)
  const groups = new Map<number, number[]>();
  const firstRead = new Map<number, number>();
  const counted = new Set<number>();
  for (let i = 0; i < t.n; i++) {
    if (t.type[i] !== OK) continue;
    firstRead.clear();
    counted.clear();
    for (let m = t.mopStart[i]; m < t.mopStart[i + 1]; m++) {
      const k = t.mopKey[m];
      if (t.mopWrite[m] === 0) {
        if (!firstRead.has(k)) firstRead.set(k, m);
        continue;
      }
      const r = firstRead.get(k);
      if (r === undefined || counted.has(k)) continue;
      counted.add(k);
      const g = t.mopVal[r] === NIL ? -(k + 1) : t.mopVal[r];
      let list = groups.get(g);
      if (!list) groups.set(g, (list = []));
      list.push(r);
    }
  }
  for (const reads of groups.values()) {
    if (reads.length < 2) continue;
    // the same last element with another list before it is an incompatible order, not the same version
    const byValue = new Map<string, number[]>();
    for (const r of reads) {
      const s = JSON.stringify(readList(t, mopTxn[r], r));
      let l = byValue.get(s);
      if (!l) byValue.set(s, (l = []));
      l.push(r);
    }
    for (const [s, rs] of byValue) {
      if (rs.length < 2) continue;
      const txns = rs.map((r) => mopTxn[r] as number);
      out.add({ type: 'lost-update', ops: txns.map((i) => t.invokeIndex[i] as number), keys: [t.keys[t.mopKey[rs[0] as number]] as Key], data: { value: JSON.parse(s) as Json, txns: txns.map((i) => txnView(t, i)) } as unknown as Json });
    }
  }
}

/** A committed append right after an aborted one in a key's version order: aborted state became committed. */
function dirtyUpdates(t: TxnTable, idx: AppendIndex, out: AnomalyCollector): void {
  const nk = t.keys.length;
  for (let k = 0; k < nk; k++) {
    // state: the outcome of the txn whose state we are in (the initial state is committed), and the versions since
    let prevType = OK;
    let prevTxn = -1;
    let values: Json[] = [];
    for (let p = idx.orderStart[k]; p < idx.orderStart[k + 1]; p++) {
      const e = idx.order[p] as number;
      const w = idx.anyWriter[e] as number;
      if (w < 0) continue; // nobody appended it: a garbage read, reported apart
      const ty = t.type[w] as number;
      if (ty === OK && prevType === FAIL) {
        out.add({ type: 'dirty-update', ops: [t.invokeIndex[prevTxn] as number, t.invokeIndex[w] as number], keys: [t.keys[k] as Key], data: { values: [...values, t.valRaw[e] as Json], txns: [txnView(t, prevTxn), txnView(t, w)] } as unknown as Json });
      }
      if (ty === OK || (ty === FAIL && prevType !== FAIL)) {
        prevType = ty;
        prevTxn = w;
        values = [t.valRaw[e] as Json];
      } else values.push(t.valRaw[e] as Json);
    }
  }
}

/** Why `from` precedes `to` by the given data relation, from the version index; null when it does not. */
export function explainAppendStep(t: TxnTable, idx: AppendIndex, from: number, to: number, rel: 'ww' | 'wr' | 'rw'): TxnStep | null {
  const nv = t.valueCount;
  const base = { from: t.invokeIndex[from] as number, to: t.invokeIndex[to] as number, type: rel };
  for (let m = t.mopStart[to]; m < t.mopStart[to + 1]; m++) {
    const k = t.mopKey[m] as number;
    if (rel === 'wr') {
      if (t.mopWrite[m] === 0 && t.mopVal[m] !== NIL && idx.writer[t.mopVal[m]] === from) return { ...base, key: t.keys[k], value: t.valRaw[t.mopVal[m]] as Json };
      continue;
    }
    if (t.mopWrite[m] !== 1) continue;
    const prev = previousElement(idx, k, t.mopVal[m] as number);
    const next = t.valRaw[t.mopVal[m]] as Json;
    if (rel === 'ww' && prev !== NIL && idx.writer[prev] === from) return { ...base, key: t.keys[k], value: t.valRaw[prev] as Json, nextValue: next };
    if (rel === 'rw') {
      const s = slotOf(nv, k, prev);
      for (let r = idx.readerStart[s]; r < idx.readerStart[s + 1]; r++) {
        if (idx.mopTxn[idx.readers[r]] === from) return { ...base, key: t.keys[k], value: prev === NIL ? null : (t.valRaw[prev] as Json), nextValue: next };
      }
    }
  }
  return null;
}
