// `faultline check` implementation: load each history, validate its ops for the model, run the model's
// checkers, print one line (or JSON object) per history; returns the highest per-history exit status.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { checkerFor, isCheckModel, opProblemFor, type CheckModel } from '../../checkers/index.js';
import type { CheckContext, CheckResult, Validity } from '../../checkers/types.js';
import { finalBeside, readFinalFile } from '../history/final-reads.js';
import { MiB } from '../history/guards.js';
import { displayName, expandSources, loadHistory, type LoadedHistory } from '../history/load.js';
import { RUN_FILES } from '../runner/results.js';
import { readJsonFile } from '../util/json-file.js';
import { DEFAULT_MAX_LINE_MIB, type CheckOptions } from './commands/check.js';
import { EXIT, InputError, UsageError, UserError } from '../util/exit.js';
import { explainResult, txnOptionsFrom } from './txn-options.js';

export interface CheckIo {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
  stdin: Readable;
}

/** What one history came to: a verdict, or an error with its exit status. */
export type FileOutcome =
  | { file: string; model: CheckModel; status: number; valid: Validity; ops: number; result: CheckResult; reason?: string; final?: string; run?: RunVerdict; warnings: string[] }
  | { file: string; model?: CheckModel; status: number; error: string };


/**
 * The run's own verdict when a re-check of its history (no --model) reaches another: and which of the run's
 * checkers, judged on the live cluster (convergence, replication, final state), a history cannot repeat.
 */
export interface RunVerdict {
  valid: Validity;
  checkers: string[];
}

function runVerdictBeside(file: string, recheck: CheckResult): RunVerdict | undefined {
  let results: unknown;
  try {
    results = JSON.parse(readFileSync(join(dirname(file), RUN_FILES.results), 'utf8'));
  } catch {
    return undefined; // not judged, or unreadable: the re-check stands alone
  }
  if (!isRecord(results) || !isRecord(results.checkers)) return undefined;
  const valid = results.valid;
  if ((valid !== true && valid !== false && valid !== 'unknown') || valid === recheck.valid) return undefined;
  const checkers = Object.entries(results.checkers)
    .filter(([name, r]) => !(name in recheck) && isRecord(r) && r.valid !== true)
    .map(([name]) => name);
  return { valid, checkers };
}

function statusOf(valid: Validity): number {
  return valid === true ? EXIT.OK : valid === false ? EXIT.INVALID : EXIT.UNKNOWN;
}

/** Throw InputError for the first op the model cannot interpret, naming its event's line. */
function checkOps(loaded: LoadedHistory, model: CheckModel, linearizable: boolean): void {
  const problem = opProblemFor(model, { linearizable });
  for (const op of loaded.history.ops) {
    const p = problem(op);
    if (p === null) continue;
    const index = p.at === 'completion' && op.completeIndex !== null ? op.completeIndex : op.invokeIndex;
    throw new InputError(displayName(loaded.file), loaded.lines[index] ?? 0, p.what);
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A short reason for a sub-checker's verdict (its `reason`, or what a linearizability result names). */
function subReason(r: Record<string, unknown>, timeLimitS: number): string | undefined {
  if (typeof r.reason === 'string') return r.reason;
  // an anomaly found is the reason, whatever limit other keys met
  const a = r.anomaly;
  if (isRecord(a) && isRecord(a.op) && typeof a.op.text === 'string') {
    const key = a.key === null || a.key === undefined ? '' : ` (key ${JSON.stringify(a.key)})`;
    return `cannot linearize ${a.op.text}${key} after ${String(a.prefixLength)} ops${notFullyChecked(r, timeLimitS)}`;
  }
  if (r.unknownReason === 'time-limit') return `time limit of ${timeLimitS} s reached`;
  if (r.unknownReason === 'state-limit') return 'memory (state) limit reached';
  if (typeof r.error === 'string') return r.error;
  return undefined;
}

/** "; 3 of 10 keys not fully checked (stopped at the first anomaly; --all-keys checks every key)". */
function notFullyChecked(r: Record<string, unknown>, timeLimitS: number): string {
  const keys = typeof r.keys === 'number' ? r.keys : 0;
  const parts: string[] = [];
  if (typeof r.unchecked === 'number' && r.unchecked > 0) {
    parts.push(`${r.unchecked} of ${keys} keys not fully checked (stopped at the first anomaly; --all-keys checks every key)`);
  }
  const unknown = typeof r.unknown === 'number' ? r.unknown : 0;
  if (unknown > 0) {
    const why = r.unknownReason === 'state-limit' ? 'the memory (state) limit' : `the time limit of ${timeLimitS} s`;
    parts.push(`${unknown} of ${keys} keys without a verdict (${why})`);
  }
  return parts.length === 0 ? '' : `; ${parts.join('; ')}`;
}

/** The reason of the first sub-checker whose verdict is the overall one. */
function summarize(result: CheckResult, timeLimitS: number): string | undefined {
  if (result.valid === true) return undefined;
  for (const [name, r] of Object.entries(result)) {
    if (!isRecord(r) || r.valid !== result.valid) continue;
    const why = subReason(r, timeLimitS);
    return why === undefined ? name : `${name}: ${why}`;
  }
  return typeof result.reason === 'string' ? result.reason : undefined;
}

/** The final-reads file for a history: --final FILE for every history; auto: the final.json beside it, if any. */
function finalFileFor(history: string, final: string | undefined): string | undefined {
  if (final === undefined) return undefined;
  if (final !== 'auto') return final;
  if (history === '-') return undefined;
  const beside = finalBeside(history);
  return existsSync(beside) ? beside : undefined;
}

/** --model, or the model the run's test.json names (then final reads default to auto). */
function modelFor(file: string, opts: CheckOptions): { model: CheckModel; final: string | undefined } {
  if (opts.model !== undefined) return { model: opts.model, final: opts.final };
  if (file === '-') throw new UsageError('- (stdin): no --model given, and stdin has no test.json to name one');
  const testFile = join(dirname(file), RUN_FILES.test);
  if (!existsSync(testFile)) throw new UsageError(`${displayName(file)}: no --model given, and no ${RUN_FILES.test} beside it to name one`);
  const test = readJsonFile(testFile);
  const model = isRecord(test) ? test.model : undefined;
  if (typeof model !== 'string') {
    const workload = isRecord(test) && typeof test.workload === 'string' ? `workload ${test.workload}` : 'the run';
    throw new UsageError(
      `${testFile}: names no model: ${workload} has none for faultline check (its verdict is the run's results.json), or the run predates test.json's model; give --model`,
    );
  }
  if (!isCheckModel(model)) throw new UsageError(`${testFile}: model "${model}" is not one faultline check knows; give --model`);
  refuseForeignModel(file, testFile, model, isRecord(test) && typeof test.workload === 'string' ? test.workload : 'the run');
  return { model, final: opts.final ?? 'auto' };
}

/** The checker of a run's results.json that a model's pure re-check repeats (as a run, or as check, names it). */
const LINEARIZABLE = ['linearizability', 'linearizable'];
const RUN_CHECKER: Partial<Record<CheckModel, readonly string[]>> = { register: LINEARIZABLE, 'cas-register': LINEARIZABLE, kv: LINEARIZABLE, counter: ['counter'], set: ['set'] };

/**
 * A re-check must never apply a model the run's workload was not judged by (an upsert run recorded "register",
 * but its run judged final states, not linearizability): when results.json names the run's checkers and the
 * model's is not among them, no pure checker repeats the run's verdict here (exit 64).
 */
function refuseForeignModel(file: string, testFile: string, model: CheckModel, workload: string): void {
  let results: unknown;
  try {
    results = JSON.parse(readFileSync(join(dirname(file), RUN_FILES.results), 'utf8'));
  } catch {
    return; // no verdict stored (a run that did not finish): test.json's model stands
  }
  const repeats = RUN_CHECKER[model];
  if (!repeats || !isRecord(results) || !isRecord(results.checkers)) return;
  const judged = Object.keys(results.checkers);
  if (repeats.some((c) => judged.includes(c))) return;
  throw new UsageError(
    `${testFile}: names model ${model}, but workload ${workload} was judged by ${judged.join(', ')}, not ${repeats[0]}: no pure checker re-judges this run (its verdict is in results.json; --model ${model} checks the history as ${model} anyway)`,
  );
}

export async function checkOne(file: string, opts: CheckOptions, stdin: Readable): Promise<FileOutcome> {
  let model = opts.model;
  try {
    const chosen = modelFor(file, opts);
    model = chosen.model;
    const txn = txnOptionsFrom(model, opts);
    const loaded = await loadHistory(file, stdin, { limits: { maxLineBytes: (opts.maxLine ?? DEFAULT_MAX_LINE_MIB) * MiB } });
    checkOps(loaded, model, opts.linearizable === true);
    const checker = checkerFor(model, { linearizable: opts.linearizable === true, txn });
    const finalFile = finalFileFor(file, chosen.final);
    const ctx: CheckContext = opts.timeLimit > 0 ? { timeLimitMs: opts.timeLimit * 1000 } : {};
    if (opts.allKeys === true) ctx.allKeys = true;
    if (finalFile !== undefined) {
      const f = readFinalFile(finalFile);
      ctx.final = f.reads;
      if (f.settlement !== undefined) ctx.settlement = f.settlement;
    }
    const result = checker(loaded.history, ctx);
    const ops = loaded.history.ops.reduce((n, o) => n + (o.completeIndex === null ? 0 : 1), 0);
    const reason = summarize(result, opts.timeLimit);
    const out: FileOutcome = { file, model, status: statusOf(result.valid), valid: result.valid, ops, result, warnings: loaded.warnings };
    if (reason !== undefined) out.reason = reason;
    if (finalFile !== undefined) out.final = finalFile;
    if (opts.model === undefined) {
      const run = runVerdictBeside(file, result);
      if (run !== undefined) out.run = run;
    }
    return out;
  } catch (err) {
    const base = model === undefined ? { file } : { file, model };
    if (err instanceof UserError) return { ...base, status: err.exitCode, error: err.message };
    const e = err instanceof Error ? err : new Error(String(err));
    return { ...base, status: EXIT.SOFTWARE, error: `${displayName(file)}: internal error: ${e.stack ?? e.message}` };
  }
}

const WORD: Record<string, string> = { true: 'valid', false: 'INVALID', unknown: 'UNKNOWN' };

function humanLine(o: FileOutcome): string {
  if ('error' in o) return '';
  const reason = o.reason === undefined ? '' : `, ${o.reason}`;
  const final = o.final === undefined ? '' : ` (final reads: ${o.final})`;
  const run = o.run === undefined ? '' : `; the run's own verdict: ${WORD[String(o.run.valid)]}${o.run.checkers.length ? ` (${o.run.checkers.join(', ')}: judged on the live cluster, not repeatable from the history)` : ''}`;
  return `${o.file}: ${WORD[String(o.valid)]} — model ${o.model}, ${o.ops} ops${final}${reason}${run}\n`;
}

function jsonLine(o: FileOutcome): string {
  if ('error' in o) return `${JSON.stringify({ file: o.file, model: o.model ?? null, status: o.status, error: o.error })}\n`;
  const { valid: _v, reason: _r, ...details } = o.result;
  const obj: Record<string, unknown> = { file: o.file, model: o.model, valid: o.valid, status: o.status, ops: o.ops };
  if (o.reason !== undefined) obj.reason = o.reason;
  if (o.final !== undefined) obj.final = o.final;
  if (o.run !== undefined) obj.run = o.run;
  if (o.warnings.length > 0) obj.warnings = o.warnings;
  Object.assign(obj, details);
  return `${JSON.stringify(obj)}\n`;
}

/** "12 histories: 9 valid, 2 invalid, 0 unknown, 1 error". */
export function totalLine(n: number, t: { valid: number; invalid: number; unknown: number; errors: number }): string {
  return `${n} ${n === 1 ? 'history' : 'histories'}: ${t.valid} valid, ${t.invalid} invalid, ${t.unknown} unknown, ${t.errors} ${t.errors === 1 ? 'error' : 'errors'}`;
}

/** Check every history named by `args`; prints as it goes; returns the exit status. */
export async function runCheck(args: readonly string[], opts: CheckOptions, io?: Partial<CheckIo>): Promise<number> {
  const stdout = io?.stdout ?? process.stdout;
  const stderr = io?.stderr ?? process.stderr;
  const stdin = io?.stdin ?? process.stdin;
  if (args.filter((a) => a === '-').length > 1) throw new UsageError('- (stdin) can be given only once');
  let status: number = EXIT.OK;
  const sources = await expandSources(args);
  const tally = { valid: 0, invalid: 0, unknown: 0, errors: 0 };
  for (const source of sources) {
    const outcome: FileOutcome = source.problem
      ? { file: source.file, status: EXIT.NO_INPUT, error: source.problem }
      : await checkOne(source.file, opts, stdin);
    if ('error' in outcome) stderr.write(`faultline: ${outcome.error.replace(/\n(?!\s+at )/g, ' ')}\n`);
    else for (const w of outcome.warnings) stderr.write(`faultline: warning: ${w}\n`);
    stdout.write(opts.json ? jsonLine(outcome) : humanLine(outcome) + (opts.explain && 'result' in outcome ? explainResult(outcome.result) : ''));
    status = Math.max(status, outcome.status);
    if ('error' in outcome) tally.errors++;
    else tally[outcome.valid === true ? 'valid' : outcome.valid === false ? 'invalid' : 'unknown']++;
  }
  // several histories (a directory of runs, say) end with the total: on stdout, or on stderr beside --json's objects
  if (sources.length > 1) {
    const line = totalLine(sources.length, tally);
    if (opts.json) stderr.write(`faultline: ${line}\n`);
    else stdout.write(`${line}\n`);
  }
  return status;
}
