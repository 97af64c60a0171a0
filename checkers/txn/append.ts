// list-append inference, after Elle: each key's version order is its longest read (every other read must be a
// prefix of it, else incompatible-order); from it, ww (the append just before mine), wr (who appended the last
// element I read) and rw (who read the state just before my append) edges between txns.
import type { Json, Key } from '../../src/history/types.js';
import { AnomalyCollector, mopOf, txnView } from './collect.js';
import { listElementProblem } from './micro-ops.js';
import { RW, WR, WW, type EdgeBuffer } from './graph.js';
import type { Alloc } from './arena.js';
import { FAIL, NIL, OK, type TxnTable } from './table.js';
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

const NO_LIST: Json[] = [];

/** The list read by mop m (an ok read), or an empty one. */
type Lists = (m: number) => Json[];

const same = (a: Json[], b: Json[], n: number): boolean => {
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
};

/** Build the version orders, set each ok read mop's mopVal to the id of its last element, find order anomalies. */
function versionOrders(t: TxnTable, lists: Lists, mopTxn: Int32Array, alloc: Alloc, out: AnomalyCollector): { longest: Int32Array; orderStart: Int32Array; order: Int32Array; compatible: Uint8Array } {
  const interner = t.interner;
  const nk = t.keys.length;
  const longest = alloc.i32(nk).fill(-1);
  const longestLen = alloc.i32(nk).fill(-1);
  const nm = t.mopStart[t.n] as number;
  for (let m = 0; m < nm; m++) {
    if (t.mopWrite[m] === 1 || t.type[mopTxn[m]] !== OK) continue;
    const len = t.mopLen[m] as number;
    const k = t.mopKey[m];
    if (len > longestLen[k]) {
      longestLen[k] = len;
      longest[k] = m;
    }
  }
  // order: the distinct elements of the longest read; dupFree[k]: the length of its duplicate-free prefix
  const orderStart = alloc.i32(nk + 1);
  const dupFree = alloc.i32(nk);
  let total = 0;
  for (let k = 0; k < nk; k++) if (longest[k] >= 0) total += t.mopLen[longest[k] as number] as number;
  // ids are per (key, value): one flag per id tells an element seen earlier in its key's longest read
  const seen = alloc.u8(interner.valueCount + total);
  const order = alloc.i32(total);
  let used = 0;
  for (let k = 0; k < nk; k++) {
    orderStart[k] = used;
    if (longest[k] < 0) continue;
    const long = lists(longest[k] as number);
    const bad = listElementProblem(long, (longest[k] as number) - (t.mopStart[mopTxn[longest[k] as number] as number] as number));
    if (bad && t.problem === undefined) t.problem = `op invoked at index ${t.invokeIndex[mopTxn[longest[k] as number] as number]}: ${bad}`;
    dupFree[k] = long.length;
    for (let i = 0; i < long.length; i++) {
      const id = interner.value(k, long[i] as number | string);
      if (seen[id] === 1) {
        if (dupFree[k] === long.length) dupFree[k] = i;
        continue;
      }
      seen[id] = 1;
      order[used++] = id;
    }
  }
  orderStart[nk] = used;
  // every read: compatible with the longest? its last element; duplicates
  const compatible = alloc.u8(nm);
  const reported = alloc.u8(nk);
  const longLists: Json[][] = new Array(nk);
  for (let k = 0; k < nk; k++) longLists[k] = longest[k] < 0 ? [] : lists(longest[k] as number);
  for (let m = 0; m < nm; m++) {
    if (t.mopWrite[m] === 1 || t.type[mopTxn[m]] !== OK) continue;
    const k = t.mopKey[m] as number;
    const list = lists(m);
    const long = longLists[k] as Json[];
    const ok = list.length <= long.length && same(list, long, list.length);
    compatible[m] = ok ? 1 : 0;
    // a read equal to a prefix of the longest has its checked elements; another one is checked here
    const bad = ok ? null : listElementProblem(list, m - (t.mopStart[mopTxn[m] as number] as number));
    if (bad && t.problem === undefined) t.problem = `op invoked at index ${t.invokeIndex[mopTxn[m] as number]}: ${bad}`;
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
    if (ok && list.length <= (dupFree[k] as number)) continue;
    const dups = duplicatesIn(list);
    if (dups.length > 0) {
      out.add({ type: 'duplicate-elements', ops: [t.invokeIndex[mopTxn[m]]], keys: [t.keys[k] as Key], data: { mop: mopOf(t, mopTxn[m], m), duplicates: dups, txns: [txnView(t, mopTxn[m])] } as unknown as Json });
    }
  }
  return { longest, orderStart, order: order.subarray(0, used), compatible };
}

/** [element, count] for every element occurring more than once. */
function duplicatesIn(list: Json[]): Array<[Json, number]> {
  const counts = new Map<Json, number>();
  for (const e of list) counts.set(e, (counts.get(e) ?? 0) + 1);
  return [...counts].filter(([, c]) => c > 1);
}

/** Infer ww / wr / rw edges into `edges`; record the order anomalies and side analyses into `out`. */
export function inferAppend(t: TxnTable, edges: EdgeBuffer, alloc: Alloc, out: AnomalyCollector): AppendIndex {
  const nm = t.mopStart[t.n] as number;
  const interner = t.interner;
  const mopTxn = alloc.i32(nm);
  for (let i = 0; i < t.n; i++) for (let m = t.mopStart[i]; m < t.mopStart[i + 1]; m++) mopTxn[m] = i;
  const lists: Lists = (m) => t.lists[m] ?? NO_LIST;
  const { longest, orderStart, order, compatible } = versionOrders(t, lists, mopTxn, alloc, out);
  const nv = interner.valueCount;
  const nk = t.keys.length;
  const writer = alloc.i32(nv).fill(-1);
  const anyWriter = alloc.i32(nv).fill(-1);
  const intermediate = alloc.u8(nv);
  const pos = alloc.i32(nv).fill(-1);
  for (let k = 0; k < nk; k++) for (let i = orderStart[k]; i < orderStart[k + 1]; i++) pos[order[i]] = i - orderStart[k];
  for (let i = 0; i < t.n; i++) {
    const start = t.mopStart[i] as number;
    for (let m = start; m < t.mopStart[i + 1]; m++) {
      if (t.mopWrite[m] !== 1) continue;
      const e = t.mopVal[m] as number;
      anyWriter[e] = i;
      if (t.type[i] !== FAIL) writer[e] = i;
      // this txn's previous append to the key is an intermediate state
      for (let p = m - 1; p >= start; p--) {
        if (t.mopWrite[p] === 1 && t.mopKey[p] === t.mopKey[m]) {
          intermediate[t.mopVal[p] as number] = 1;
          break;
        }
      }
    }
  }
  // readers grouped by slot (what they saw last)
  const slots = nv + nk;
  const readerStart = alloc.i32(slots + 1);
  for (let m = 0; m < nm; m++) if (t.mopWrite[m] === 0 && t.type[mopTxn[m]] === OK) readerStart[slotOf(nv, t.mopKey[m], t.mopVal[m]) + 1]++;
  for (let s = 0; s < slots; s++) readerStart[s + 1] += readerStart[s];
  const fill = alloc.i32(slots);
  fill.set(readerStart.subarray(0, slots));
  const readers = alloc.i32(readerStart[slots] as number);
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
  sideAnalyses(t, idx, lists, compatible, alloc, out);
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
function sideAnalyses(t: TxnTable, idx: AppendIndex, lists: Lists, compatible: Uint8Array, alloc: Alloc, out: AnomalyCollector): void {
  const interner = t.interner;
  const { writer, anyWriter, mopTxn } = idx;
  const nm = t.mopStart[t.n] as number;
  const raw = (e: number): Json => (t.interner.raw(e) as Json);
  const key = (k: number): Key => t.keys[k] as Key;
  // elements of each key's order that a failed txn appended, or nobody did
  const nk = t.keys.length;
  const badInOrder = alloc.i32(nk).fill(-1); // first position of a failed or unwritten element in the order
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
    // G1a and garbage: only reads reaching a bad position of the order, or incompatible ones, need a scan
    if (compatible[m] === 0 || (badInOrder[k] >= 0 && t.mopLen[m] > badInOrder[k])) {
      const list = lists(m);
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
  for (let i = 0; i < t.n; i++) if (t.type[i] === OK && repeatsKey(t, i)) perTxn(t, i, lists, out);
  lostUpdates(t, mopTxn, lists, alloc, out);
  dirtyUpdates(t, idx, out);
}

/** Does txn i touch some key twice? Only then can it be internally inconsistent or read its own future. */
function repeatsKey(t: TxnTable, i: number): boolean {
  const start = t.mopStart[i] as number;
  const end = t.mopStart[i + 1] as number;
  if (end - start > 16) return true;
  for (let a = start; a < end; a++) for (let b = a + 1; b < end; b++) if (t.mopKey[a] === t.mopKey[b]) return true;
  return false;
}

/**
 * internal (a read disagrees with what the txn's own earlier reads and appends imply: the list read last plus its
 * appends since, or when it read nothing yet, ending with its appends) and future-read, for one ok txn. Txns are
 * short: earlier micro-ops on the same key are found by scanning back.
 */
function perTxn(t: TxnTable, i: number, lists: Lists, out: AnomalyCollector): void {
  const start = t.mopStart[i] as number;
  const end = t.mopStart[i + 1] as number;
  let internal = false;
  let future = false;
  for (let m = start; m < end; m++) {
    const k = t.mopKey[m] as number;
    if (t.mopWrite[m] === 1) {
      if (future) continue;
      const v = (t.interner.raw(t.mopVal[m] as number) as Json);
      for (let r = start; r < m; r++) {
        if (t.mopWrite[r] === 1 || t.mopKey[r] !== k || !lists(r).includes(v)) continue;
        future = true;
        out.add({ type: 'future-read', ops: [t.invokeIndex[i] as number], keys: [t.keys[k] as Key], data: { mop: mopOf(t, i, r), element: v, txns: [txnView(t, i)] } as unknown as Json });
        break;
      }
      continue;
    }
    if (internal) continue;
    // what this txn did to k before: appends since its last read of k (base), or since it began (no base)
    let base: Json[] | null = null;
    let touched = false;
    const extra: Json[] = [];
    for (let p = m - 1; p >= start; p--) {
      if (t.mopKey[p] !== k) continue;
      touched = true;
      if (t.mopWrite[p] === 0) {
        base = lists(p);
        break;
      }
      extra.push((t.interner.raw(t.mopVal[p] as number) as Json));
    }
    if (!touched) continue;
    extra.reverse();
    const list = lists(m);
    const bad =
      base === null
        ? list.length < extra.length || !same(list.slice(list.length - extra.length), extra, extra.length)
        : list.length !== base.length + extra.length || !same(list, base, base.length) || !same(list.slice(base.length), extra, extra.length);
    if (bad) {
      internal = true;
      out.add({ type: 'internal', ops: [t.invokeIndex[i] as number], keys: [t.keys[k] as Key], data: { mop: mopOf(t, i, m), expected: base === null ? ['...', ...extra] : [...base, ...extra], txns: [txnView(t, i)] } as unknown as Json });
    }
  }
}

/**
 * Two committed txns that read the same version of a key and then appended to it (Elle's lost update). As in
 * Elle, a txn counts the first read of a key and the first append after it.
 */
function lostUpdates(t: TxnTable, mopTxn: Int32Array, lists: Lists, alloc: Alloc, out: AnomalyCollector): void {
  // group by the version read last: an element id (unique per key), or valueCount + key for the initial state;
  // the first read mop of each group, and all of them once a second comes
  const nv = t.interner.valueCount;
  const first = alloc.i32(nv + t.keys.length).fill(-1);
  const groups = new Map<number, number[]>();
  for (let i = 0; i < t.n; i++) {
    if (t.type[i] !== OK) continue;
    const start = t.mopStart[i] as number;
    const end = t.mopStart[i + 1] as number;
    for (let m = start + 1; m < end; m++) {
      if (t.mopWrite[m] !== 1) continue;
      const k = t.mopKey[m] as number;
      // the first read of k before this append, with no append of k between them (that one counted already)
      let r = start;
      while (r < m && (t.mopKey[r] !== k || t.mopWrite[r] === 1)) r++;
      if (r === m) continue;
      let p = r + 1;
      while (p < m && (t.mopKey[p] !== k || t.mopWrite[p] === 0)) p++;
      if (p < m) continue;
      const g = t.mopVal[r] === NIL ? nv + k : (t.mopVal[r] as number);
      const f = first[g] as number;
      if (f < 0) first[g] = r;
      else {
        const list = groups.get(g);
        if (list) list.push(r);
        else groups.set(g, [f, r]);
      }
    }
  }
  for (const reads of groups.values()) {
    // the same last element with another list before it is an incompatible order, not the same version
    const byValue = new Map<string, number[]>();
    for (const r of reads) {
      const s = JSON.stringify(lists(r));
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
    // state: the outcome of the txn whose state we are in (the initial state is committed), and where the versions
    // since then begin in the order
    let prevType = OK;
    let prevTxn = -1;
    let since = idx.orderStart[k] as number;
    for (let p = idx.orderStart[k] as number; p < (idx.orderStart[k + 1] as number); p++) {
      const e = idx.order[p] as number;
      const w = idx.anyWriter[e] as number;
      if (w < 0) continue; // nobody appended it: a garbage read, reported apart
      const ty = t.type[w] as number;
      if (ty === OK && prevType === FAIL) {
        const values: Json[] = [];
        for (let q = since; q <= p; q++) if ((idx.anyWriter[idx.order[q] as number] as number) >= 0) values.push(t.interner.raw(idx.order[q] as number) as Json);
        out.add({ type: 'dirty-update', ops: [t.invokeIndex[prevTxn] as number, t.invokeIndex[w] as number], keys: [t.keys[k] as Key], data: { values, txns: [txnView(t, prevTxn), txnView(t, w)] } as unknown as Json });
      }
      if (ty === OK || (ty === FAIL && prevType !== FAIL)) {
        prevType = ty;
        prevTxn = w;
        since = p;
      }
    }
  }
}

/** Why `from` precedes `to` by the given data relation, from the version index; null when it does not. */
export function explainAppendStep(t: TxnTable, idx: AppendIndex, from: number, to: number, rel: 'ww' | 'wr' | 'rw'): TxnStep | null {
  const nv = t.interner.valueCount;
  const base = { from: t.invokeIndex[from] as number, to: t.invokeIndex[to] as number, type: rel };
  for (let m = t.mopStart[to]; m < t.mopStart[to + 1]; m++) {
    const k = t.mopKey[m] as number;
    if (rel === 'wr') {
      if (t.mopWrite[m] === 0 && t.mopVal[m] !== NIL && idx.writer[t.mopVal[m]] === from) return { ...base, key: t.keys[k], value: (t.interner.raw(t.mopVal[m]) as Json) };
      continue;
    }
    if (t.mopWrite[m] !== 1) continue;
    const prev = previousElement(idx, k, t.mopVal[m] as number);
    const next = (t.interner.raw(t.mopVal[m]) as Json);
    if (rel === 'ww' && prev !== NIL && idx.writer[prev] === from) return { ...base, key: t.keys[k], value: (t.interner.raw(prev) as Json), nextValue: next };
    if (rel === 'rw') {
      const s = slotOf(nv, k, prev);
      for (let r = idx.readerStart[s]; r < idx.readerStart[s + 1]; r++) {
        if (idx.mopTxn[idx.readers[r]] === from) return { ...base, key: t.keys[k], value: prev === NIL ? null : ((t.interner.raw(prev) as Json)), nextValue: next };
      }
    }
  }
  return null;
}
