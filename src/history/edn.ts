// Importer for Jepsen history.edn files into faultline history events: op maps → HistoryEvent,
// independent tuples → key + value. Events are numbered in file order: a file's own dense :index is exactly
// that; :index values with gaps are renumbered with a warning; a repeated or decreasing :index is refused.
// An op without :process is no client's (Elle checks only integer processes): a non-client event, with a warning.
import { InputError } from '../util/exit.js';
import { FlatOps } from './edn-flat.js';
import { EdnTuple, readEdnItems, type EdnMap, type EdnValue } from './edn-reader.js';
import { DEFAULT_LIMITS, type ReadLimits } from './guards.js';
import type { EventType, HistoryEvent, Json, Key, Process } from './types.js';
import type { InputWarning } from './validate.js';

export interface EdnHistory {
  events: HistoryEvent[];
  /** 1-based source line of each event (lines[i] for events[i]), for file:line errors */
  lines: number[];
  /** what the import repaired (renumbered indices): for stderr */
  warnings: InputWarning[];
}

const TYPES: readonly string[] = ['invoke', 'ok', 'fail', 'info'];
const KNOWN = new Set(['process', 'type', 'f', 'value', 'time', 'index', 'node', 'error', 'key']);

/** A non-finite number (##Inf, ##NaN) where JSON has none. */
class NonFinite extends Error {}

/**
 * EDN data → JSON: tuples nested inside values become [key, value]. Non-finite numbers have no JSON form:
 * with `strict` (an op's :value) they throw NonFinite, elsewhere (extra fields, ignored by checkers) they become null.
 */
function toJson(v: EdnValue, strict = false): Json {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'number') {
    if (Number.isFinite(v)) return v;
    if (strict) throw new NonFinite(String(v));
    return null;
  }
  if (v instanceof EdnTuple) return [toJson(v.key, strict), toJson(v.value, strict)];
  if (Array.isArray(v)) return v.map((x) => toJson(x, strict));
  const out: { [k: string]: Json } = {};
  for (const k of Object.keys(v)) {
    const j = toJson(v[k], strict);
    if (k === '__proto__') Object.defineProperty(out, k, { value: j, enumerable: true, writable: true, configurable: true });
    else out[k] = j;
  }
  return out;
}

function isMap(v: EdnValue): v is EdnMap {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof EdnTuple);
}

function show(v: EdnValue | undefined): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'number' && !Number.isFinite(v)) return Number.isNaN(v) ? '##NaN' : v > 0 ? '##Inf' : '##-Inf';
  const s = JSON.stringify(toJson(v));
  return s.length > 40 ? `${s.slice(0, 39)}…` : s;
}

function keyOf(v: EdnValue, file: string, line: number): Key {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  throw new InputError(file, line, `expected a tuple key that is a string, keyword or number, found ${show(v)}`);
}

function processOf(v: EdnValue | undefined, file: string, line: number): Process {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (v === 'nemesis') return 'nemesis';
  throw new InputError(file, line, `expected :process to be an integer or :nemesis, found ${show(v)}`);
}

/** An op map with no :process (or :process nil): Jepsen's histories give every client op an integer process. */
function hasNoProcess(m: EdnMap): boolean {
  return m.process === undefined || m.process === null;
}

/** The :f of a non-client event without one. */
export const NO_F = 'unknown';

/**
 * One op map → an event (index filled in later). An op with no :process is read as a non-client event (process
 * "nemesis", `noProcess: true`), as Elle reads it: no checker takes it for a client's op; its :f may be missing.
 */
function eventOf(m: EdnMap, position: number, file: string, line: number): HistoryEvent {
  const noProcess = hasNoProcess(m);
  const process = noProcess ? 'nemesis' : processOf(m.process, file, line);
  const type = m.type;
  if (typeof type !== 'string' || !TYPES.includes(type)) {
    throw new InputError(file, line, `expected :type to be :invoke, :ok, :fail or :info, found ${show(type)}`);
  }
  const f = noProcess && (m.f === undefined || m.f === null) ? NO_F : m.f;
  if (typeof f !== 'string') throw new InputError(file, line, `expected :f to be a keyword, found ${show(f)}`);
  const time = m.time;
  if (time !== undefined && time !== null && (typeof time !== 'number' || !Number.isFinite(time))) {
    throw new InputError(file, line, `expected :time to be a number, found ${show(time)}`);
  }
  const e: HistoryEvent = { index: position, time: typeof time === 'number' ? time : position, process, type: type as EventType, f };
  let value = m.value;
  if (value instanceof EdnTuple) {
    e.key = keyOf(value.key, file, line);
    value = value.value;
  } else if (m.key !== undefined && m.key !== null) {
    e.key = keyOf(m.key, file, line);
  }
  try {
    e.value = value === undefined ? null : toJson(value, true);
  } catch (err) {
    if (!(err instanceof NonFinite)) throw err;
    throw new InputError(file, line, `expected :value to hold finite numbers only (JSON has no ##Inf or ##NaN); got ${show(Number(err.message))} in ${show(value)}`);
  }
  if (typeof m.node === 'string') e.node = m.node;
  if (m.error !== undefined && m.error !== null) e.error = typeof m.error === 'string' ? m.error : JSON.stringify(toJson(m.error));
  for (const k in m) if (!KNOWN.has(k) && Object.hasOwn(m, k)) e[k] = toJson(m[k]);
  if (noProcess) e.noProcess = true;
  return e;
}

/**
 * Follows the :index of each op map: the first repair to report (a gap, a missing :index), and a refusal
 * of an :index that repeats or goes backwards (the file's order is then in doubt).
 */
export class IndexCheck {
  /** the last :index given (-1: none yet) and its line */
  private lastIndex = -1;
  private lastLine = 0;
  private seen = 0;
  private missing = 0;
  warning: InputWarning | null = null;

  constructor(readonly file: string) {}

  /** Would note() take this :index without an error? */
  fits(index: number | undefined): boolean {
    return index === undefined || index > this.lastIndex;
  }

  note(index: EdnValue | undefined, position: number, line: number): void {
    if (index === undefined || index === null) {
      this.missing++;
      if (this.seen > 0) this.warning ??= { line, what: 'this op has no :index while earlier ones have one' };
      return;
    }
    if (typeof index !== 'number' || !Number.isSafeInteger(index) || index < 0) {
      throw new InputError(this.file, line, `expected :index to be a non-negative integer, found ${show(index)}`);
    }
    if (this.lastIndex >= 0 && index <= this.lastIndex) {
      throw new InputError(
        this.file,
        line,
        `expected :index to increase in file order (it was ${this.lastIndex} at line ${this.lastLine}); got ${index}: ops repeated or out of order`,
      );
    }
    if (this.missing > 0) this.warning ??= { line, what: 'this op has an :index while earlier ones have none' };
    if (index !== position) this.warning ??= { line, what: `:index ${index} where ${position} was next` };
    this.seen++;
    this.lastIndex = index;
    this.lastLine = line;
  }

  warnings(): InputWarning[] {
    const w = this.warning;
    return w === null ? [] : [{ line: w.line, what: `${w.what}: events renumbered in file order (0, 1, 2…)` }];
  }
}

/** The event of the op map `ops` just read, at position `i`: exactly what eventOf makes of the same map. */
export function flatEvent(ops: FlatOps, i: number): HistoryEvent {
  const e: HistoryEvent = { index: i, time: ops.time ?? i, process: ops.process, type: ops.type, f: ops.f, value: ops.value };
  if (ops.node !== undefined) e.node = ops.node;
  if (ops.error !== undefined) e.error = ops.error;
  return e;
}

/** The events of a history in the flat shape, or null when it is not. */
function flatHistory(bytes: Buffer, file: string, limits: ReadLimits): EdnHistory | null {
  const ops = new FlatOps(bytes, limits.maxLineBytes);
  const events: HistoryEvent[] = [];
  const lines: number[] = [];
  const index = new IndexCheck(file);
  for (let got = ops.next(); got !== 0; got = ops.next()) {
    if (got === -1) return null;
    const i = events.length;
    // an :index out of order: the full reader reports it (or an error it meets first)
    if (!index.fits(ops.index)) return null;
    index.note(ops.index, i, ops.line);
    events.push(flatEvent(ops, i));
    lines.push(ops.line);
  }
  return { events, lines, warnings: index.warnings() };
}

/**
 * Read a Jepsen history from its UTF-8 bytes (checked valid already): the common shape straight into events, anything
 * else (or anything wrong) by parseEdnHistory. Either way the same events, lines, warnings and errors.
 */
export function readEdnHistory(bytes: Buffer, file: string, limits?: ReadLimits): EdnHistory {
  return flatHistory(bytes, file, limits ?? DEFAULT_LIMITS) ?? parseEdnHistory(bytes.toString('utf8'), file, limits);
}

/** Parse a Jepsen history (vector/list of op maps, or one map per line). Throws InputError with file:line. */
export function parseEdnHistory(text: string, file: string, limits?: ReadLimits): EdnHistory {
  const items = readEdnItems(text, file, limits);
  const events: HistoryEvent[] = [];
  const lines: number[] = [];
  const index = new IndexCheck(file);
  let noProcess = 0;
  let firstNoProcess = 0;
  items.forEach((item, i) => {
    if (!isMap(item.value)) {
      throw new InputError(file, item.line, `expected an op map {:process …, :type …, :f …, :value …}, found ${show(item.value)}`);
    }
    index.note(item.value.index, i, item.line);
    if (hasNoProcess(item.value) && noProcess++ === 0) firstNoProcess = item.line;
    events.push(eventOf(item.value, i, file, item.line));
    lines.push(item.line);
  });
  const warnings = index.warnings();
  if (noProcess > 0) {
    const all = noProcess === events.length ? 'every op has' : `${noProcess} op${noProcess === 1 ? ' has' : 's have'}`;
    warnings.push({ line: firstNoProcess, what: `this op has no :process (${all} none): read as non-client events, as Elle reads them, so no checker judges them` });
  }
  return { events, lines, warnings };
}
