// rw-register inference, after Elle: version orders per key from sources tried in turn — the initial nil state
// precedes every value, writes follow reads (optional), process / realtime / commit order (optional) — dropping a
// source that would make a version order cyclic (cyclic-versions); then wr, ww and rw edges between txns.
// Side analyses: register-side.ts.
import type { Json, Key } from '../../src/history/types.js';
import type { AnomalyCollector } from './collect.js';
import { RW, WR, WW, type EdgeBuffer } from './graph.js';
import { eventOrder } from './order.js';
import { sideAnalyses } from './register-side.js';
import { stronglyConnected } from './scc.js';
import { FAIL, INFO, NIL, OK, type TxnTable } from './table.js';
import type { TxnOptions, TxnStep } from './types.js';

const NONE = -3;

/** Per txn and key it touched: its external read (first read before any write: a value id, NIL) and final write. */
interface External {
  start: Int32Array; // per txn, into the arrays below
  key: Int32Array;
  read: Int32Array; // value id, NIL, or NONE
  write: Int32Array; // value id or NONE
}

function externals(t: TxnTable): External {
  const start = new Int32Array(t.n + 1);
  const key: number[] = [];
  const read: number[] = [];
  const write: number[] = [];
  const at = new Map<number, number>();
  for (let i = 0; i < t.n; i++) {
    start[i] = key.length;
    if (t.type[i] === FAIL) continue;
    at.clear();
    for (let m = t.mopStart[i]; m < t.mopStart[i + 1]; m++) {
      const k = t.mopKey[m];
      let j = at.get(k);
      if (j === undefined) {
        j = key.length;
        at.set(k, j);
        key.push(k);
        read.push(NONE);
        write.push(NONE);
      }
      if (t.mopWrite[m] === 1) write[j] = t.mopVal[m];
      else if (t.type[i] === OK && write[j] === NONE && read[j] === NONE) read[j] = t.mopVal[m];
    }
  }
  start[t.n] = key.length;
  return { start, key: Int32Array.from(key), read: Int32Array.from(read), write: Int32Array.from(write) };
}

/** The version graph's nodes: value ids, then one "nil" node per key. */
export interface RegisterIndex {
  ext: External;
  /** per value: the ok / info txn whose final write of its key it is, or -1 */
  writer: Int32Array;
  /** accepted version edges, as from * nodes + to */
  versionEdges: Set<number>;
  nodes: number;
  nilNode: (k: number) => number;
  sources: string[];
}

/** A txn's last value of k (its final write, else its external read) and first (external read, else write). */
function lastValue(t: TxnTable, x: External, i: number, j: number): number {
  if (x.write[j] !== NONE) return x.write[j] as number;
  return t.type[i] === OK ? (x.read[j] as number) : NONE;
}
function firstValue(t: TxnTable, x: External, i: number, j: number): number {
  if (t.type[i] === OK && x.read[j] !== NONE) return x.read[j] as number;
  return x.write[j] as number;
}

type Source = { name: string; edges: (add: (k: number, from: number, to: number) => void) => void };

/** Infer the version graphs and the txn edges; record cyclic-versions and the side analyses into `out`. */
export function inferRegister(t: TxnTable, opts: TxnOptions, edges: EdgeBuffer, out: AnomalyCollector): RegisterIndex {
  // registers: small histories in practice; plain arrays
  const x = externals(t);
  const nv = t.interner.valueCount;
  const nk = t.keys.length;
  const nodes = nv + nk;
  const nilNode = (k: number): number => nv + k;
  const node = (k: number, v: number): number => (v === NIL ? nilNode(k) : v);
  const writer = new Int32Array(nv).fill(-1);
  for (let i = 0; i < t.n; i++) for (let j = x.start[i]; j < x.start[i + 1]; j++) if (x.write[j] !== NONE) writer[x.write[j]] = i;

  const sources: Source[] = [
    {
      name: 'initial-state',
      edges: (add) => {
        for (let j = 0; j < x.key.length; j++) {
          if (x.write[j] !== NONE) add(x.key[j], NIL, x.write[j]);
          if (x.read[j] >= 0) add(x.key[j], NIL, x.read[j]);
        }
      },
    },
  ];
  if (opts.wfrKeys) {
    sources.push({
      name: 'wfr-keys',
      edges: (add) => {
        for (let j = 0; j < x.key.length; j++) if (x.read[j] >= 0 && x.write[j] !== NONE) add(x.key[j], x.read[j], x.write[j]);
      },
    });
  }
  if (opts.sequentialKeys) sources.push({ name: 'sequential-keys', edges: (add) => processOrderVersions(t, x, add) });
  if (opts.linearizableKeys) sources.push({ name: 'linearizable-keys', edges: (add) => realtimeOrderVersions(t, x, add) });
  if (opts.transactionOrder) {
    const order = opts.transactionOrder;
    sources.push({ name: 'transaction-order', edges: (add) => commitOrderVersions(t, x, order, add) });
  }

  // accumulate sources, each checked for cycles in the version graphs
  let vFrom: number[] = [];
  let vTo: number[] = [];
  const accepted: string[] = [];
  for (const src of sources) {
    const from = vFrom.slice();
    const to = vTo.slice();
    src.edges((k, a, b) => {
      const na = node(k, a);
      const nb = node(k, b);
      if (na === nb || a === NONE || b === NONE) return;
      from.push(na);
      to.push(nb);
    });
    const cycles = versionCycles(nodes, from, to);
    if (cycles.length > 0) {
      for (const scc of cycles) {
        const k = scc[0] as number >= nv ? (scc[0] as number) - nv : ((t.interner.valKey[scc[0] as number] as number));
        out.add({ type: 'cyclic-versions', ops: [], keys: [t.keys[k] as Key], data: { values: scc.map((v) => (v >= nv ? null : ((t.interner.raw(v) as Json)))), sources: [...accepted, src.name] } as unknown as Json });
      }
      continue;
    }
    accepted.push(src.name);
    vFrom = from;
    vTo = to;
  }
  const versionEdges = new Set<number>();
  for (let e = 0; e < vFrom.length; e++) versionEdges.add((vFrom[e] as number) * nodes + (vTo[e] as number));

  // readers of each version node (external reads of ok txns)
  const readersOf = new Map<number, number[]>();
  for (let i = 0; i < t.n; i++) {
    for (let j = x.start[i]; j < x.start[i + 1]; j++) {
      if (x.read[j] === NONE) continue;
      const nd = node(x.key[j] as number, x.read[j] as number);
      let l = readersOf.get(nd);
      if (!l) readersOf.set(nd, (l = []));
      l.push(i);
      // wr: the writer of the value read precedes the reader
      if (x.read[j] >= 0 && writer[x.read[j]] >= 0) edges.add(writer[x.read[j]], i, WR);
    }
  }
  for (const ve of versionEdges) {
    const a = Math.floor(ve / nodes);
    const b = ve - a * nodes;
    if (b >= nv) continue; // nobody writes nil
    const wb = writer[b];
    if (wb < 0) continue;
    if (a < nv && writer[a] >= 0) edges.add(writer[a], wb, WW);
    for (const r of readersOf.get(a) ?? []) edges.add(r, wb, RW);
  }
  sideAnalyses(t, out);
  return { ext: x, writer, versionEdges, nodes, nilNode, sources: accepted };
}

/** Cycles (non-trivial SCCs) of the version graph given as edge lists. */
function versionCycles(nodes: number, from: number[], to: number[]): number[][] {
  const offsets = new Int32Array(nodes + 1);
  for (const f of from) offsets[f + 1]++;
  for (let i = 0; i < nodes; i++) offsets[i + 1] += offsets[i];
  const fill = offsets.slice(0, nodes);
  const targets = new Int32Array(from.length);
  for (let e = 0; e < from.length; e++) targets[fill[from[e] as number]++] = to[e] as number;
  return stronglyConnected({ n: nodes, offsets, targets }).list.map((c) => [...c]);
}

/** sequential-keys: along each process's ok txns, a txn's last value of a key precedes the next toucher's first. */
function processOrderVersions(t: TxnTable, x: External, add: (k: number, a: number, b: number) => void): void {
  const last = new Map<string, number>(); // process:key → value
  for (let i = 0; i < t.n; i++) {
    if (t.type[i] !== OK) continue;
    for (let j = x.start[i]; j < x.start[i + 1]; j++) {
      const id = `${t.process[i]}:${x.key[j]}`;
      const prev = last.get(id);
      if (prev !== undefined) add(x.key[j] as number, prev, firstValue(t, x, i, j));
      last.set(id, lastValue(t, x, i, j));
    }
  }
}

/**
 * linearizable-keys: per key, the ok txns completed before a txn was invoked and not followed by a later toucher
 * of the key (the key's frontier) have their last value precede its first.
 */
function realtimeOrderVersions(t: TxnTable, x: External, add: (k: number, a: number, b: number) => void): void {
  const { txn, isInvoke } = eventOrder(t);
  const frontier = new Map<number, Array<{ txn: number; value: number }>>();
  for (let e = 0; e < txn.length; e++) {
    const i = txn[e];
    if (i < 0 || t.type[i] === FAIL) continue;
    if (isInvoke[e] === 1) {
      for (let j = x.start[i]; j < x.start[i + 1]; j++) {
        const v = firstValue(t, x, i, j);
        for (const f of frontier.get(x.key[j] as number) ?? []) add(x.key[j] as number, f.value, v);
      }
      continue;
    }
    if (t.type[i] === INFO) continue;
    for (let j = x.start[i]; j < x.start[i + 1]; j++) {
      const k = x.key[j] as number;
      const kept = (frontier.get(k) ?? []).filter((f) => t.completeIndex[f.txn] > t.invokeIndex[i]);
      kept.push({ txn: i, value: lastValue(t, x, i, j) });
      frontier.set(k, kept);
    }
  }
}

/** transaction-order: txns by commit position (completion index → position); each key's writes follow that order. */
function commitOrderVersions(t: TxnTable, x: External, order: Readonly<Record<string, number>>, add: (k: number, a: number, b: number) => void): void {
  const byCompletion = new Map<number, number>();
  for (let i = 0; i < t.n; i++) if (t.completeIndex[i] >= 0) byCompletion.set(t.completeIndex[i] as number, i);
  const ranked = Object.entries(order)
    .map(([c, p]) => ({ txn: byCompletion.get(Number(c)), p }))
    .filter((r): r is { txn: number; p: number } => r.txn !== undefined && t.type[r.txn] !== FAIL)
    .sort((a, b) => a.p - b.p);
  const last = new Map<number, number>();
  for (const { txn: i } of ranked) {
    for (let j = x.start[i]; j < x.start[i + 1]; j++) {
      if (x.write[j] === NONE) continue;
      const k = x.key[j] as number;
      const prev = last.get(k);
      if (prev !== undefined) add(k, prev, x.write[j] as number);
      last.set(k, x.write[j] as number);
    }
  }
}

/** Why `from` precedes `to` by a data relation, from the accepted version graph; null when it does not. */
export function explainRegisterStep(t: TxnTable, idx: RegisterIndex, from: number, to: number, rel: 'ww' | 'wr' | 'rw'): TxnStep | null {
  const { ext: x, nodes } = idx;
  const base = { from: t.invokeIndex[from] as number, to: t.invokeIndex[to] as number, type: rel };
  for (let j = x.start[to]; j < x.start[to + 1]; j++) {
    const k = x.key[j] as number;
    for (let i = x.start[from]; i < x.start[from + 1]; i++) {
      if (x.key[i] !== k) continue;
      const raw = (v: number): Json => (v === NIL ? null : ((t.interner.raw(v) as Json)));
      if (rel === 'wr' && x.read[j] >= 0 && x.write[i] === x.read[j]) return { ...base, key: t.keys[k], value: raw(x.read[j] as number) };
      if (x.write[j] === NONE) continue;
      const b = x.write[j] as number;
      if (rel === 'ww' && x.write[i] >= 0 && idx.versionEdges.has((x.write[i] as number) * nodes + b)) return { ...base, key: t.keys[k], value: raw(x.write[i] as number), nextValue: raw(b) };
      if (rel === 'rw' && x.read[i] !== NONE) {
        const a = x.read[i] === NIL ? idx.nilNode(k) : (x.read[i] as number);
        if (idx.versionEdges.has(a * nodes + b)) return { ...base, key: t.keys[k], value: raw(x.read[i] as number), nextValue: raw(b) };
      }
    }
  }
  return null;
}
