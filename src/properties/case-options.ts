// Turns one generated case (a Scenario) and the experiment it belongs to into validated RunOptions:
// the experiment's settings through toRunOptions, then the case's plan, targets, op mix and shape on top.
import type { NemesisName } from '../../nemesis/index.js';
import type { WorkloadName } from '../../workloads/index.js';
import type { Workload, WorkloadOptions } from '../../workloads/types.js';
import type { SyncCommit, TopologyName } from '../cluster/types.js';
import type { RunOptions } from '../runner/config.js';
import { toRunOptions } from '../runner/options.js';
import type { ReadFrom, RoutingMode } from '../runner/routing.js';
import type { Scenario } from './arbitraries.js';
import { PropertyMisuse } from './predicates.js';

/** What every case of a property shares: experiment-file settings (see `faultline run --help`). */
export interface ExperimentSettings {
  workload?: WorkloadName;
  topology?: TopologyName;
  nodes?: number;
  sites?: number;
  wanLatency?: number;
  syncCommit?: SyncCommit;
  rate?: number;
  concurrency?: number;
  opTimeout?: number;
  routing?: RoutingMode;
  readFrom?: ReadFrom;
  keys?: number;
  readFraction?: number;
  settle?: number;
  name?: string;
  [setting: string]: unknown;
}

/** Builds a Workload from the case's op mix (like the built-in setWorkload(opts)). */
export type WorkloadFactory = (opts: WorkloadOptions) => Workload;

export interface CaseContext {
  experiment: ExperimentSettings;
  workload?: WorkloadFactory;
  timeS: number;
  resultsDir: string;
  /** the run name (its directory is <resultsDir>/<name>/<timestamp>) */
  name: string;
}

/** Settings the property runner owns: each case's plan, time and seed decide them. */
const OWNED = ['nemesis', 'timeLimit', 'seed', 'results', 'schedule', 'nemesisInterval', 'repeat'];

export function caseOptions(scenario: Scenario, c: CaseContext): RunOptions {
  for (const k of OWNED) {
    if (c.experiment[k] !== undefined) throw new PropertyMisuse(`experiment setting "${k}" is decided by the property runner (the generated plan, FAULTLINE_TIME, the case seed); remove it`);
  }
  if (c.workload && c.experiment.workload !== undefined) throw new PropertyMisuse('give either experiment.workload (a name) or workload (a factory), not both');
  const nemeses = [...new Set(scenario.plan.map((s) => s.nemesis))];
  const raw: Record<string, unknown> = {
    quiet: true,
    report: false,
    name: c.name,
    ...c.experiment,
    nemesis: nemeses.length ? nemeses.join(',') : 'none',
    timeLimit: c.timeS,
    results: c.resultsDir,
    seed: scenario.seed,
  };
  let options: RunOptions;
  try {
    options = toRunOptions(raw, 'property experiment').options;
  } catch (err) {
    throw new PropertyMisuse(err instanceof Error ? err.message : String(err));
  }
  options.nemesis = nemeses as NemesisName[];
  options.plan = scenario.plan;
  if (scenario.targets !== undefined) options.targets = scenario.targets;
  if (scenario.partition !== undefined) options.partition = scenario.partition;
  if (scenario.concurrency !== undefined) options.concurrency = scenario.concurrency;
  if (scenario.readFraction !== undefined) options.readFraction = scenario.readFraction;
  if (scenario.keys !== undefined) options.keys = scenario.keys;
  if (scenario.nodes !== undefined) options.nodes = scenario.nodes;
  if (scenario.wanLatencyMs !== undefined) options.wanLatencyMs = scenario.wanLatencyMs;
  if (c.workload) options.customWorkload = c.workload({ readFraction: options.readFraction, keys: options.keys });
  return options;
}
