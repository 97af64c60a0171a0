// The run directory's files and their types: what a run writes (test.json, status.json, history.jsonl, the
// checker inputs final.json / snapshot.json / replication.json / metrics.jsonl, results.json) and what the runner,
// `faultline check RUN_DIR`, the report and `faultline serve` read back.
import type { StoredSnapshot } from '../../checkers/convergence.js';
import type { ReplicationProbe } from '../../checkers/replication.js';
import type { RunCheckers } from '../../checkers/suite.js';
import type { Validity } from '../../checkers/types.js';
import { FINAL_FILE } from '../history/final-reads.js';
import { HISTORY_FILE } from '../history/load.js';

export type { FinalFile } from '../history/final-reads.js';
export type { StoredSnapshot } from '../../checkers/convergence.js';

/** Names of the files in a run directory. */
export const RUN_FILES = {
  history: HISTORY_FILE,
  test: 'test.json',
  results: 'results.json',
  status: 'status.json',
  /** final reads per node, with the settle step (checker input) */
  final: FINAL_FILE,
  /** the convergence snapshot taken at the settled moment (checker input) */
  snapshot: 'snapshot.json',
  /** logical topologies: the final replication probe (checker input; the samples are metrics.jsonl) */
  replication: 'replication.json',
  metrics: 'metrics.jsonl',
  index: 'index.html',
  nodeLogs: 'nodes',
} as const;

/** The files a run's checkers read (beside the history): `faultline check RUN_DIR` judges them as the run did. */
export const CHECKER_INPUTS = [RUN_FILES.final, RUN_FILES.snapshot, RUN_FILES.replication, RUN_FILES.metrics] as const;

/** test.json: the test's configuration, seed, topology, nodes and versions. */
export interface TestDescription {
  /** test name, e.g. "set-failover-streaming-async" */
  name: string;
  workload: string;
  /** the model `faultline check --model` would apply to this history (absent: the workload has none) */
  model?: string;
  topology: string;
  /** nemesis names in force, e.g. ["failover"] or ["kill", "partition"] */
  nemesis: string[];
  seed: number;
  /** ISO time the run started */
  startedAt: string;
  /** every option the run was given (CLI flags or experiment file), resolved with defaults */
  options: Record<string, unknown>;
  /** the names of the checkers that judge this run, in order (its suite: checkers/suite.ts) */
  checkers?: string[];
  /** PostgreSQL server version string */
  pgVersion?: string;
  /** nodes as described by the cluster (name, site, role, ports…) */
  nodes?: Array<Record<string, unknown>>;
  faultlineVersion: string;
}

/** results.json: every checker's verdict, composed (false beats "unknown" beats true). */
export interface RunResults {
  valid: Validity;
  /** checker name → its typed result (set, counter, linearizability, stats, convergence, retries, replication…) */
  checkers: RunCheckers;
  /** one line per notable finding, for the report's headline and the terminal (rendered from `checkers`) */
  summary: string[];
  /** run duration in ms (from the first to the last history event) */
  durationMs?: number;
}

/** snapshot.json */
export type SnapshotFile = StoredSnapshot;

/** replication.json: the final probe of a logical topology (null, with why, when it failed). */
export interface ReplicationFile {
  probe: ReplicationProbe | null;
  error?: string;
}

/**
 * How a run ended, as status.json records it: `running` is written first (a run killed with SIGKILL stays
 * there, with its pid), then one of `checked` (results.json written), `interrupted` (SIGINT / SIGTERM: the
 * history so far is checkable), `could not start` (the cluster never came up), `failed` (an error after the
 * cluster started, before the check; the history so far is checkable).
 */
export type RunState = 'running' | 'checked' | 'interrupted' | 'could not start' | 'failed';

export const RUN_STATES: readonly RunState[] = ['running', 'checked', 'interrupted', 'could not start', 'failed'];

/** status.json */
export interface RunStatus {
  state: RunState;
  /** ISO time this state was written */
  at: string;
  /** the faultline process (written with `running`, kept after) */
  pid?: number;
  /** interrupted / failed: seconds since the main phase began (absent: it never began) */
  elapsedS?: number;
  /** interrupted: the signal */
  signal?: string;
  /** could not start / failed: the error */
  error?: string;
  /** checked: the run's verdict */
  valid?: Validity;
}
