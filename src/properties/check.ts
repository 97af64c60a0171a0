// Checks one property with fast-check: every generated case is a short real run (runTest) judged by the
// property; a failure is shrunk (each candidate another run) to the smallest plan that still breaks it.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { RUN_FILES } from '../store/index.js';
import { runTest, writeRunReport } from '../runner/run.js';
import type { Scenario } from './arbitraries.js';
import { caseOptions, type ExperimentSettings, type WorkloadFactory } from './case-options.js';
import { PROPERTY_DEFAULTS, propertyEnv } from './env.js';
import { formatCase } from './format.js';
import { PropertyMisuse, type RunProperty, type Verdict } from './predicates.js';
import type { CaseRun, PropertyReport } from './report.js';

export interface PropertySpec {
  /** settings every case shares (workload, topology, sites, wanLatency, syncCommit, rate…) */
  experiment?: ExperimentSettings;
  /** a workload of your own, built from the case's op mix, instead of experiment.workload */
  workload?: WorkloadFactory;
  /** the generated cases (see `scenario`) */
  cases: fc.Arbitrary<Scenario>;
  /** what must hold after every run */
  property: RunProperty;
  /** generated cases (FAULTLINE_RUNS wins; default 3) */
  numRuns?: number;
  /** fast-check seed (FAULTLINE_SEED wins; default 42) */
  seed?: number;
  /** fast-check path of a counterexample to replay (FAULTLINE_PATH wins) */
  path?: string;
  /** seconds per run (FAULTLINE_TIME wins; default 6): give faultPlan the same */
  timeS?: number;
  /** most shrink candidates tried, each a real run (FAULTLINE_SHRINKS wins; default 10); fast-check's shrinking,
   * then dropping the plan's steps one at a time while the property still fails */
  maxShrinks?: number;
  /** stop at the first failure, without shrinking */
  endOnFailure?: boolean;
  /** results root (FAULTLINE_RESULTS wins; default "results"); runs go to <root>/properties/<name>/ */
  resultsDir?: string;
  /** keep passing runs' directories too (FAULTLINE_KEEP=1 wins; default false) */
  keepPassing?: boolean;
  /** write the HTML report into the counterexample's run directory (default true) */
  report?: boolean;
  /** progress lines, one per case (default: stderr; false: silent) */
  log?: ((line: string) => void) | false;
  /** the test file, for the replay hint */
  testFile?: string;
}

/** A file-system-friendly run name from the property's name. */
export function slug(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60) || 'property'
  );
}

/** Runs the search; never throws for a failing property (see PropertyReport.holds / error). */
export async function checkProperty(name: string, spec: PropertySpec): Promise<PropertyReport> {
  const env = propertyEnv();
  const timeS = env.timeS ?? spec.timeS ?? PROPERTY_DEFAULTS.timeS;
  const seed = env.seed ?? spec.seed ?? PROPERTY_DEFAULTS.seed;
  const path = env.path ?? spec.path;
  const maxShrinks = env.shrinks ?? spec.maxShrinks ?? PROPERTY_DEFAULTS.shrinks;
  const keep = env.keep ?? spec.keepPassing ?? false;
  const resultsDir = join(env.resultsDir ?? spec.resultsDir ?? PROPERTY_DEFAULTS.resultsDir, 'properties');
  const log = spec.log === false ? () => undefined : (spec.log ?? ((l: string) => void process.stderr.write(`${l}\n`)));
  const ctx = { experiment: spec.experiment ?? {}, workload: spec.workload, timeS, resultsDir, name: slug(name) };

  const runs: CaseRun[] = [];
  const last = new Map<string, CaseRun>();
  // set from inside the property (fast-check calls it): an abort, and whether shrinking has begun
  const state: { error: Error | null; failed: boolean } = { error: null, failed: false };

  /** One real run of a case, judged and logged; null when the search is aborted. */
  const runCase = async (scenario: Scenario): Promise<CaseRun | null> => {
    if (state.error) return null;
    const phase = state.failed ? 'shrink' : 'search';
    const started = Date.now();
    let verdict: Verdict;
    let dir: string | null = null;
    try {
      const outcome = await runTest(caseOptions(scenario, ctx));
      dir = outcome.dir;
      verdict = spec.property.judge(outcome);
    } catch (err) {
      if (err instanceof PropertyMisuse) {
        state.error = err;
        return null;
      }
      if (dir === null) {
        // the run itself crashed (cluster did not start…): an error of the setup, not a counterexample
        state.error = new Error(`run crashed for plan ${JSON.stringify(scenario.plan)}: ${err instanceof Error ? err.message : String(err)}`);
        return null;
      }
      verdict = { holds: false, reason: `property threw: ${err instanceof Error ? err.message : String(err)}` };
    }
    const run: CaseRun = { index: runs.length, phase, scenario, dir, verdict, durationMs: Date.now() - started };
    runs.push(run);
    last.set(JSON.stringify(scenario), run);
    log(`faultline property "${name}": ${formatCase(run)}`);
    if (!verdict.holds) state.failed = true;
    return run;
  };
  // aborted: let fast-check wind down without more runs
  const judge = async (scenario: Scenario): Promise<boolean> => (await runCase(scenario))?.verdict.holds ?? true;

  const cases = Number.isFinite(maxShrinks) ? fc.limitShrink(spec.cases, maxShrinks) : spec.cases;
  const params: fc.Parameters<[Scenario]> = { numRuns: env.runs ?? spec.numRuns ?? PROPERTY_DEFAULTS.runs, seed };
  if (path !== undefined) params.path = path;
  if (spec.endOnFailure) params.endOnFailure = true;
  log(`faultline property "${name}": fast-check seed ${seed}${path ? `, path ${path}` : ''}, ${params.numRuns} case(s), ${timeS} s per run`);
  const details = await fc.check(fc.asyncProperty(cases, judge), params);

  let counterexample = details.failed && details.counterexample ? (last.get(JSON.stringify(details.counterexample[0])) ?? null) : null;
  let dropped = 0;
  if (counterexample && !spec.endOnFailure) {
    // fast-check's array shrinking mostly drops steps from the front of the plan; drop each other one in turn
    const budget = maxShrinks - runs.filter((r) => r.phase === 'shrink').length;
    ({ run: counterexample, dropped } = await dropSteps(counterexample, runCase, budget));
  }
  const firstFailure = runs.find((r) => !r.verdict.holds) ?? null;
  for (const r of runs) {
    if (r.dir === null || r === counterexample || keep) continue;
    rmSync(r.dir, { recursive: true, force: true });
    r.dir = null;
  }
  tidyLinks(resultsDir, ctx.name);
  if (counterexample?.dir && spec.report !== false) await writeRunReport(counterexample.dir, log);
  const reportWritten = counterexample?.dir ? existsSync(join(counterexample.dir, RUN_FILES.index)) : false;
  return {
    name,
    property: spec.property.name,
    holds: state.error === null && !details.failed,
    seed: details.seed,
    path: details.counterexamplePath,
    timeS,
    numShrinks: details.numShrinks + dropped,
    runs,
    counterexample,
    firstFailure,
    reportWritten,
    replayable: spec.workload === undefined,
    testFile: spec.testFile,
    error: state.error,
  };
}

/**
 * Shortens a failing case's plan one step at a time, keeping each removal that still fails; at most `budget`
 * runs. The last step is tried too: a property that fails with no fault at all ends with an empty plan,
 * which says the faults were not needed.
 */
async function dropSteps(failing: CaseRun, runCase: (s: Scenario) => Promise<CaseRun | null>, budget: number): Promise<{ run: CaseRun; dropped: number }> {
  let best = failing;
  let dropped = 0;
  let tries = 0;
  let progress = true;
  while (progress && best.scenario.plan.length > 0 && tries < budget) {
    progress = false;
    for (let i = 0; i < best.scenario.plan.length && tries < budget; i++) {
      tries++;
      const run = await runCase({ ...best.scenario, plan: best.scenario.plan.filter((_, j) => j !== i) });
      if (run === null) return { run: best, dropped };
      if (!run.verdict.holds) {
        best = run;
        dropped++;
        progress = true;
        break;
      }
    }
  }
  return { run: best, dropped };
}

/** Removes `latest` links left pointing at removed run directories, and the property's directory if empty. */
function tidyLinks(resultsDir: string, name: string): void {
  for (const link of [join(resultsDir, name, 'latest'), join(resultsDir, 'latest')]) {
    if (!existsSync(link)) rmSync(link, { force: true });
  }
  try {
    if (readdirSync(join(resultsDir, name)).length === 0) rmSync(join(resultsDir, name), { recursive: true });
  } catch {
    // nothing there
  }
}
