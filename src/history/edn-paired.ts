// The EDN fast path all the way to ops: a history in the flat shape (edn-flat.ts) paired as it is read, with the
// validator's checks (times, each completion after its process's invoke). Whatever it would refuse, or the flat
// reader cannot read, returns null: the history is then read event by event (the same ops; the errors from there).
import { IndexCheck } from './edn.js';
import { FlatOps } from './edn-flat.js';
import type { ReadLimits } from './guards.js';
import type { HistoryEvent, NemesisEvent, Op, PairedHistory } from './types.js';
import { backwardsWarning, type InputWarning } from './validate.js';

/** A history read and paired by the fast path: what loadHistory would have made of it event by event. */
export interface PairedEdn {
  history: PairedHistory;
  /** 1-based source line of each event, by event index */
  lines: number[];
  warnings: InputWarning[];
}

/** Read and pair an EDN history of the flat shape from its (valid UTF-8) bytes; null when it is not one. */
export function pairFlatEdn(bytes: Buffer, file: string, limits: ReadLimits): PairedEdn | null {
  const r = new FlatOps(bytes, limits.maxLineBytes);
  const ops: Op[] = [];
  const nemesis: NemesisEvent[] = [];
  const lines: number[] = [];
  const index = new IndexCheck(file);
  const open = new Map<number, Op>();
  let lastTime = 0;
  let backwards = 0;
  let first: { line: number; from: number; to: number } | null = null;
  let i = 0;
  for (let got = r.next(); got !== 0; got = r.next(), i++) {
    if (got === -1 || !index.fits(r.index)) return null;
    index.note(r.index, i, r.line);
    const time = r.time ?? i;
    if (time < 0) return null; // the validator refuses it
    if (time < lastTime) {
      backwards++;
      first ??= { line: r.line, from: lastTime, to: time };
    }
    lastTime = time;
    lines.push(r.line);
    const p = r.process;
    if (p === 'nemesis') {
      const e: HistoryEvent = { index: i, time, process: p, type: r.type, f: r.f, value: r.value };
      if (r.node !== undefined) e.node = r.node;
      if (r.error !== undefined) e.error = r.error;
      nemesis.push(e as NemesisEvent);
      continue;
    }
    const pending = open.get(p);
    if (r.type === 'invoke') {
      if (pending !== undefined) return null; // a second invoke
      const op: Op = {
        process: p,
        f: r.f,
        type: 'info',
        invokeValue: r.value,
        value: r.value,
        invokeIndex: i,
        completeIndex: null,
        invokeTime: time,
        completeTime: null,
      };
      if (r.node !== undefined) op.node = r.node;
      open.set(p, op);
      ops.push(op);
      continue;
    }
    if (pending === undefined || pending.f !== r.f) return null; // no invoke, or another f
    open.delete(p);
    pending.type = r.type;
    pending.completeIndex = i;
    pending.completeTime = time;
    if (r.type === 'ok') pending.value = r.value;
    if (r.node !== undefined) pending.node = r.node;
    if (r.error !== undefined) pending.error = r.error;
  }
  const warnings = index.warnings();
  if (first !== null) warnings.push(backwardsWarning(first, backwards));
  return { history: { ops, nemesis, events: i }, lines, warnings };
}
