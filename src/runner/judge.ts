// Judging a stored run: the checker suite of its workload and topology (test.json), over the inputs it stored
// (history.jsonl, final.json, snapshot.json, replication.json, metrics.jsonl). `faultline run` judges its own
// run directory with it once the files are written, and `faultline check RUN_DIR` judges any run the same way.
import { join } from 'node:path';
import { AFTER_FINAL_READS, isTopologyChecker, judge, runSuite, type Suite, type SuiteResult } from '../../checkers/suite.js';
import type { CheckContext } from '../../checkers/types.js';
import { makeWorkload, workloadOptions } from '../../workloads/index.js';
import { isWorkloadName } from '../../workloads/names.js';
import type { Workload } from '../../workloads/types.js';
import { loadHistory, type LoadedHistory } from '../history/load.js';
import type { ReadOptions } from '../history/load.js';
import { readCheckerInputs, RUN_FILES, type CheckerInputs, type TestDescription } from '../store/index.js';

/** The workload a stored run used, rebuilt from test.json (its name and the options its checkers depend on); null for a custom workload. */
export function storedWorkload(test: TestDescription): Workload | null {
  if (!isWorkloadName(test.workload)) return null;
  return makeWorkload(test.workload, workloadOptions(test.options ?? {}));
}

/** The suite that judges a run of `workload` whose topology declares `topologyCheckers` (the one both run and check use). */
export function suiteFor(workload: Pick<Workload, 'checkers'>, topologyCheckers: readonly string[]): Suite {
  return runSuite(workload.checkers(), topologyCheckers);
}

/** Runs from before test.json named their checkers: what their topology added then. */
const LEGACY_TOPOLOGY_CHECKERS: Readonly<Record<string, readonly string[]>> = { 'logical-bidir': ['replication'] };

/** The suite of a stored run (its topology's checkers as test.json names them); null when its workload is not one faultline knows. */
export function storedSuite(test: TestDescription): Suite | null {
  const w = storedWorkload(test);
  if (w === null) return null;
  const named = Array.isArray(test.checkers) ? test.checkers.filter(isTopologyChecker) : (LEGACY_TOPOLOGY_CHECKERS[test.topology] ?? []);
  return suiteFor(w, named);
}

/** The checkers' context from a run's stored inputs: final reads, settlement, snapshot, replication, client slots. */
export function contextOf(inputs: CheckerInputs, test: TestDescription | null, extra: Pick<CheckContext, 'timeLimitMs' | 'maxStates'> = {}): CheckContext {
  const ctx: CheckContext = { ...extra };
  if (inputs.final) {
    ctx.final = inputs.final.reads;
    if (inputs.final.settlement) ctx.settlement = inputs.final.settlement;
  }
  if (inputs.snapshot) ctx.snapshot = inputs.snapshot;
  if (inputs.replication) ctx.replication = inputs.replication;
  ctx.metrics = inputs.metrics;
  const concurrency = test?.options?.concurrency;
  if (typeof concurrency === 'number' && concurrency > 0) ctx.concurrency = concurrency;
  return ctx;
}

export interface StoredJudgement {
  result: SuiteResult;
  history: LoadedHistory;
  inputs: CheckerInputs;
}

/** Judge the run directory `dir` with `suite` over what it stored. */
export async function judgeStoredRun(
  dir: string,
  suite: Suite,
  test: TestDescription | null,
  opts: Pick<CheckContext, 'timeLimitMs' | 'maxStates'> & { read?: ReadOptions; history?: LoadedHistory } = {},
): Promise<StoredJudgement> {
  const history = opts.history ?? (await loadHistory(join(dir, RUN_FILES.history), process.stdin, opts.read ?? {}));
  const inputs = await readCheckerInputs(dir);
  const limits: Pick<CheckContext, 'timeLimitMs' | 'maxStates'> = {};
  if (opts.timeLimitMs !== undefined) limits.timeLimitMs = opts.timeLimitMs;
  if (opts.maxStates !== undefined) limits.maxStates = opts.maxStates;
  // a run that ended before its final reads (no final.json) never stored the inputs of the checkers that follow them
  const notJudged: Record<string, string> = {};
  if (inputs.final === undefined) {
    for (const [name, file] of Object.entries(AFTER_FINAL_READS)) notJudged[name] = `the run ended before its final reads (no ${RUN_FILES.final}, no ${file})`;
  }
  const result = judge(suite, history.history, contextOf(inputs, test, limits), inputs.final?.errors ?? {}, notJudged);
  return { result, history, inputs };
}
