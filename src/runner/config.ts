// Run options: everything one experiment is given (flags or an experiment file), and their defaults.
import type { NemesisName } from '../../nemesis/names.js';
import type { PartitionMode } from '../../nemesis/partition.js';
import type { FaultStep, ScheduleMode } from '../../nemesis/schedule.js';
import type { NodeSetSpec } from '../../nemesis/types.js';
import type { WorkloadName } from '../../workloads/names.js';
import type { Workload } from '../../workloads/types.js';
import type { ClusterOptions, CutMode, TopologyName } from '../cluster/types.js';
import type { HistoryWriterOptions } from '../history/writer.js';
import type { ReadFrom, RoutingMode } from './routing.js';
import type { RunResults, TestDescription } from './results.js';

/** The cluster settings a run passes through to startCluster unchanged. */
export const CLUSTER_KEYS = ['nodes', 'sites', 'wanLatencyMs', 'syncCommit', 'syncStandbys', 'tls', 'pgBin', 'toxiproxyUrl', 'externalFile', 'settings'] as const;

export interface RunOptions extends Pick<ClusterOptions, (typeof CLUSTER_KEYS)[number]> {
  name?: string;
  workload: WorkloadName;
  /** a Workload object to run instead of the named `workload` (property tests); test.json records its name only */
  customWorkload?: Workload;
  topology: TopologyName;
  nemesis: NemesisName[];
  nemesisIntervalS: number;
  /** an explicit fault plan instead of the periodic/random schedule (property tests, replays) */
  plan?: FaultStep[];
  schedule: ScheduleMode;
  targets: NodeSetSpec;
  partition: PartitionMode;
  cut: CutMode;
  timeLimitS: number;
  rate: number;
  concurrency: number;
  opTimeoutMs: number;
  routing: RoutingMode;
  readFrom: ReadFrom;
  maxRetries: number;
  keys?: number;
  readFraction?: number;
  seed?: number;
  resultsDir: string;
  keep: boolean;
  report: boolean;
  progress: boolean;
  /** seconds to wait for replicas to catch up after healing */
  settleS: number;
}

export interface RunOutcome {
  dir: string;
  results: RunResults;
  test: TestDescription;
}

/**
 * How a run writes history.jsonl: events batched for up to 10 ms per write(2). A SIGKILLed run loses at most
 * that window's last events, as whole lines (the history stays checkable); Ctrl-C and errors write everything.
 * No validation while writing: the client builds every event itself, and the run reads the file back through
 * the validating reader before checking it, as `faultline check` would.
 */
export const RUN_HISTORY_WRITE: HistoryWriterOptions = { flush: 'tick', batchMs: 10, validate: false };

export const RUN_DEFAULTS: Omit<RunOptions, 'workload' | 'topology'> = {
  nemesis: [],
  nemesisIntervalS: 5,
  schedule: 'periodic',
  targets: 'one',
  partition: 'halves',
  cut: 'blackhole',
  timeLimitS: 30,
  rate: 200,
  concurrency: 5,
  opTimeoutMs: 5000,
  routing: 'primary',
  readFrom: 'same',
  maxRetries: 0,
  resultsDir: 'results',
  keep: false,
  report: true,
  progress: true,
  settleS: 30,
};

