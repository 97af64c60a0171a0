// Compact, JSON-friendly references to ops and capped element lists, shared by the counter and set checkers' reports.
import type { Json, Key, Op } from '../src/history/types.js';

/** Where an op is in the history: its invoke index, completion index, process, node. */
export interface OpRef {
  index: number;
  completeIndex: number | null;
  process: number;
  f: string;
  key?: Key;
  node?: string;
  value: Json;
}

export function opRef(op: Op): OpRef {
  const r: OpRef = { index: op.invokeIndex, completeIndex: op.completeIndex, process: op.process, f: op.f, value: op.value };
  if (op.key !== undefined) r.key = op.key;
  if (op.node !== undefined) r.node = op.node;
  return r;
}

/** Default cap of the item lists in checker reports. */
export const LIST_CAP = 1000;

/** A list with its full count; `items` holds at most the cap, `truncated` says whether some were left out. */
export interface Capped<T> {
  count: number;
  items: T[];
  truncated: boolean;
}

export class CappedList<T> {
  private readonly list: T[] = [];
  private n = 0;

  constructor(private readonly cap: number = LIST_CAP) {}

  get count(): number {
    return this.n;
  }

  add(item: T): void {
    this.n++;
    if (this.list.length < this.cap) this.list.push(item);
  }

  toJSON(): Capped<T> {
    return { count: this.n, items: this.list, truncated: this.n > this.list.length };
  }
}
