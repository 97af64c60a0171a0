// Pairs a validated event stream into client ops: each invoke with the next event of its process.
// Never-completed invokes become info ops; nemesis events are kept apart. Streaming (Pairer) or at once.
import type { EventType, HistoryEvent, Json, Key, NemesisEvent, Op, PairedHistory, Process } from './types.js';

/** The fields of one event that pairing reads (a validated event, or a fast reader's own fields). */
export interface EventFields {
  readonly time: number;
  readonly process: Process;
  readonly type: EventType;
  readonly f: string;
  readonly key?: Key | undefined;
  /** absent: null */
  readonly value?: Json | undefined;
  readonly node?: string | undefined;
  readonly error?: string | undefined;
  readonly retry?: unknown;
  readonly retryOf?: unknown;
}

/** The op an invoke (event `index`) opens: indeterminate (info) until its completion comes. */
export function openOp(e: EventFields, index: number): Op {
  const value = e.value ?? null;
  const op: Op = {
    process: e.process as number,
    f: e.f,
    type: 'info',
    invokeValue: value,
    value,
    invokeIndex: index,
    completeIndex: null,
    invokeTime: e.time,
    completeTime: null,
  };
  if (e.key !== undefined) op.key = e.key;
  if (e.node !== undefined) op.node = e.node;
  if (typeof e.retry === 'number') op.retry = e.retry;
  if (typeof e.retryOf === 'number') op.retryOf = e.retryOf;
  return op;
}

/** Complete an open op with its completion (event `index`): its outcome, and an ok op's value. */
export function completeOp(op: Op, e: EventFields, index: number): void {
  op.type = e.type as Op['type'];
  op.completeIndex = index;
  op.completeTime = e.time;
  if (e.type === 'ok') op.value = e.value ?? null;
  if (e.node !== undefined) op.node = e.node;
  if (e.error !== undefined) op.error = e.error;
}

/** Pairs events one at a time, so a reader need not keep the events themselves. */
export class Pairer {
  private readonly ops: Op[] = [];
  private readonly nemesis: NemesisEvent[] = [];
  private readonly open = new Map<number, Op>();
  private count = 0;

  /** Take the next event. Assumes a validated stream; throws on an unpaired completion. */
  accept(e: HistoryEvent): void {
    this.count++;
    const p = e.process;
    if (p === 'nemesis') {
      this.nemesis.push(e as NemesisEvent);
      return;
    }
    if (e.type === 'invoke') {
      const op = openOp(e, e.index);
      this.open.set(p, op);
      this.ops.push(op);
      return;
    }
    const op = this.open.get(p);
    if (!op) throw new Error(`event ${e.index}: ${e.type} of process ${p} has no invoke`);
    this.open.delete(p);
    completeOp(op, e, e.index);
  }

  /** The paired history of the events taken so far. */
  result(): PairedHistory {
    return { ops: this.ops, nemesis: this.nemesis, events: this.count };
  }
}

/** Pair events into ops. Assumes the stream was validated (see reader); throws on an unpaired completion. */
export function pairHistory(events: Iterable<HistoryEvent>): PairedHistory {
  const pairer = new Pairer();
  for (const e of events) pairer.accept(e);
  return pairer.result();
}
