// Reads a run directory for the report: the history (required), test.json, results.json and metrics.jsonl
// (optional: a missing or unreadable one becomes a note, never an error unless `strict` asks for it).
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { EXIT, InputError, UserError } from '../util/exit.js';
import { readHistoryEvents } from '../history/load.js';
import { pairHistory } from '../history/pair.js';
import type { PairedHistory } from '../history/types.js';
import { isAlive } from '../util/processes.js';
import type { HistoryCheck, HistoryChecker } from './ending.js';
import { parseJsonText, parseMetrics, readRunFile, readStatus, RUN_FILES, type RunResults, type RunStatus, type TestDescription } from '../store/index.js';

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

/** Parse JSON text, turning a syntax error into InputError(file, line) (the store's reader). */
export const parseJsonFile = parseJsonText;
export { parseMetrics, readStatus };

async function readOptional(path: string): Promise<string | null> {
  try {
    return await readRunFile(path);
  } catch {
    return null;
  }
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
    check = await opts.check(dir).catch((err: unknown) => ({ by: '?', valid: 'unknown' as const, checkers: {}, error: err instanceof Error ? err.message : String(err) }));
  }
  return { dir, history, test, results, status, alive, check, metrics, start, end, notes };
}
