// Run options: everything one experiment is given (flags or an experiment file), and their defaults (from the
// option table: src/runner/option-table.ts).
import type { NemesisName } from '../../nemesis/names.js';
import type { PartitionMode } from '../../nemesis/partition.js';
import type { FaultStep, ScheduleMode } from '../../nemesis/schedule.js';
import type { NodeSetSpec } from '../../nemesis/types.js';
import type { WorkloadName } from '../../workloads/names.js';
import type { Workload } from '../../workloads/types.js';
import type { Isolation } from '../../workloads/txn-sql.js';
import type { ClusterOptions, CutMode, TopologyName } from '../cluster/types.js';
import { fieldOf } from '../util/option-spec.js';
import { CLUSTER_OPTIONS, RUN_OPTIONS, SPECIAL_KEYS } from './option-table.js';
import type { HistoryWriterOptions } from '../history/writer.js';
import type { ReadFrom, RoutingMode } from './routing.js';
import type { RunResults, TestDescription } from '../store/index.js';

/**
 * The cluster settings a run passes through to startCluster unchanged: every cluster option of the table (each
 * topology's included), and `settings` (extra postgresql.conf lines, for programmatic runs).
 */
export const CLUSTER_KEYS: readonly string[] = [...CLUSTER_OPTIONS.map(fieldOf), 'settings'];

/** ClusterOptions a run may set: all but what the runner decides itself (topology, directories, OS user). */
export type RunClusterOptions = Omit<ClusterOptions, 'topology' | 'dir' | 'keep' | 'keepLink' | 'osUser' | 'logDir'>;

export interface RunOptions extends RunClusterOptions {
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
  /** the transactional workloads' (append, rw-register) options: see WorkloadOptions */
  isolation?: Isolation;
  expectedConsistencyModel?: string;
  maxTxnLength?: number;
  maxWritesPerKey?: number;
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

/** The table's defaults of the runner's own options (cluster options default in their topology). */
const TABLE_DEFAULTS = Object.fromEntries(
  RUN_OPTIONS.filter((o) => o.default !== undefined && !o.cluster && !o.cliOnly && !(SPECIAL_KEYS as readonly string[]).includes(o.key)).map((o) => [fieldOf(o), o.default]),
);

export const RUN_DEFAULTS: Omit<RunOptions, 'workload' | 'topology'> = {
  nemesis: [],
  routing: 'primary',
  progress: true,
  keep: false,
  ...(TABLE_DEFAULTS as Pick<RunOptions, 'nemesisIntervalS' | 'schedule' | 'targets' | 'partition' | 'cut' | 'timeLimitS' | 'rate' | 'concurrency' | 'opTimeoutMs' | 'readFrom' | 'maxRetries' | 'resultsDir' | 'report' | 'settleS'>),
};
