// Reading a run directory back: test.json, results.json, status.json, and the checker inputs the run stored
// (final.json, snapshot.json, replication.json, metrics.jsonl). Regular files only (a FIFO planted in a results
// directory never blocks a reader); a malformed file is an InputError (65, file:line), a missing one is absent.
import { join } from 'node:path';
import type { StoredSnapshot } from '../../checkers/convergence.js';
import type { MetricsSample, ReplicationInputs } from '../../checkers/replication.js';
import { EXIT, InputError, UserError } from '../util/exit.js';
import { parseFinalFile, type FinalInput } from '../history/final-reads.js';
import { readRegular, UnsafeFileError } from '../util/regular-file.js';
import { RUN_FILES, RUN_STATES, type ReplicationFile, type RunResults, type RunStatus, type TestDescription } from './files.js';

/** The largest JSON file of a run directory read (a results.json of a million-op run is far below). */
export const MAX_RUN_FILE = 1024 * 1024 * 1024;

/** The text of a run file; null when it does not exist. Not a regular file, or unreadable: UserError (66). */
export async function readRunFile(path: string, maxBytes = MAX_RUN_FILE): Promise<string | null> {
  try {
    return await readRegular(path, maxBytes);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    if (err instanceof UnsafeFileError) throw new UserError(`${path}: ${err.reason}`, EXIT.NO_INPUT);
    throw new UserError(`${path}: cannot read: ${(err as Error).message}`, EXIT.NO_INPUT);
  }
}

/** 1-based line of a character offset in text. */
function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** Parse JSON text, turning a syntax error into InputError(file, line). */
export function parseJsonText(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    const pos = /position (\d+)/.exec(msg);
    const lm = /line (\d+)/.exec(msg);
    const line = lm ? Number(lm[1]) : pos ? lineAt(text, Number(pos[1])) : /end of JSON input/i.test(msg) ? lineAt(text, text.trimEnd().length) : 1;
    throw new InputError(file, line, `expected JSON (${msg.replace(/\s+/g, ' ').slice(0, 100)})`);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A JSON object file of the run directory; null when absent; InputError (65) when it is not a JSON object. */
export async function readRunJson(dir: string, name: string): Promise<Record<string, unknown> | null> {
  const path = join(dir, name);
  const text = await readRunFile(path);
  if (text === null) return null;
  const v = parseJsonText(text, path);
  if (!isObject(v)) throw new InputError(path, 1, 'expected a JSON object');
  return v;
}

/** test.json (null when absent). */
export async function readTest(dir: string): Promise<TestDescription | null> {
  return (await readRunJson(dir, RUN_FILES.test)) as TestDescription | null;
}

/** results.json (null when absent); InputError when it has no verdict or no checkers. */
export async function readResults(dir: string): Promise<RunResults | null> {
  const r = await readRunJson(dir, RUN_FILES.results);
  if (r === null) return null;
  if ((r.valid !== true && r.valid !== false && r.valid !== 'unknown') || !isObject(r.checkers)) {
    throw new InputError(join(dir, RUN_FILES.results), 1, 'expected results with "valid" (true, false or "unknown") and "checkers"');
  }
  return r as unknown as RunResults;
}

/** status.json when it is there and has a known state; null otherwise (older runs have none). Never throws. */
export async function readStatus(dir: string): Promise<RunStatus | null> {
  try {
    const v = await readRunJson(dir, RUN_FILES.status);
    return v !== null && RUN_STATES.includes(v.state as RunStatus['state']) ? (v as unknown as RunStatus) : null;
  } catch {
    return null;
  }
}

/**
 * Parse metrics.jsonl: lines that are not objects with a numeric time are skipped (counted), or in strict mode
 * throw InputError — except a malformed last line, which a crashed run leaves half-written: always skipped.
 */
export function parseMetrics(text: string, file: string, strict: boolean): { samples: MetricsSample[]; skipped: number } {
  const samples: MetricsSample[] = [];
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
    if (!isObject(v) || typeof v.time !== 'number') {
      if (strict && i !== last) throw new InputError(file, i + 1, 'expected an object with a numeric "time"');
      skipped++;
      return;
    }
    const node = typeof v.node === 'string' ? v.node : typeof v.name === 'string' ? v.name : '?';
    samples.push({ ...v, time: v.time, node });
  });
  return { samples, skipped };
}

/** metrics.jsonl's samples (none when absent); torn or foreign lines are skipped, counted in `skipped`. */
export async function readMetrics(dir: string, strict = false): Promise<{ samples: MetricsSample[]; skipped: number }> {
  const path = join(dir, RUN_FILES.metrics);
  const text = await readRunFile(path);
  return text === null ? { samples: [], skipped: 0 } : parseMetrics(text, path, strict);
}

/** The checker inputs a run stored beside its history; each is absent when the run did not store it. */
export interface CheckerInputs {
  /** final.json: the final reads, the nodes whose read failed, the settlement */
  final?: FinalInput;
  /** snapshot.json */
  snapshot?: StoredSnapshot;
  /** replication.json (with metrics.jsonl's samples) */
  replication?: ReplicationInputs;
  /** metrics.jsonl's samples (none when absent) */
  metrics: MetricsSample[];
}

/** Read every checker input of a run directory (InputError on a malformed one). */
export async function readCheckerInputs(dir: string): Promise<CheckerInputs> {
  const out: CheckerInputs = { metrics: (await readMetrics(dir)).samples };
  const finalPath = join(dir, RUN_FILES.final);
  const finalText = await readRunFile(finalPath);
  if (finalText !== null) out.final = parseFinalFile(parseJsonText(finalText, finalPath), finalPath);
  const snapshot = await readRunJson(dir, RUN_FILES.snapshot);
  if (snapshot !== null) {
    if (!Array.isArray(snapshot.tables) || !snapshot.tables.every((t) => isObject(t) && typeof t.table === 'string' && isObject(t.nodes))) {
      throw new InputError(join(dir, RUN_FILES.snapshot), 1, 'expected {"tables": [{"table", "nodes", …}, …]}');
    }
    out.snapshot = snapshot as unknown as StoredSnapshot;
  }
  const replication = (await readRunJson(dir, RUN_FILES.replication)) as ReplicationFile | null;
  if (replication !== null) {
    const p = replication.probe as unknown;
    if (p !== null && !(isObject(p) && Array.isArray(p.subscriptions) && Array.isArray(p.slots) && Array.isArray(p.log) && isObject(p.unreachable))) {
      throw new InputError(join(dir, RUN_FILES.replication), 1, 'expected {"probe": null or {"subscriptions", "slots", "log", "unreachable", …}}');
    }
    const inputs: ReplicationInputs = { samples: out.metrics, probe: replication.probe };
    if (typeof replication.error === 'string') inputs.probeError = replication.error;
    out.replication = inputs;
  }
  return out;
}
