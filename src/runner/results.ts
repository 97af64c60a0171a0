// The shapes of a run directory's companion files: test.json (what was run) and results.json (verdicts).
// Reports and `faultline serve` read these; the runner writes them.
import type { CheckResult, Validity } from '../../checkers/types.js';
import { FINAL_FILE } from '../history/final-reads.js';
import { HISTORY_FILE } from '../history/load.js';

/** test.json: the test's configuration, seed, topology, nodes and versions. */
export interface TestDescription {
  /** test name, e.g. "set-failover-streaming-async" */
  name: string;
  workload: string;
  /** the model `faultline check RUN_DIR` uses when no --model is given (absent: the workload has none) */
  model?: string;
  topology: string;
  /** nemesis names in force, e.g. ["failover"] or ["kill", "partition"] */
  nemesis: string[];
  seed: number;
  /** ISO time the run started */
  startedAt: string;
  /** every option the run was given (CLI flags or experiment file), resolved with defaults */
  options: Record<string, unknown>;
  /** PostgreSQL server version string */
  pgVersion?: string;
  /** nodes as described by the cluster (name, site, role, ports…) */
  nodes?: Array<Record<string, unknown>>;
  faultlineVersion: string;
}

/** results.json: every checker's verdict, composed (false beats "unknown" beats true). */
export interface RunResults {
  valid: Validity;
  /** checker name → its data map (set, counter, linearizability, stats, convergence, retries, replication…) */
  checkers: Record<string, CheckResult>;
  /** one line per notable finding, for the report's headline and the terminal */
  summary: string[];
  /** run duration in ms (from the first to the last history event) */
  durationMs?: number;
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

/** Names of the files in a run directory. */
export const RUN_FILES = {
  history: HISTORY_FILE,
  test: 'test.json',
  results: 'results.json',
  status: 'status.json',
  final: FINAL_FILE,
  metrics: 'metrics.jsonl',
  index: 'index.html',
  nodeLogs: 'nodes',
} as const;
