// Collects anomalies by type as the analyses find them: every one is counted, the first `max` of each type kept.
import type { Json, Op } from '../../src/history/types.js';
import { effectiveMops } from './micro-ops.js';
import type { TxnTable } from './table.js';
import type { TxnAnomaly, TxnView } from './types.js';

export class AnomalyCollector {
  readonly byType = new Map<string, TxnAnomaly[]>();
  readonly counts = new Map<string, number>();

  constructor(private readonly max = 100) {}

  add(a: TxnAnomaly): void {
    this.counts.set(a.type, (this.counts.get(a.type) ?? 0) + 1);
    let list = this.byType.get(a.type);
    if (!list) this.byType.set(a.type, (list = []));
    if (list.length < this.max) list.push(a);
  }

  /** Would another anomaly of this type still be kept? (lets analyses skip building data nobody keeps) */
  wants(type: string): boolean {
    return (this.byType.get(type)?.length ?? 0) < this.max;
  }

  /** Count one more without keeping it. */
  count(type: string): void {
    this.counts.set(type, (this.counts.get(type) ?? 0) + 1);
    if (!this.byType.has(type)) this.byType.set(type, []);
  }

  has(type: string): boolean {
    return this.counts.has(type);
  }

  types(): string[] {
    return [...this.counts.keys()];
  }
}

/** A txn as anomalies show it: invoke index, process, outcome and micro-ops (reads filled in for ok txns). */
export function txnView(t: TxnTable, i: number): TxnView {
  const op = t.ops[i] as Op;
  const v: TxnView = { index: op.invokeIndex, process: op.process, type: op.type, value: effectiveMops(op) as Json };
  if (op.node !== undefined) v.node = op.node;
  return v;
}

/** The micro-op m (a flat index) as given in its txn. */
export function mopOf(t: TxnTable, txn: number, m: number): Json {
  return effectiveMops(t.ops[txn] as Op)[m - (t.mopStart[txn] as number)] as Json;
}
