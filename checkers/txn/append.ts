// list-append inference, after Elle: each key's version order is its longest read (every other read must be a
// prefix of it, else incompatible-order); from it, ww (the append just before mine), wr (who appended the last
// element I read) and rw (who read the state just before my append) edges between txns. Side analyses: append-side.ts.
import type { Json, Key } from '../../src/history/types.js';
import { AnomalyCollector, mopOf, txnView } from './collect.js';
import { same, sideAnalyses } from './append-side.js';
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
export type Lists = (m: number) => Json[];

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
