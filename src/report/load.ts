// Reads a run directory for the report: the history (required), test.json, results.json and metrics.jsonl
// (optional: a missing or unreadable one becomes a note, never an error unless `strict` asks for it).
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EXIT, InputError, UserError } from '../util/exit.js';
import { readHistoryEvents } from '../history/load.js';
import { pairHistory } from '../history/pair.js';
import type { PairedHistory } from '../history/types.js';
import { isAlive } from '../util/processes.js';
import type { HistoryCheck, HistoryChecker } from './ending.js';
import { RUN_FILES, RUN_STATES, type RunResults, type RunStatus, type TestDescription } from '../runner/results.js';

/** One line of metrics.jsonl, as far as the report relies on it: a time, a node, and numeric fields. */
export interface MetricSample {
  /** ns since the test started */
  time: number;
  node: string;
  [field: string]: unknown;
}

export interface RunData {
  dir: string;
  history: PairedHistory;
  test: TestDescription | null;
  results: RunResults | null;
  /** how the run ended (status.json; null for runs made before it was written, or when unreadable) */
  status?: RunStatus | null;
  /** a `running` run: does its process still run? (null: not a running run, or no pid) */
  alive?: boolean | null;
  /** without results.json: the verdict of the history as written (when a HistoryChecker was given) */
  check?: HistoryCheck | null;
  metrics: MetricSample[];
  /** first and last event time (ns) */
  start: number;
  end: number;
  /** what was missing or skipped, for the report's notes */
  notes: string[];
}

export interface LoadOptions {
  /** malformed test.json / results.json / metrics.jsonl throw InputError (exit 65) instead of becoming notes */
  strict?: boolean;
  /** checks the history of a run without results.json (faultline report / serve: the command line injects it) */
  check?: HistoryChecker;
}

/** 1-based line of a character offset in text. */
function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** Parse JSON text, turning a syntax error into InputError(file, line). */
export function parseJsonFile(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    const pos = /position (\d+)/.exec(msg);
    const lm = /line (\d+)/.exec(msg);
    const line = lm ? Number(lm[1]) : pos ? lineAt(text, Number(pos[1])) : 1;
    throw new InputError(file, line, `expected JSON (${msg.replace(/\s+/g, ' ').slice(0, 100)})`);
  }
}

async function readOptional(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return null;
  }
}

/**
 * Parse metrics.jsonl: lines that are not objects with a numeric time are skipped (counted), or in strict mode
 * throw InputError — except a malformed last line, which a crashed run leaves half-written: always skipped.
 */
export function parseMetrics(text: string, file: string, strict: boolean): { samples: MetricSample[]; skipped: number } {
  const samples: MetricSample[] = [];
  let skipped = 0;
  const lines = text.split('\n');
  let last = lines.length - 1;
  while (last >= 0 && (lines[last] as string).trim() === '') last--;
  lines.forEach((raw, i) => {
    const s = raw.trim();
    if (!s) return;
    let v: unknown;
    try {
      v = JSON.parse(s);
    } catch {
      if (strict && i !== last) throw new InputError(file, i + 1, 'expected one JSON object per line');
      skipped++;
      return;
    }
    const r = v as Record<string, unknown>;
    if (typeof v !== 'object' || v === null || typeof r.time !== 'number') {
      if (strict && i !== last) throw new InputError(file, i + 1, 'expected an object with a numeric "time"');
      skipped++;
      return;
    }
    const node = typeof r.node === 'string' ? r.node : typeof r.name === 'string' ? r.name : '?';
    samples.push({ ...r, time: r.time, node });
  });
  return { samples, skipped };
}

async function optionalJson<T>(dir: string, name: string, strict: boolean, notes: string[]): Promise<T | null> {
  const path = join(dir, name);
  const text = await readOptional(path);
  if (text === null) {
    notes.push(`${name} is missing`);
    return null;
  }
  try {
    const v = parseJsonFile(text, path);
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new InputError(path, 1, 'expected a JSON object');
    return v as T;
  } catch (err) {
    if (strict) throw err;
    notes.push(`${name} could not be read: ${(err as Error).message}`);
    return null;
  }
}

/** status.json when it is there and has a known state; null otherwise (older runs have none: no note). */
export async function readStatus(dir: string): Promise<RunStatus | null> {
  const text = await readOptional(join(dir, RUN_FILES.status));
  if (text === null) return null;
  try {
    const v = JSON.parse(text) as RunStatus;
    return typeof v === 'object' && v !== null && RUN_STATES.includes(v.state) ? v : null;
  } catch {
    return null;
  }
}

/** Load a run directory. Throws UserError(66) without history.jsonl, InputError(65) on a malformed history. */
export async function loadRun(dir: string, opts: LoadOptions = {}): Promise<RunData> {
  const strict = opts.strict ?? false;
  const historyPath = join(dir, RUN_FILES.history);
  try {
    await access(historyPath);
  } catch {
    throw new UserError(`${historyPath}: no such file (not a run directory?)`, EXIT.NO_INPUT);
  }
  const loaded = await readHistoryEvents(historyPath);
  const history = pairHistory(loaded.events);
  const notes: string[] = [];
  const test = await optionalJson<TestDescription>(dir, RUN_FILES.test, strict, notes);
  const results = await optionalJson<RunResults>(dir, RUN_FILES.results, strict, notes);
  const status = await readStatus(dir);
  let metrics: MetricSample[] = [];
  const metricsPath = join(dir, RUN_FILES.metrics);
  const mtext = await readOptional(metricsPath);
  if (mtext !== null) {
    const m = parseMetrics(mtext, metricsPath, strict);
    metrics = m.samples;
    if (m.skipped > 0) notes.push(`${RUN_FILES.metrics}: ${m.skipped} malformed line(s) skipped`);
  }
  const first = loaded.events[0];
  const last = loaded.events[loaded.events.length - 1];
  // pictures start at the whole second before the first event (a run spends its first seconds starting the cluster)
  const start = first ? Math.floor(first.time / 1e9) * 1e9 : 0;
  const end = Math.max(last?.time ?? 0, ...metrics.slice(-1).map((s) => s.time), start + 1);
  const alive = status?.state === 'running' && typeof status.pid === 'number' ? isAlive(status.pid) : null;
  let check: HistoryCheck | null = null;
  if (results === null && opts.check) {
    check = await opts.check(dir).catch((err: unknown) => ({ model: '?', valid: 'unknown' as const, checkers: {}, error: err instanceof Error ? err.message : String(err) }));
  }
  return { dir, history, test, results, status, alive, check, metrics, start, end, notes };
}
