// list-append's analyses beside the graph, from the version index: G1a (aborted read) and garbage reads, G1b
// (intermediate read), internal and future reads within a txn, lost updates, dirty updates.
import type { Json, Key } from '../../src/history/types.js';
import type { Alloc } from './arena.js';
import type { AppendIndex, Lists } from './append.js';
import { AnomalyCollector, mopOf, txnView } from './collect.js';
import { FAIL, NIL, OK, type TxnTable } from './table.js';

export const same = (a: Json[], b: Json[], n: number): boolean => {
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
};

/** G1a, garbage reads, G1b, internal, future reads, lost updates and dirty updates. */
export function sideAnalyses(t: TxnTable, idx: AppendIndex, lists: Lists, compatible: Uint8Array, alloc: Alloc, out: AnomalyCollector): void {
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

