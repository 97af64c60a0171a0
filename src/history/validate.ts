// Incremental validation of a history event stream: each event's fields (shape) and the stream's
// consistency (dense index, completions paired with a pending invoke of the same process, same f/key).
// Used by the JSONL reader, the EDN importer's output, and the writer; errors are InputError(file, line, what).
import { InputError } from '../util/exit.js';
import type { EventType, HistoryEvent, Key } from './types.js';

const EVENT_TYPES: ReadonlySet<string> = new Set<EventType>(['invoke', 'ok', 'fail', 'info']);

/** A short one-line rendering of a JSON value for "got …" in messages. */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  let s: string;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function isInteger(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v);
}

function isKey(v: unknown): v is Key {
  return typeof v === 'string' || isInteger(v);
}

/** Cold path: build the shape error (kept out of checkEventShape so the hot path stays small). */
function shapeError(e: Record<string, unknown>, file: string, line: number): InputError {
  const what = (field: string, expected: string): InputError =>
    new InputError(file, line, `expected "${field}" to be ${expected}; got ${describeValue(e[field])}`);
  if (!isInteger(e.index) || e.index < 0) return what('index', 'a non-negative integer');
  if (!isInteger(e.time) || e.time < 0) return what('time', 'a non-negative integer (nanoseconds since the test started)');
  if (!isInteger(e.process) && e.process !== 'nemesis') return what('process', 'an integer or "nemesis"');
  if (typeof e.type !== 'string' || !EVENT_TYPES.has(e.type)) return what('type', 'one of invoke, ok, fail, info');
  if (typeof e.f !== 'string') return what('f', 'a string');
  if (e.key !== undefined && e.key !== null && !isKey(e.key)) return what('key', 'a string or an integer');
  if (e.node !== undefined && e.node !== null && typeof e.node !== 'string') return what('node', 'a string');
  return what('error', 'a string');
}

/**
 * Check one decoded value has the fields of a HistoryEvent; returns it typed (the same object).
 * Optional fields given as null (key, node, error) are dropped. Throws InputError.
 * Each field is read once: objects from JSON.parse have many shapes, so property loads are costly here.
 */
export function checkEventShape(raw: unknown, file: string, line: number): HistoryEvent {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new InputError(file, line, `expected an event object; got ${describeValue(raw)}`);
  }
  const e = raw as Record<string, unknown>;
  const { index, time, process, type, f, key, node, error } = e;
  const ok =
    typeof index === 'number' &&
    Number.isSafeInteger(index) &&
    index >= 0 &&
    typeof time === 'number' &&
    Number.isSafeInteger(time) &&
    time >= 0 &&
    ((typeof process === 'number' && Number.isSafeInteger(process)) || process === 'nemesis') &&
    (type === 'invoke' || type === 'ok' || type === 'fail' || type === 'info') &&
    typeof f === 'string' &&
    (key === undefined || typeof key === 'string' || (typeof key === 'number' && Number.isSafeInteger(key))) &&
    (node === undefined || typeof node === 'string') &&
    (error === undefined || typeof error === 'string');
  if (ok) return e as HistoryEvent;
  if (key === null || node === null || error === null) {
    if (key === null) delete e.key;
    if (node === null) delete e.node;
    if (error === null) delete e.error;
    return checkEventShape(e, file, line);
  }
  throw shapeError(e, file, line);
}

/** A repair or oddity the reader accepted: reported on stderr as a warning, never silently. */
export interface InputWarning {
  line: number;
  what: string;
}

/** The warning for times that go backwards: the first time (its line, from and to) and how many times in all. */
export function backwardsWarning(first: { line: number; from: number; to: number }, times: number): InputWarning {
  const more = times > 1 ? ` (${times} times in all)` : '';
  return {
    line: first.line,
    what: `"time" goes backwards, from ${first.from} to ${first.to}${more}: events are ordered by index; times only feed latencies, which may come out negative`,
  };
}

interface Pending {
  f: string;
  key: Key | undefined;
  line: number;
}

/**
 * Validates a stream event by event: shape, dense index from 0, and pairing of client completions
 * with the pending invoke of their process. Nemesis events are checked for shape and index only.
 * A `time` that goes backwards is accepted (events are ordered by index) and reported by warnings().
 */
export class HistoryValidator {
  private next = 0;
  private readonly open = new Map<number, Pending>();
  private lastTime = 0;
  private backwards = 0;
  private firstBackwards: { line: number; from: number; to: number } | null = null;

  constructor(readonly file: string) {}

  /** Number of events accepted so far. */
  get count(): number {
    return this.next;
  }

  /** Number of client invokes not (yet) completed. */
  get pending(): number {
    return this.open.size;
  }

  /** Validate the next event (decoded JSON or an imported event) found at `line`; returns it typed. */
  accept(raw: unknown, line: number): HistoryEvent {
    const e = checkEventShape(raw, this.file, line);
    if (e.index !== this.next) {
      throw new InputError(this.file, line, `expected "index" to be ${this.next} (indices are dense from 0); got ${e.index}`);
    }
    if (e.process !== 'nemesis') this.pair(e, line);
    if (e.time < this.lastTime) {
      this.backwards++;
      this.firstBackwards ??= { line, from: this.lastTime, to: e.time };
    }
    this.lastTime = e.time;
    this.next++;
    return e;
  }

  /** What was accepted but is worth a word: times that go backwards. */
  warnings(): InputWarning[] {
    const b = this.firstBackwards;
    return b === null ? [] : [backwardsWarning(b, this.backwards)];
  }

  private pair(e: HistoryEvent, line: number): void {
    const p = e.process as number;
    const pending = this.open.get(p);
    if (e.type === 'invoke') {
      if (pending) {
        throw new InputError(
          this.file,
          line,
          `expected a completion (ok, fail or info) of process ${p}'s invoke at line ${pending.line}; got another invoke`,
        );
      }
      this.open.set(p, { f: e.f, key: e.key, line });
      return;
    }
    if (!pending) {
      throw new InputError(this.file, line, `expected an invoke of process ${p} before this ${e.type}; got none pending`);
    }
    if (e.f !== pending.f) {
      throw new InputError(
        this.file,
        line,
        `expected "f" to be ${describeValue(pending.f)} like its invoke at line ${pending.line}; got ${describeValue(e.f)}`,
      );
    }
    if (e.key !== pending.key) {
      throw new InputError(
        this.file,
        line,
        `expected "key" to be ${describeValue(pending.key)} like its invoke at line ${pending.line}; got ${describeValue(e.key)}`,
      );
    }
    this.open.delete(p);
  }
}
