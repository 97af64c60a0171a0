// Pairs a validated event stream into client ops: each invoke with the next event of its process.
// Never-completed invokes become info ops; nemesis events are kept apart.
import type { HistoryEvent, NemesisEvent, Op, PairedHistory } from './types.js';

/** Pair events into ops. Assumes the stream was validated (see reader); throws on an unpaired completion. */
export function pairHistory(events: Iterable<HistoryEvent>): PairedHistory {
  const ops: Op[] = [];
  const nemesis: NemesisEvent[] = [];
  const open = new Map<number, Op>();
  let count = 0;
  for (const e of events) {
    count++;
    if (e.process === 'nemesis') {
      nemesis.push(e as NemesisEvent);
      continue;
    }
    if (e.type === 'invoke') {
      const op: Op = {
        process: e.process,
        f: e.f,
        type: 'info',
        invokeValue: e.value ?? null,
        value: e.value ?? null,
        invokeIndex: e.index,
        completeIndex: null,
        invokeTime: e.time,
        completeTime: null,
      };
      if (e.key !== undefined) op.key = e.key;
      if (e.node !== undefined) op.node = e.node;
      if (typeof e.retry === 'number') op.retry = e.retry;
      if (typeof e.retryOf === 'number') op.retryOf = e.retryOf;
      open.set(e.process, op);
      ops.push(op);
      continue;
    }
    const op = open.get(e.process);
    if (!op) throw new Error(`event ${e.index}: ${e.type} of process ${e.process} has no invoke`);
    open.delete(e.process);
    op.type = e.type;
    op.completeIndex = e.index;
    op.completeTime = e.time;
    if (e.type === 'ok') op.value = e.value ?? null;
    if (e.node !== undefined) op.node = e.node;
    if (e.error !== undefined) op.error = e.error;
  }
  return { ops, nemesis, events: count };
}
