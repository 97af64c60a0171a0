// Order edges between transactions, as Elle infers them: process order (each process's ok txns in turn) and
// realtime order as a transitive reduction (an ok txn precedes every txn invoked after it completed; only the
// edges not implied by others are kept).
import { HEAP, type Alloc } from './arena.js';
import { PROCESS, REALTIME, type EdgeBuffer } from './graph.js';
import type { TxnTable } from './table.js';

/** Event index → txn (invocations and completions), for walking the history in event order. */
export function eventOrder(t: TxnTable, alloc: Alloc = HEAP): { txn: Int32Array; isInvoke: Uint8Array } {
  let max = -1;
  for (let i = 0; i < t.n; i++) max = Math.max(max, t.invokeIndex[i], t.completeIndex[i]);
  const txn = alloc.i32(max + 1).fill(-1);
  const isInvoke = alloc.u8(max + 1);
  for (let i = 0; i < t.n; i++) {
    txn[t.invokeIndex[i]] = i;
    isInvoke[t.invokeIndex[i]] = 1;
    if (t.completeIndex[i] >= 0) txn[t.completeIndex[i]] = i;
  }
  return { txn, isInvoke };
}

/** Consecutive ok txns of each process: a -process-> b. */
export function addProcessEdges(t: TxnTable, edges: EdgeBuffer): void {
  const last = new Map<number, number>();
  for (let i = 0; i < t.n; i++) {
    if (t.type[i] !== 0) continue;
    const p = t.process[i];
    const prev = last.get(p);
    if (prev !== undefined) edges.add(prev, i, PROCESS);
    last.set(p, i);
  }
}

/**
 * Realtime: keep the ok txns completed so far that no later-completed txn follows (the frontier); each invoke
 * gets an edge from every frontier txn; an ok completion of c removes from the frontier what c follows.
 */
export function addRealtimeEdges(t: TxnTable, edges: EdgeBuffer, alloc: Alloc = HEAP): void {
  const { txn, isInvoke } = eventOrder(t, alloc);
  let frontier = new Int32Array(64);
  let size = 0;
  for (let e = 0; e < txn.length; e++) {
    const i = txn[e];
    if (i < 0) continue;
    if (isInvoke[e] === 1) {
      for (let f = 0; f < size; f++) edges.add(frontier[f], i, REALTIME);
      continue;
    }
    if (t.type[i] !== 0) continue;
    const since = t.invokeIndex[i];
    let kept = 0;
    for (let f = 0; f < size; f++) if (t.completeIndex[frontier[f]] > since) frontier[kept++] = frontier[f];
    size = kept;
    if (size === frontier.length) {
      const grown = new Int32Array(size * 2);
      grown.set(frontier);
      frontier = grown;
    }
    frontier[size++] = i;
  }
}
