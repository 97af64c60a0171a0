// Compact, JSON-friendly references to ops, capped element lists, and element lists written as ranges
// (889–1255, 1260), shared by the counter and set checkers' reports and the terminal.
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

/** `values` as ranges of consecutive integers (sorted) when all are integers, else as JSON; at most `max` parts. */
export function compactList(values: readonly unknown[], max = 12): string {
  const parts: string[] = [];
  if (values.every((v) => Number.isInteger(v))) {
    const xs = [...new Set(values as number[])].sort((a, b) => a - b);
    for (let i = 0; i < xs.length; ) {
      let j = i;
      while (j + 1 < xs.length && xs[j + 1] === xs[j]! + 1) j++;
      parts.push(j === i ? String(xs[i]) : `${xs[i]}–${xs[j]}`);
      i = j + 1;
    }
  } else {
    for (const v of values) parts.push(JSON.stringify(v));
  }
  if (parts.length <= max) return parts.join(', ');
  return `${parts.slice(0, max).join(', ')}, … (${parts.length - max} more part(s))`;
}
