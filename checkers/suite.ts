// One checker suite per run: the workload's checkers, then the run-wide ones (retries, latency, convergence),
// then those its topology declares (replication on logical-bidir, split-brain and unavailability on HA stacks). `faultline run` and `faultline check RUN_DIR` both
// judge with it, over the inputs the run stored (history, final reads, settlement, snapshot, samples, probe). Pure.
import { runAll, verdictOf } from './compose.js';
import { convergenceChecker, type ConvergenceResult } from './convergence.js';
import type { CounterResult } from './counter.js';
import { latencyChecker, type LatencyResult } from './latency.js';
import type { LinearizabilityResult } from './linearizability.js';
import type { OneActiveResult } from './logical-active.js';
import type { FinalStateResult } from './logical-final.js';
import { replicationChecker, type ReplicationResult } from './replication.js';
import { retriesChecker, type RetriesResult } from './retries.js';
import { roleSamples } from './primaries.js';
import type { SetResult } from './set.js';
import { checkSplitBrain, type SplitBrainResult } from './split-brain.js';
import { checkUnavailability, type UnavailabilityResult } from './unavailability.js';
import type { StatsResult } from './stats.js';
import type { CheckContext, CheckFailure, CheckResult, Checker, Validity } from './types.js';
import type { PairedHistory } from '../src/history/types.js';

/** Nodes whose final read failed (final.json's errors): a note beside the verdicts, never a verdict of its own. */
export interface FinalReadsNote extends CheckResult {
  valid: true;
  errors: Record<string, string>;
}

/** The checkers a suite may hold, by the name results.json files them under, with the result type each returns. */
export interface KnownResults {
  set: SetResult;
  counter: CounterResult;
  linearizability: LinearizabilityResult;
  'final-state': FinalStateResult;
  'one-active': OneActiveResult;
  stats: StatsResult;
  retries: RetriesResult;
  latency: LatencyResult;
  convergence: ConvergenceResult;
  replication: ReplicationResult;
  'split-brain': SplitBrainResult;
  'split-brain-samples': SplitBrainResult;
  unavailability: UnavailabilityResult;
  'final-reads': FinalReadsNote;
}

/** A checker suite: checkers by name; a known name must hold the checker of that result type. */
export type Suite = { readonly [K in keyof KnownResults]?: Checker<KnownResults[K]> } & { readonly [name: string]: Checker | undefined };

/** The results of a suite, typed by name (a checker that threw leaves its CheckFailure under its name). */
export type RunCheckers = { [K in keyof KnownResults]?: KnownResults[K] | CheckFailure } & { [name: string]: CheckResult | undefined };

/** What a suite concluded: the merged verdict (false beats "unknown" beats true) and every checker's result. */
export interface SuiteResult {
  valid: Validity;
  checkers: RunCheckers;
  /** checkers of the suite that did not judge, with why (a run that ended before it stored their inputs) */
  notJudged?: Record<string, string>;
  /** "name: reason" of the first checker whose verdict is the merged one (absent when valid) */
  reason?: string;
}

/** Checkers every run is judged by, after its workload's. */
export const RUN_CHECKERS = { retries: retriesChecker, latency: latencyChecker, convergence: convergenceChecker } as const satisfies Suite;

/**
 * The checkers a topology may declare (src/cluster/topology/*: `checkers`), by name, over what the run stored:
 * replication (replication.json's probe, metrics.jsonl's samples), split-brain (the samples' roles: two nodes
 * primary at once; `split-brain-samples` from the roles alone, behind a pooler), unavailability (how long acknowledged writes stopped around each fault).
 */
export const TOPOLOGY_CHECKERS = {
  replication: replicationChecker,
  'split-brain': (history, ctx) => checkSplitBrain(history, { samples: roleSamples(ctx.metrics ?? []) }),
  'split-brain-samples': (history, ctx) => checkSplitBrain(history, { samples: roleSamples(ctx.metrics ?? []), writesOnNode: false }),
  unavailability: (history) => checkUnavailability(history),
} as const satisfies Suite;

export type TopologyCheckerName = keyof typeof TOPOLOGY_CHECKERS;

export function isTopologyChecker(name: string): name is TopologyCheckerName {
  return name in TOPOLOGY_CHECKERS;
}

/**
 * Checkers whose inputs a run stores only once it has healed and read every node (with the file): a run that
 * ended before its final reads (no final.json: interrupted, killed, failed) is judged without them, and says so.
 */
export const AFTER_FINAL_READS: Readonly<Record<string, string>> = { convergence: 'snapshot.json', replication: 'replication.json' };

/** The suite that judges a run: its workload's checkers, the run-wide ones, and those its topology declares. */
export function runSuite(workload: Suite, topologyCheckers: readonly string[]): Suite {
  const added: Record<string, Checker> = {};
  for (const name of topologyCheckers) if (isTopologyChecker(name)) added[name] = TOPOLOGY_CHECKERS[name];
  return { ...workload, ...RUN_CHECKERS, ...added };
}

/** Did the checker fail (throw, or give no verdict) rather than judge? */
export function isFailure(r: CheckResult): r is CheckFailure {
  return (r as Partial<CheckFailure>).failed === true;
}

/** The typed result of the checker filed under `name`; undefined when there is none or it failed. */
export function resultOf<K extends keyof KnownResults>(checkers: RunCheckers | null | undefined, name: K): KnownResults[K] | undefined {
  const r = checkers?.[name];
  return r === undefined || r === null || typeof r !== 'object' || isFailure(r) ? undefined : (r as KnownResults[K]);
}

/** The names of a run's checkers, in order (for a run without results.json: what it would be judged by). */
export function suiteNames(suite: Suite): string[] {
  return Object.keys(suite).filter((k) => suite[k] !== undefined);
}

/**
 * Judge a history with a suite. `finalErrors`: nodes whose final read failed, noted under "final-reads" (a note:
 * the checkers that read final reads judge the nodes that answered). Checker exceptions become "unknown".
 */
export function judge(
  suite: Suite,
  history: PairedHistory,
  ctx: CheckContext,
  finalErrors: Record<string, string> = {},
  notJudged: Readonly<Record<string, string>> = {},
): SuiteResult {
  const checkers: Record<string, Checker> = {};
  for (const [name, c] of Object.entries(suite)) if (c !== undefined && !(name in notJudged)) checkers[name] = c;
  const results: RunCheckers = runAll(checkers, history, ctx);
  if (Object.keys(finalErrors).length > 0) results['final-reads'] = { valid: true, errors: finalErrors };
  const v = verdictOf(results as Record<string, CheckResult>);
  const out: SuiteResult = { valid: v.valid, checkers: results };
  if (v.reason !== undefined) out.reason = v.reason;
  const skipped = Object.entries(notJudged).filter(([name]) => suite[name] !== undefined);
  if (skipped.length > 0) out.notJudged = Object.fromEntries(skipped);
  return out;
}
