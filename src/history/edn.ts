// Importer for Jepsen history.edn files into faultline history events: op maps → HistoryEvent,
// independent tuples → key + value, indices renumbered in file order unless already dense.
import { InputError } from '../cli/exit.js';
import { EdnTuple, readEdnItems, type EdnMap, type EdnValue } from './edn-reader.js';
import type { EventType, HistoryEvent, Json, Key, Process } from './types.js';

export interface EdnHistory {
  events: HistoryEvent[];
  /** 1-based source line of each event (lines[i] for events[i]), for file:line errors */
  lines: number[];
}

const TYPES: readonly string[] = ['invoke', 'ok', 'fail', 'info'];
const KNOWN = new Set(['process', 'type', 'f', 'value', 'time', 'index', 'node', 'error', 'key']);

/** EDN data → JSON: tuples nested inside values become [key, value]; non-finite numbers become null. */
function toJson(v: EdnValue): Json {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (v instanceof EdnTuple) return [toJson(v.key), toJson(v.value)];
  if (Array.isArray(v)) return v.map(toJson);
  const out: { [k: string]: Json } = {};
  for (const k of Object.keys(v)) {
    const j = toJson(v[k]);
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

/** One op map → an event (index filled in later). */
function eventOf(m: EdnMap, position: number, file: string, line: number): HistoryEvent {
  const process = processOf(m.process, file, line);
  const type = m.type;
  if (typeof type !== 'string' || !TYPES.includes(type)) {
    throw new InputError(file, line, `expected :type to be :invoke, :ok, :fail or :info, found ${show(type)}`);
  }
  const f = m.f;
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
  e.value = value === undefined ? null : toJson(value);
  if (typeof m.node === 'string') e.node = m.node;
  if (m.error !== undefined && m.error !== null) e.error = typeof m.error === 'string' ? m.error : JSON.stringify(toJson(m.error));
  for (const k of Object.keys(m)) if (!KNOWN.has(k)) e[k] = toJson(m[k]);
  return e;
}

/** Parse a Jepsen history (vector/list of op maps, or one map per line). Throws InputError with file:line. */
export function parseEdnHistory(text: string, file: string): EdnHistory {
  const items = readEdnItems(text, file);
  const events: HistoryEvent[] = [];
  const lines: number[] = [];
  // events are numbered in file order: a file's own dense :index (0, 1, 2…) is exactly that, any other is renumbered
  items.forEach((item, i) => {
    if (!isMap(item.value)) {
      throw new InputError(file, item.line, `expected an op map {:process …, :type …, :f …, :value …}, found ${show(item.value)}`);
    }
    events.push(eventOf(item.value, i, file, item.line));
    lines.push(item.line);
  });
  return { events, lines };
}
