// `faultline check` implementation: load each history; with --model, validate its ops for the model and run the
// model's checkers; without, judge a run directory with its workload's checker suite over the inputs the run
// stored (as `faultline run` judged it). Prints one line (or JSON object) per history; returns the highest status.
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { checkerFor, isCheckModel, opProblemFor, type CheckModel } from '../../checkers/index.js';
import type { SuiteResult } from '../../checkers/suite.js';
import type { CheckContext, CheckResult, Validity } from '../../checkers/types.js';
import { finalBeside, readFinalFile } from '../history/final-reads.js';
import { MiB } from '../history/guards.js';
import { displayName, expandSources, loadHistory, type LoadedHistory, type Source } from '../history/load.js';
// the store's readers alone (its writers are the runner's)
import { RUN_FILES, type TestDescription } from '../store/files.js';
import { readResults, readTest } from '../store/read.js';
import { DEFAULT_MAX_LINE_MIB, type CheckOptions } from './commands/check.js';
import { EXIT, InputError, UsageError, UserError } from '../util/exit.js';
import { inliningIsOff, inliningOff, inliningOn, startsWithoutInlining } from './inlining.js';
import { explainResult, txnOptionsFrom } from './txn-options.js';

export interface CheckIo {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
  stdin: Readable;
}

/** What one history came to: a verdict (of a model, or of a run's suite), or an error with its exit status. */
export type FileOutcome =
  | { file: string; model: CheckModel; status: number; valid: Validity; ops: number; result: CheckResult; reason?: string; final?: string; warnings: string[] }
  | RunOutcome
  | { file: string; model?: CheckModel; status: number; error: string };

/** A run directory judged by its workload's suite over its stored inputs. */
export interface RunOutcome {
  file: string;
  /** the run's workload, topology and the model its history would be checked with (test.json) */
  workload: string;
  topology: string;
  model?: string;
  status: number;
  valid: Validity;
  ops: number;
  suite: SuiteResult;
  reason?: string;
  /** the final reads judged (final.json), when the run stored them */
  final?: string;
  /** results.json's verdict, when it differs from this one */
  run?: RunVerdict;
  warnings: string[];
}

/**
 * The verdict results.json holds when the re-judgement reaches another (a time limit, inputs the run predates),
 * and which checkers' verdicts differ (or are in results.json only).
 */
export interface RunVerdict {
  valid: Validity;
  checkers: string[];
}

async function runVerdictBeside(dir: string, judged: SuiteResult): Promise<RunVerdict | undefined> {
  let results;
  try {
    results = await readResults(dir);
  } catch {
    return undefined; // unreadable: the re-judgement stands alone
  }
  if (results === null || results.valid === judged.valid) return undefined;
  const checkers = Object.entries(results.checkers)
    .filter(([name, r]) => r !== undefined && judged.checkers[name]?.valid !== r.valid)
    .map(([name]) => name);
  return { valid: results.valid, checkers };
}

function statusOf(valid: Validity): number {
  return valid === true ? EXIT.OK : valid === false ? EXIT.INVALID : EXIT.UNKNOWN;
}

/** Throw InputError for the first op the model cannot interpret, naming its event's line. */
async function checkOps(loaded: LoadedHistory, model: CheckModel, linearizable: boolean): Promise<void> {
  const problem = await opProblemFor(model, { linearizable });
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
function summarize(result: CheckResult, timeLimitS: number, checkers: Readonly<Record<string, unknown>> = result as unknown as Record<string, unknown>): string | undefined {
  if (result.valid === true) return undefined;
  for (const [name, r] of Object.entries(checkers)) {
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

/** A history without --model must be a run's: its test.json (usage error 64 when there is none). */
async function runTestOf(file: string): Promise<TestDescription> {
  if (file === '-') throw new UsageError('- (stdin): no --model given, and stdin has no test.json to name its run');
  const dir = dirname(file);
  if (!existsSync(join(dir, RUN_FILES.test))) throw new UsageError(`${displayName(file)}: no --model given, and no ${RUN_FILES.test} beside it to name its run`);
  const test = await readTest(dir);
  if (test === null || typeof test.workload !== 'string') throw new InputError(join(dir, RUN_FILES.test), 1, 'expected the run\'s description with its "workload"');
  return test;
}

/** Judge a run's history with its workload's checker suite, over the inputs the run stored. */
async function checkRun(file: string, test: TestDescription, opts: CheckOptions, stdin: Readable): Promise<FileOutcome> {
  const dir = dirname(file);
  // the run judge (every workload and the suite's checkers) is loaded only for a run: --model checks never need it
  const { judgeStoredRun, storedSuite } = await import('../runner/judge.js');
  const suite = storedSuite(test);
  const model = typeof test.model === 'string' && isCheckModel(test.model) ? test.model : undefined;
  if (suite === null) {
    // a property test's own workload: its checkers are code, not stored; its model, when it names one, still applies
    if (model !== undefined) return checkModel(file, model, { ...opts, final: opts.final ?? 'auto' }, stdin);
    throw new UsageError(`${join(dir, RUN_FILES.test)}: workload "${test.workload}" is not one faultline knows (a property test's own?) and names no model; give --model`);
  }
  if (opts.final !== undefined && opts.final !== 'auto') throw new UsageError('--final FILE applies with --model: a run directory is judged with the final.json it stored');
  const loaded = await loadHistory(file, stdin, { limits: { maxLineBytes: (opts.maxLine ?? DEFAULT_MAX_LINE_MIB) * MiB } });
  // the ops the workload's model cannot interpret are bad input (65), as for --model
  if (model !== undefined && !isTxn(model)) await checkOps(loaded, model, false);
  const { result, inputs } = await judgeStoredRun(dir, suite, test, { history: loaded, ...(opts.timeLimit > 0 ? { timeLimitMs: opts.timeLimit * 1000 } : {}) });
  const ops = loaded.history.ops.reduce((n, o) => n + (o.completeIndex === null ? 0 : 1), 0);
  const out: RunOutcome = {
    file,
    workload: test.workload,
    topology: typeof test.topology === 'string' ? test.topology : '?',
    status: statusOf(result.valid),
    valid: result.valid,
    ops,
    suite: result,
    warnings: loaded.warnings,
  };
  if (model !== undefined) out.model = model;
  const reason = summarize({ valid: result.valid }, opts.timeLimit, result.checkers as Record<string, unknown>);
  if (reason !== undefined) out.reason = reason;
  if (inputs.final !== undefined) out.final = join(dir, RUN_FILES.final);
  const run = await runVerdictBeside(dir, result);
  if (run !== undefined) out.run = run;
  return out;
}

function isTxn(model: CheckModel): boolean {
  return model === 'list-append' || model === 'rw-register';
}

export async function checkOne(file: string, opts: CheckOptions, stdin: Readable): Promise<FileOutcome> {
  try {
    if (opts.model !== undefined) return await checkModel(file, opts.model, opts, stdin);
    return await checkRun(file, await runTestOf(file), opts, stdin);
  } catch (err) {
    return failed(file, opts.model, err);
  }
}

function failed(file: string, model: CheckModel | undefined, err: unknown): FileOutcome {
  const base = model === undefined ? { file } : { file, model };
  if (err instanceof UserError) return { ...base, status: err.exitCode, error: err.message };
  const e = err instanceof Error ? err : new Error(String(err));
  return { ...base, status: EXIT.SOFTWARE, error: `${displayName(file)}: internal error: ${e.stack ?? e.message}` };
}

/** Check a history against a model (a bare history, or --model on a run's). */
async function checkModel(file: string, model: CheckModel, opts: CheckOptions, stdin: Readable): Promise<FileOutcome> {
  try {
    const txn = await txnOptionsFrom(model, opts);
    const loaded = await loadHistory(file, stdin, { limits: { maxLineBytes: (opts.maxLine ?? DEFAULT_MAX_LINE_MIB) * MiB } });
    await checkOps(loaded, model, opts.linearizable === true);
    const checker = await checkerFor(model, { linearizable: opts.linearizable === true, txn });
    const finalFile = finalFileFor(file, opts.final);
    const ctx: CheckContext = opts.timeLimit > 0 ? { timeLimitMs: opts.timeLimit * 1000 } : {};
    if (opts.allKeys === true) ctx.allKeys = true;
    if (inliningIsOff()) ctx.onLongSearch = inliningOn;
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
    return out;
  } catch (err) {
    return failed(file, model, err);
  }
}

const WORD: Record<string, string> = { true: 'valid', false: 'INVALID', unknown: 'UNKNOWN' };

function humanLine(o: FileOutcome): string {
  if ('error' in o) return '';
  const reason = o.reason === undefined ? '' : `, ${o.reason}`;
  const final = o.final === undefined ? '' : ` (final reads: ${o.final})`;
  if ('suite' in o) {
    const run = o.run === undefined ? '' : `; results.json says ${WORD[String(o.run.valid)]}${o.run.checkers.length ? ` (${o.run.checkers.join(', ')}: judged otherwise from the stored inputs)` : ''}`;
    const names = Object.keys(o.suite.checkers);
    const skipped = Object.entries(o.suite.notJudged ?? {});
    const not = skipped.length === 0 ? '' : `; not judged: ${skipped.map(([n, why]) => `${n} (${why})`).join(', ')}`;
    return `${o.file}: ${WORD[String(o.valid)]} — workload ${o.workload} on ${o.topology} (${names.join(', ')}), ${o.ops} ops${final}${reason}${not}${run}\n`;
  }
  return `${o.file}: ${WORD[String(o.valid)]} — model ${o.model}, ${o.ops} ops${final}${reason}\n`;
}

function jsonLine(o: FileOutcome): string {
  if ('error' in o) return `${JSON.stringify({ file: o.file, model: o.model ?? null, status: o.status, error: o.error })}\n`;
  if ('suite' in o) {
    const obj: Record<string, unknown> = { file: o.file, workload: o.workload, topology: o.topology, model: o.model ?? null, valid: o.valid, status: o.status, ops: o.ops };
    if (o.reason !== undefined) obj.reason = o.reason;
    if (o.final !== undefined) obj.final = o.final;
    if (o.run !== undefined) obj.run = o.run;
    if (o.warnings.length > 0) obj.warnings = o.warnings;
    if (o.suite.notJudged !== undefined) obj.notJudged = o.suite.notJudged;
    obj.checkers = o.suite.checkers;
    return `${JSON.stringify(obj)}\n`;
  }
  const { valid: _v, reason: _r, ...details } = o.result;
  const obj: Record<string, unknown> = { file: o.file, model: o.model, valid: o.valid, status: o.status, ops: o.ops };
  if (o.reason !== undefined) obj.reason = o.reason;
  if (o.final !== undefined) obj.final = o.final;
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
  const sources = await expandSources(args);
  // a small check against a model is start-up bound: V8 compiles it without inlining (see inlining.ts)
  if (opts.model !== undefined && !isTxn(opts.model) && startsWithoutInlining(inputBytes(sources))) inliningOff();
  try {
    return await checkSources(sources, opts, { stdout, stderr, stdin });
  } finally {
    inliningOn();
  }
}

/** The bytes of the sources in all; null when one is a pipe (stdin). Unreadable ones count nothing (they fail later). */
function inputBytes(sources: readonly Source[]): number | null {
  let bytes = 0;
  for (const s of sources) {
    if (s.file === '-') return null;
    if (s.problem !== undefined) continue;
    try {
      bytes += statSync(s.file).size;
    } catch {
      // reported when the file is read
    }
  }
  return bytes;
}

async function checkSources(sources: readonly Source[], opts: CheckOptions, io: CheckIo): Promise<number> {
  const { stdout, stderr, stdin } = io;
  let status: number = EXIT.OK;
  const tally = { valid: 0, invalid: 0, unknown: 0, errors: 0 };
  for (const source of sources) {
    const outcome: FileOutcome = source.problem
      ? { file: source.file, status: EXIT.NO_INPUT, error: source.problem }
      : await checkOne(source.file, opts, stdin);
    if ('error' in outcome) stderr.write(`faultline: ${outcome.error.replace(/\n(?!\s+at )/g, ' ')}\n`);
    else for (const w of outcome.warnings) stderr.write(`faultline: warning: ${w}\n`);
    stdout.write(opts.json ? jsonLine(outcome) : humanLine(outcome) + (opts.explain && 'result' in outcome ? await explainResult(outcome.result) : ''));
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
