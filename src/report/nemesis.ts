// Nemesis events → fault intervals (shaded bands) and instant events (marker lines), pure.
// The pairing rule is documented on nemesisIntervals() below (the report page repeats it for users).
import { nemesisLabel } from '../history/nemesis-label.js';
import type { Json, NemesisEvent } from '../history/types.js';

/** A fault in force from `start` to `end` (ns); `open` when no heal came before the history ended. */
export interface FaultInterval {
  family: string;
  /** the f that started it, e.g. "start-partition", "kill" */
  f: string;
  /** short human label, e.g. "kill n2", "site a lost; n2 promoted" */
  label: string;
  /** the f and its whole recorded value, for hover text */
  detail?: string;
  start: number;
  end: number;
  open: boolean;
  /** the f that ended it (undefined when open) */
  endF?: string;
}

/** A nemesis op that is neither a fault start nor a heal (failover, promote…): drawn as a labelled line. */
export interface InstantEvent {
  f: string;
  label: string;
  detail?: string;
  time: number;
}

export interface NemesisLayout {
  intervals: FaultInterval[];
  instants: InstantEvent[];
}

/** What a nemesis f means for shading: start a fault of a family, end one (or all), or an instant event. */
export type NemesisRole = { kind: 'start'; family: string } | { kind: 'end'; family: string | null } | { kind: 'instant' };

const START_WORDS: Record<string, string> = {
  kill: 'kill',
  crash: 'kill',
  pause: 'pause',
  partition: 'partition',
  isolate: 'partition',
  latency: 'latency',
  slow: 'latency',
  delay: 'latency',
  drop: 'drop',
  corrupt: 'corrupt',
  'clock-skew': 'clock',
  'bump-clock': 'clock',
  'strobe-clock': 'clock',
};

const END_WORDS: Record<string, string | null> = {
  heal: null,
  'heal-all': null,
  stop: null,
  recover: null,
  'stop-all': null,
  start: 'kill',
  restart: 'kill',
  resume: 'pause',
  unpause: 'pause',
  'reset-clock': 'clock',
};

/** Classify a nemesis f (see nemesisIntervals for the rule). */
export function nemesisRole(f: string): NemesisRole {
  const name = f.toLowerCase();
  if (name in END_WORDS) return { kind: 'end', family: END_WORDS[name] ?? null };
  if (name in START_WORDS) return { kind: 'start', family: START_WORDS[name] as string };
  let m = /^start-(.+)$/.exec(name);
  if (m) return { kind: 'start', family: familyOf(m[1] as string) };
  m = /^(?:stop|heal|end|resume|clear|restore|remove)-(.+)$/.exec(name);
  if (m) return { kind: 'end', family: familyOf(m[1] as string) };
  m = /^(kill|crash|pause|partition|isolate|latency)-(.+)$/.exec(name);
  if (m) return { kind: 'start', family: START_WORDS[m[1] as string] as string };
  return { kind: 'instant' };
}

/** "partition-majorities" → "partition"; "kill" → "kill"; unknown words stay themselves. */
function familyOf(word: string): string {
  if (word in START_WORDS) return START_WORDS[word] as string;
  const head = word.split('-')[0] as string;
  return START_WORDS[head] ?? word;
}

/** A short rendering of a nemesis value for labels ("n1 n2", "{n1: [n2]}"), at most `max` chars. */
export function describeNemesisValue(v: Json | undefined, max = 40): string {
  if (v === undefined || v === null) return '';
  const scalar = (x: Json): x is string | number | boolean => typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean';
  let s: string;
  if (scalar(v)) s = String(v);
  else if (Array.isArray(v) && v.every(scalar)) s = v.join(' ');
  else if (!Array.isArray(v)) {
    // an object: its scalar and list-of-scalar fields as k=v (a grudge {n1: [n2]} reads n1=n2)
    const parts = Object.entries(v)
      .filter(([, x]) => scalar(x) || (Array.isArray(x) && x.length > 0 && x.every(scalar)))
      .map(([k, x]) => `${k}=${Array.isArray(x) ? x.join(',') : String(x)}`);
    s = parts.length > 0 ? parts.join(' ') : JSON.stringify(v);
  } else s = JSON.stringify(v);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** Other nemesis ops lasting at least this long (invoke → completion) are shaded for their duration. */
export const MIN_SPAN_NS = 50e6;

interface NemesisOp {
  f: string;
  value: Json | undefined;
  begin: number;
  end: number;
}

/** Pair nemesis events into ops: an invoke with the next completion of the same f; lone events are ops by themselves. */
function nemesisOps(events: readonly NemesisEvent[]): NemesisOp[] {
  const ops: NemesisOp[] = [];
  let pending: NemesisOp | null = null;
  for (const e of events) {
    if (e.type === 'invoke') {
      if (pending) ops.push(pending);
      pending = { f: e.f, value: e.value, begin: e.time, end: e.time };
      continue;
    }
    if (pending && pending.f === e.f) {
      pending.end = e.time;
      if (e.value !== undefined && e.value !== null) pending.value = e.value;
      ops.push(pending);
      pending = null;
    } else {
      if (pending) ops.push(pending);
      pending = null;
      ops.push({ f: e.f, value: e.value, begin: e.time, end: e.time });
    }
  }
  if (pending) ops.push(pending);
  return ops;
}

/**
 * The shading rule. Nemesis events are first paired into ops (invoke + the next completion with the same f).
 * Each op's f is classified by nemesisRole():
 *  - start: `start-X`, or kill / crash / pause / partition / isolate / latency (and `kill-…`, `partition-…`);
 *    it opens a fault of family X (kill, pause, partition, latency, …) at the op's invoke time.
 *    A start of a family that is already open does not open a second band.
 *  - end: `stop-X` / `heal-X` / `end-X` / `resume-X` close family X; `start`/`restart` close kill;
 *    `resume`/`unpause` close pause; a bare `heal` / `stop` / `recover` closes every open fault.
 *    The band ends at the end op's completion time. An end with nothing open is drawn as an instant.
 *  - anything else (failover, promote, rejoin…) is shaded from its invoke to its completion when that takes
 *    at least MIN_SPAN_NS (50 ms), and otherwise an instant event: a labelled line, no band.
 * Faults still open when the history ends run to `endTime` and are marked open.
 */
export function nemesisIntervals(events: readonly NemesisEvent[], endTime: number): NemesisLayout {
  const intervals: FaultInterval[] = [];
  const instants: InstantEvent[] = [];
  const open = new Map<string, FaultInterval>();
  for (const op of nemesisOps(events)) {
    const role = nemesisRole(op.f);
    const label = nemesisLabel(op.f, op.value);
    const detail = op.value === undefined || op.value === null ? op.f : `${op.f} ${JSON.stringify(op.value)}`;
    if (role.kind === 'start') {
      if (open.has(role.family)) continue;
      const iv: FaultInterval = { family: role.family, f: op.f, label, detail, start: op.begin, end: endTime, open: true };
      open.set(role.family, iv);
      intervals.push(iv);
    } else if (role.kind === 'end') {
      const closing = role.family === null ? [...open.keys()] : open.has(role.family) ? [role.family] : [];
      if (closing.length === 0) {
        instants.push({ f: op.f, label, detail, time: op.begin });
        continue;
      }
      for (const fam of closing) {
        const iv = open.get(fam) as FaultInterval;
        iv.end = Math.max(iv.start, op.end);
        iv.open = false;
        iv.endF = op.f;
        open.delete(fam);
      }
    } else if (op.end - op.begin >= MIN_SPAN_NS) {
      // an op that takes a while (a failover, a rejoin) is shaded for its own duration
      intervals.push({ family: op.f, f: op.f, label, detail, start: op.begin, end: op.end, open: false, endF: `${op.f} done` });
    } else {
      instants.push({ f: op.f, label, detail, time: op.begin });
    }
  }
  for (const iv of open.values()) iv.end = Math.max(iv.start, endTime);
  return { intervals, instants };
}
