// `faultline run` / `faultline experiment` implementations: expand experiments × repeats, run each,
// print verdicts (a summary table for several runs) and return the exit status (0 / 1 / 2, highest wins).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError, UserError, EXIT } from '../util/exit.js';
import { ClusterOptionError } from '../cluster/options.js';
import type { Validity } from '../../checkers/types.js';
import { readExperimentFile, toRunOptions, type ParsedRun } from './options.js';
import { isWorkloadName } from '../../workloads/names.js';
import { runTest } from './run.js';
import { RunIoError } from '../store/index.js';
import type { RunOutcome, RunOptions } from './config.js';
import { writeLatencies } from './summary.js';
import { compactList } from '../../checkers/ref.js';
import { resultOf } from '../../checkers/suite.js';
import { renderTable } from './table.js';
import { redactSecrets } from '../util/redact.js';


export function statusOf(v: Validity): number {
  return v === true ? EXIT.OK : v === false ? EXIT.INVALID : EXIT.UNKNOWN;
}

/** The options a stored run was made with (test.json), to run it again with the same seed and plan. */
export function readReplay(dir: string): RunOptions {
  const file = join(dir, 'test.json');
  let test: { options?: RunOptions };
  try {
    test = JSON.parse(readFileSync(file, 'utf8')) as { options?: RunOptions };
  } catch (err) {
    throw new UserError(`${file}: cannot read the stored run: ${(err as Error).message}`, EXIT.NO_INPUT);
  }
  if (!test.options || typeof test.options !== 'object' || typeof test.options.workload !== 'string') {
    throw new UserError(`${file}: no run options stored (expected an "options" object)`, EXIT.DATA);
  }
  if (!isWorkloadName(test.options.workload)) {
    throw new UserError(
      `${file}: the run used the custom workload "${test.options.workload}" (a property test); replay it from its test with FAULTLINE_SEED and FAULTLINE_PATH`,
      EXIT.DATA,
    );
  }
  return test.options;
}

export interface Row {
  run: number;
  name: string;
  seed: number;
  outcome: RunOutcome | null;
  error?: string;
  /** exit status of a run that ended without a verdict (2; 74 when it could not record its results) */
  status?: number;
}

/** A run's exit status: its verdict's, or (no verdict) the one its error carries. */
function rowStatus(r: Row): number {
  return r.outcome ? statusOf(r.outcome.results.valid) : (r.status ?? EXIT.UNKNOWN);
}

/** `timeLimit` → `--time-limit`. */
function flagName(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/**
 * An experiment's settings: the file's over the flags' defaults, and a flag given on the command line over
 * the file (said once per flag and file on stderr when it changes what the file asked for).
 */
export function mergeSettings(
  flags: Record<string, unknown>,
  explicit: ReadonlySet<string>,
  file: string,
  experiments: Record<string, unknown>[],
  say: (line: string) => void,
): Record<string, unknown>[] {
  const given = Object.fromEntries(Object.entries(flags).filter(([k]) => explicit.has(k)));
  for (const [k, v] of Object.entries(given)) {
    const overridden = experiments.filter((e) => k in e && JSON.stringify(e[k]) !== JSON.stringify(v));
    if (overridden.length === 0) continue;
    const was = [...new Set(overridden.map((e) => JSON.stringify(e[k])))].join(', ');
    const which = experiments.length > 1 ? ` (${overridden.length} of ${experiments.length} experiments)` : '';
    say(`faultline: ${flagName(k)} ${typeof v === 'boolean' ? '' : `${String(v)} `}overrides "${k}": ${was} in ${file}${which}`.replace('  ', ' '));
  }
  return experiments.map((e) => ({ ...flags, ...e, ...given }));
}

export async function runCommand(files: string[], flags: Record<string, unknown>, explicit: ReadonlySet<string> = new Set()): Promise<number> {
  if (typeof flags.replay === 'string') {
    const replayed = readReplay(flags.replay);
    const rows = await runAll([{ ...replayed, resultsDir: String(flags.results ?? replayed.resultsDir), progress: flags.quiet !== true }]);
    return Math.max(...rows.map(rowStatus));
  }
  delete flags.replay;
  const plans: ParsedRun[] = [];
  if (files.length === 0) plans.push(toRunOptions(flags, ''));
  for (const f of files) {
    const merged = mergeSettings(flags, explicit, f, readExperimentFile(f), (l) => process.stderr.write(`${l}\n`));
    merged.forEach((exp, i) => plans.push(toRunOptions(exp, `${f} experiment ${i + 1}`)));
  }
  const runs: RunOptions[] = [];
  for (const p of plans) {
    for (let i = 0; i < p.repeat; i++) runs.push({ ...p.options, seed: p.options.seed === undefined ? undefined : p.options.seed + i });
  }
  const rows = await runAll(runs);
  if (rows.length > 1) process.stdout.write(`\n${summaryTable(rows)}\n`);
  return Math.max(...rows.map(rowStatus));
}

async function runAll(runs: RunOptions[]): Promise<Row[]> {
  const rows: Row[] = [];
  for (const [i, o] of runs.entries()) {
    if (runs.length > 1 && o.progress) process.stderr.write(`\nfaultline: run ${i + 1} of ${runs.length}\n`);
    try {
      const outcome = await runTest(o);
      printOutcome(outcome);
      rows.push({ run: i + 1, name: outcome.test.name, seed: outcome.test.seed, outcome });
    } catch (caught) {
      const err = caught instanceof ClusterOptionError ? new UsageError(caught.message) : caught;
      if (err instanceof UserError && runs.length === 1) throw err;
      const msg = redactSecrets(err instanceof Error ? err.message : String(err));
      if (runs.length === 1) throw new UserError(`run failed: ${msg}`, EXIT.UNAVAILABLE);
      process.stderr.write(`faultline: run ${i + 1} failed: ${msg}\n`);
      const status = err instanceof RunIoError ? err.exitCode : EXIT.UNKNOWN;
      rows.push({ run: i + 1, name: o.name ?? o.workload, seed: o.seed ?? 0, outcome: null, error: msg, status });
    }
  }
  return rows;
}

function printOutcome(o: RunOutcome): void {
  const lines = o.results.summary.map((l, i) => (i === 0 ? l : `  ${l}`));
  process.stdout.write(`${lines.join('\n')}\n  results: ${o.dir}\n`);
}

function verdict(o: RunOutcome | null): string {
  if (!o) return 'ERROR';
  return o.results.valid === true ? 'valid' : o.results.valid === false ? 'INVALID' : 'unknown';
}

/** Lost writes: the set checker's lost elements; for a counter, the acknowledged increments its settled nodes lack. */
function lostCount(o: RunOutcome | null): string {
  const set = resultOf(o?.results.checkers, 'set');
  if (set) return String(set.lost.count);
  const counter = resultOf(o?.results.checkers, 'counter');
  if (counter?.final) return String(counter.anomalies.filter((a) => a.type === 'lost').reduce((n, a) => n + (typeof a.data?.by === 'number' ? a.data.by : 0), 0));
  return '-';
}

/** Acknowledged ops per second of run time. */
function okRate(o: RunOutcome | null): string {
  const ok = resultOf(o?.results.checkers, 'stats')?.ok;
  const ms = o?.results.durationMs;
  return typeof ok === 'number' && typeof ms === 'number' && ms > 0 ? String(Math.round(ok / (ms / 1000))) : '-';
}

/** p50 / p99 latency of the busiest write f's acknowledged ops, in ms: what the topology costs a writer. */
function writeLatency(o: RunOutcome | null): string {
  const top = o ? writeLatencies(o.results).sort(([, a], [, b]) => b.count - a.count)[0] : undefined;
  return top ? `${top[0]} ${top[1].p50} / ${top[1].p99}` : '-';
}

/** The table that ends several runs: verdict, lost writes, throughput and write latency per run. */
export function summaryTable(rows: Row[]): string {
  return renderTable(
    ['run', 'test', 'seed', 'verdict', 'lost', 'ok/s', 'write p50 / p99 ms', 'results'],
    rows.map((r) => [String(r.run), r.name, String(r.seed), verdict(r.outcome), lostCount(r.outcome), okRate(r.outcome), writeLatency(r.outcome), r.outcome?.dir ?? r.error ?? '']),
  );
}

/** The headline experiment: set + failover on streaming-async (two sites, WAN latency) vs streaming-sync remote_apply. */
export async function experimentCommand(flags: Record<string, unknown>): Promise<number> {
  // on hosts the sites are the hosts file's and the latency between them is their network's
  const onHosts = typeof flags.hosts === 'string';
  const common = {
    workload: 'set',
    nemesis: 'failover',
    timeLimit: flags.timeLimit,
    ...(onHosts ? { hosts: flags.hosts } : { sites: 2, wanLatency: flags.wanLatency }),
    nodes: 3,
    results: flags.results,
    seed: flags.seed,
    report: flags.report,
    quiet: flags.quiet,
    nemesisInterval: 5,
    concurrency: 5,
    rate: 200,
  };
  const repeat = typeof flags.repeat === 'number' ? flags.repeat : 1;
  const runs: RunOptions[] = [];
  for (let i = 0; i < repeat; i++) {
    for (const extra of [{ topology: 'streaming-async' }, { topology: 'streaming-sync', syncCommit: 'remote_apply' }]) {
      const { options } = toRunOptions({ ...common, ...extra, name: `headline-set-failover-${extra.topology}` }, 'experiment');
      runs.push({ ...options, seed: options.seed === undefined ? undefined : options.seed + i });
    }
  }
  const rows = await runAll(runs);
  process.stdout.write(`\nThe headline: does a promoted standby lose acknowledged writes?\n${summaryTable(rows)}\n`);
  for (const r of rows) {
    const set = resultOf(r.outcome?.results.checkers, 'set');
    const lost = set?.lost.items.map((x) => x.element) ?? [];
    const count = set?.lost.count ?? lost.length;
    const listed = lost.length < count ? ` (the first ${lost.length} listed; all in results.json: checkers.set.lostElements)` : '';
    if (lost.length > 0) process.stdout.write(`  run ${r.run}, ${r.name}: ${count} acknowledged element(s) lost${listed}: ${compactList(lost)}\n`);
  }
  // a demonstration, not a gate: it succeeds when every run reached a verdict (the verdicts are the output)
  if (rows.every((r) => r.outcome !== null)) return EXIT.OK;
  return rows.some((r) => r.status === EXIT.IOERR) ? EXIT.IOERR : EXIT.UNAVAILABLE;
}
