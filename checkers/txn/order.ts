// Order edges between transactions, as Elle infers them: process order (each process's ok txns in turn) and
// realtime order as a transitive reduction (an ok txn precedes every txn invoked after it completed; only the
// edges not implied by others are kept).
import { PROCESS, REALTIME, type EdgeBuffer } from './graph.js';
import type { TxnTable } from './table.js';

/** Event index → txn (invocations and completions), for walking the history in event order. */
export function eventOrder(t: TxnTable): { txn: Int32Array; isInvoke: Uint8Array } {
  let max = -1;
  for (let i = 0; i < t.n; i++) max = Math.max(max, t.invokeIndex[i], t.completeIndex[i]);
  const txn = new Int32Array(max + 1).fill(-1);
  const isInvoke = new Uint8Array(max + 1);
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
export function addRealtimeEdges(t: TxnTable, edges: EdgeBuffer): void {
  const { txn, isInvoke } = eventOrder(t);
  let frontier: number[] = [];
  for (let e = 0; e < txn.length; e++) {
    const i = txn[e];
    if (i < 0) continue;
    if (isInvoke[e] === 1) {
      for (const a of frontier) edges.add(a, i, REALTIME);
      continue;
    }
    if (t.type[i] !== 0) continue;
    const since = t.invokeIndex[i];
    frontier = frontier.filter((a) => t.completeIndex[a] > since);
    frontier.push(i);
  }
}
