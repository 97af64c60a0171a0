// unavailability: per fault, the time from the fault's start to the first write invoked after it that was
// acknowledged (the client saw the system take writes again), and the longest gap between acknowledged writes.
// A measurement, not a judgement: valid is true, or unknown when the history holds no acknowledged write.
import type { NemesisEvent, Op, PairedHistory } from '../src/history/types.js';
import { defaultIsWrite } from './split-brain.js';
import type { CheckResult, Validity } from './types.js';

export interface FaultRecovery {
  /** history index of the fault's nemesis event */
  index: number;
  f: string;
  /** ns since t0 the fault started */
  time: number;
  /** the first write invoked after the fault and acknowledged: its invoke index, node and completion */
  firstAck: { invokeIndex: number; node: string | null; completeTime: number } | null;
  /** ms from the fault's start to that acknowledgement; null when none came before the history ended */
  ms: number | null;
  /**
   * the longest gap between acknowledged writes that overlaps the fault (from its start to the next heal, fault or the
   * history's end), ms: the outage it caused even when writes went on for a while after it started (a site cut off
   * first, then lost); null when no write was acknowledged at all
   */
  longestGapMs: number | null;
}

export interface WriteGap {
  ms: number;
  /** ns since t0: the acknowledgement before the gap (or the first write's invoke), and the one that ended it */
  from: number;
  to: number;
  /** invoke indexes of the writes acknowledged at both ends (null: the history's end with no later ack) */
  after: number | null;
  before: number | null;
  /** faults that started during the gap (history indexes) */
  faults: number[];
}

export interface UnavailabilityResult extends CheckResult {
  valid: Validity;
  writesOk: number;
  faults: FaultRecovery[];
  longestGap: WriteGap | null;
  reason?: string;
}

export interface UnavailabilityOptions {
  isWrite?: (op: Op) => boolean;
  /** which nemesis events start a fault (default: every f that does not name a heal) */
  isFault?: (e: NemesisEvent) => boolean;
}

/** f names of nemesis events that end faults rather than start them. */
const HEAL = /^(stop-|heal|resume$|start$|rejoin$|restart$|recover|end-|unpause$|none$|start-manager$|start-dcs$|switchover-done$|switchover-up$|schema-change-check$)/;

export const defaultIsFault = (e: NemesisEvent): boolean => !HEAL.test(e.f);

/** The fault events: nemesis invokes (the instant a fault began), or their completions in a history without invokes. */
function faultEvents(history: PairedHistory, isFault: (e: NemesisEvent) => boolean): NemesisEvent[] {
  const invokes = history.nemesis.filter((e) => e.type === 'invoke');
  const events = invokes.length > 0 ? invokes : history.nemesis;
  return events.filter(isFault).sort((a, b) => a.time - b.time);
}

export function checkUnavailability(history: PairedHistory, opts: UnavailabilityOptions = {}): UnavailabilityResult {
  const isWrite = opts.isWrite ?? defaultIsWrite;
  const acked = history.ops.filter((op) => op.type === 'ok' && op.completeTime !== null && isWrite(op));
  const byInvoke = [...acked].sort((a, b) => a.invokeTime - b.invokeTime);
  const byComplete = [...acked].sort((a, b) => a.completeTime! - b.completeTime!);
  const faults = faultEvents(history, opts.isFault ?? defaultIsFault);
  // the earliest completion among writes invoked at or after t: suffix minima over invoke order
  const suffixBest: number[] = new Array<number>(byInvoke.length + 1).fill(-1);
  for (let i = byInvoke.length - 1; i >= 0; i--) {
    const best = suffixBest[i + 1]!;
    suffixBest[i] = best < 0 || byInvoke[i]!.completeTime! < byInvoke[best]!.completeTime! ? i : best;
  }
  const firstAtOrAfter = (t: number): number => {
    let lo = 0;
    let hi = byInvoke.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (byInvoke[mid]!.invokeTime < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  // a fault's window: from its start to the next nemesis event that starts something (its heal or the next fault)
  const invokes = history.nemesis.filter((e) => e.type === 'invoke');
  const starts = (invokes.length > 0 ? invokes : history.nemesis).map((e) => e.time).sort((a, b) => a - b);
  const writeEnds = history.ops.filter((op) => isWrite(op)).map((op) => op.completeTime ?? op.invokeTime);
  const historyEnd = writeEnds.reduce((a, b) => Math.max(a, b), 0);
  const completions = byComplete.map((op) => op.completeTime!);
  /** longest gap between consecutive acknowledgements (or the last one and the history's end) overlapping [from, to] */
  const gapDuring = (from: number, to: number): number | null => {
    if (completions.length === 0) return null;
    let best = 0;
    for (let i = 0; i < completions.length; i++) {
      const a = completions[i]!;
      const b = i + 1 < completions.length ? completions[i + 1]! : Math.max(a, historyEnd);
      if (b > from && a < to) best = Math.max(best, b - a);
    }
    return best / 1e6;
  };
  const recoveries: FaultRecovery[] = faults.map((e) => {
    const next = starts.find((t) => t > e.time);
    const longestGapMs = gapDuring(e.time, next ?? Math.max(historyEnd, e.time + 1));
    const k = suffixBest[firstAtOrAfter(e.time)]!;
    if (k < 0) return { index: e.index, f: e.f, time: e.time, firstAck: null, ms: null, longestGapMs };
    const op = byInvoke[k]!;
    return { index: e.index, f: e.f, time: e.time, firstAck: { invokeIndex: op.invokeIndex, node: op.node ?? null, completeTime: op.completeTime! }, ms: (op.completeTime! - e.time) / 1e6, longestGapMs };
  });
  let longest: WriteGap | null = null;
  const consider = (from: number, to: number, after: Op | null, before: Op | null): void => {
    const ms = (to - from) / 1e6;
    if (longest && ms <= longest.ms) return;
    longest = { ms, from, to, after: after?.invokeIndex ?? null, before: before?.invokeIndex ?? null, faults: faults.filter((f) => f.time >= from && f.time < to).map((f) => f.index) };
  };
  for (let i = 1; i < byComplete.length; i++) consider(byComplete[i - 1]!.completeTime!, byComplete[i]!.completeTime!, byComplete[i - 1]!, byComplete[i]!);
  // writes still invoked after the last acknowledgement: the gap runs to the last of them
  const last = byComplete[byComplete.length - 1];
  if (last) {
    const lastEvent = Math.max(...history.ops.filter((op) => isWrite(op)).map((op) => op.completeTime ?? op.invokeTime));
    if (lastEvent > last.completeTime!) consider(last.completeTime!, lastEvent, last, null);
  }
  const result: UnavailabilityResult = { valid: acked.length > 0 ? true : 'unknown', writesOk: acked.length, faults: recoveries, longestGap: longest };
  result.reason = acked.length === 0 ? 'no write was acknowledged' : describe(recoveries, longest);
  return result;
}

const sec = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
/** Per-fault faults shown in the summary line, at most (every one is in results.json). */
const REASON_FAULTS = 4;

/** The summary line: the run's longest write gap, then each fault's recovery (first acknowledged write after it). */
function describe(faults: readonly FaultRecovery[], longest: WriteGap | null): string {
  const gap = longest ? `longest write gap ${sec(longest.ms)} (at ${sec(longest.from / 1e6)})` : 'no gap between acknowledged writes';
  if (faults.length === 0) return gap;
  const shown = faults.slice(0, REASON_FAULTS).map((f) => `${f.f} at ${sec(f.time / 1e6)} → ${f.ms === null ? 'no write acknowledged after it' : `first write acknowledged after ${sec(f.ms)}`}, longest gap ${f.longestGapMs === null ? '–' : sec(f.longestGapMs)}`);
  const more = faults.length > REASON_FAULTS ? ` (+${faults.length - REASON_FAULTS} more in results.json)` : '';
  return `${gap}; ${shown.join('; ')}${more}`;
}
