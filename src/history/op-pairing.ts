// The fast readers' pairing (edn-paired.ts, jsonl-paired.ts): events given as fields go straight into ops, with the
// checks HistoryValidator makes and the ops Pairer builds. take() answers false where the validator would refuse
// the event: the fast reader then gives the history up, and the event-by-event reader says what is wrong.
import { completeOp, openOp, type EventFields } from './pair.js';
import type { HistoryEvent, NemesisEvent, Op, PairedHistory } from './types.js';
import { backwardsWarning, type InputWarning } from './validate.js';

/** A history read and paired by a fast reader: what loadHistory makes of it event by event. */
export interface PairedRead {
  history: PairedHistory;
  /** 1-based source line of each event, by event index */
  lines: number[];
  warnings: InputWarning[];
}

export class OpPairing {
  private readonly ops: Op[] = [];
  private readonly nemesis: NemesisEvent[] = [];
  private readonly lines: number[] = [];
  private readonly open = new Map<number, Op>();
  private lastTime = 0;
  private backwards = 0;
  private first: { line: number; from: number; to: number } | null = null;

  /** Events taken so far: the index of the next one. */
  get count(): number {
    return this.lines.length;
  }

  /** The time check of every event (nemesis ones too): false for a negative time. */
  private timed(time: number, line: number): boolean {
    if (time < 0) return false;
    if (time < this.lastTime) {
      this.backwards++;
      this.first ??= { line, from: this.lastTime, to: time };
    }
    this.lastTime = time;
    return true;
  }

  /** Take the next nemesis event (kept as given; index = count, as the caller checks); false when the validator would refuse it. */
  takeNemesis(e: HistoryEvent, line: number): boolean {
    if (!this.timed(e.time, line)) return false;
    this.lines.push(line);
    this.nemesis.push(e as NemesisEvent);
    return true;
  }

  /** Take the next client event (index = count, process a number); false when the validator would refuse it. */
  take(e: EventFields, line: number): boolean {
    const p = e.process as number;
    const index = this.count;
    if (!this.timed(e.time, line)) return false;
    const pending = this.open.get(p);
    if (e.type === 'invoke') {
      if (pending !== undefined) return false; // a second invoke
      const op = openOp(e, index);
      this.open.set(p, op);
      this.ops.push(op);
    } else {
      if (pending === undefined || pending.f !== e.f || pending.key !== e.key) return false; // no invoke, or another f or key
      this.open.delete(p);
      completeOp(pending, e, index);
    }
    this.lines.push(line);
    return true;
  }

  /** The paired history, the lines, and the validator's warnings after `before` (the reader's own). */
  result(before: InputWarning[] = []): PairedRead {
    const warnings = [...before];
    if (this.first !== null) warnings.push(backwardsWarning(this.first, this.backwards));
    return { history: { ops: this.ops, nemesis: this.nemesis, events: this.lines.length }, lines: this.lines, warnings };
  }
}
