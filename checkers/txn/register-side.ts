// rw-register's analyses beside the graph: internal (a read disagrees with the txn's own reads and writes),
// G1a (aborted read), garbage reads, G1b (intermediate read), lost updates.
import type { Json, Key } from '../../src/history/types.js';
import { AnomalyCollector, mopOf, txnView } from './collect.js';
import { FAIL, NIL, OK, type TxnTable } from './table.js';

/** internal, G1a, G1b, garbage reads and lost updates. */
export function sideAnalyses(t: TxnTable, out: AnomalyCollector): void {
  const nv = t.interner.valueCount;
  const anyWriter = new Int32Array(nv).fill(-1);
  const intermediate = new Uint8Array(nv);
  const lastWrite = new Map<number, number>();
  for (let i = 0; i < t.n; i++) {
    lastWrite.clear();
    for (let m = t.mopStart[i]; m < t.mopStart[i + 1]; m++) {
      if (t.mopWrite[m] !== 1) continue;
      const prev = lastWrite.get(t.mopKey[m]);
      if (prev !== undefined) intermediate[prev] = 1;
      lastWrite.set(t.mopKey[m], t.mopVal[m]);
      anyWriter[t.mopVal[m]] = i;
    }
  }
  const key = (k: number): Key => t.keys[k] as Key;
  const groups = new Map<number, number[]>(); // lost update: key's read value node → reading txns
  const state = new Map<number, number>();
  const firstRead = new Map<number, number>();
  const counted = new Set<number>();
  for (let i = 0; i < t.n; i++) {
    if (t.type[i] !== OK) continue;
    state.clear();
    firstRead.clear();
    counted.clear();
    let internal = false;
    for (let m = t.mopStart[i]; m < t.mopStart[i + 1]; m++) {
      const k = t.mopKey[m];
      const v = t.mopVal[m];
      if (t.mopWrite[m] === 1) {
        state.set(k, v);
        const r = firstRead.get(k);
        if (r !== undefined && !counted.has(k)) {
          counted.add(k);
          const g = r === NIL ? -(k + 1) : r;
          let l = groups.get(g);
          if (!l) groups.set(g, (l = []));
          l.push(i);
        }
        continue;
      }
      if (!firstRead.has(k)) firstRead.set(k, v);
      const s = state.get(k);
      if (s !== undefined && s !== v && !internal) {
        internal = true;
        out.add({ type: 'internal', ops: [t.invokeIndex[i] as number], keys: [key(k)], data: { mop: mopOf(t, i, m), expected: s === NIL ? null : ((t.interner.raw(s) as Json)), txns: [txnView(t, i)] } as unknown as Json });
      }
      state.set(k, v);
      if (v === NIL) continue;
      const w = anyWriter[v] as number;
      if (w < 0) {
        out.add({ type: 'garbage-read', ops: [t.invokeIndex[i] as number], keys: [key(k)], data: { mop: mopOf(t, i, m), elements: [(t.interner.raw(v) as Json)], txns: [txnView(t, i)] } as unknown as Json });
      } else if (t.type[w] === FAIL) {
        out.add({ type: 'G1a', ops: [t.invokeIndex[i] as number, t.invokeIndex[w] as number], keys: [key(k)], data: { mop: mopOf(t, i, m), element: (t.interner.raw(v) as Json), txns: [txnView(t, i), txnView(t, w)] } as unknown as Json });
      }
      if (w >= 0 && w !== i && intermediate[v] === 1) {
        out.add({ type: 'G1b', ops: [t.invokeIndex[i] as number, t.invokeIndex[w] as number], keys: [key(k)], data: { mop: mopOf(t, i, m), element: (t.interner.raw(v) as Json), txns: [txnView(t, i), txnView(t, w)] } as unknown as Json });
      }
    }
  }
  for (const [g, txns] of groups) {
    if (txns.length < 2) continue;
    const k = g < 0 ? -g - 1 : ((t.interner.valKey[g] as number));
    out.add({ type: 'lost-update', ops: txns.map((i) => t.invokeIndex[i] as number), keys: [key(k)], data: { value: g < 0 ? null : ((t.interner.raw(g) as Json)), txns: txns.map((i) => txnView(t, i)) } as unknown as Json });
  }
}

