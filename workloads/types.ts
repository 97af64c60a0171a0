// The workload seam: schema setup, op generation, how a client performs an op in SQL, final reads, checkers.
// A workload is data plus a few functions; the runner owns connections, timing, outcomes and the history.
import type pg from 'pg';
import type { Suite } from '../checkers/suite.js';
import type { Json, Key } from '../src/history/types.js';
import type { Rng } from '../src/util/rng.js';
import type { Isolation } from './txn-sql.js';

/** An op a client is about to perform. */
export interface WorkloadOp {
  f: string;
  key?: Key;
  value: Json;
  /** does it change data? (decides fail vs info on errors; reads always fail cleanly) */
  write: boolean;
}

export interface GenContext {
  rng: Rng;
  /** the client's index, 0..concurrency-1 (stable across process-id changes) */
  client: number;
  concurrency: number;
  /** a number unique across the whole run (for unique set elements) */
  unique(): number;
}

/** Something that runs SQL: a pg.Client or pg.Pool. */
export type Db = Pick<pg.Client, 'query'>;

export interface Workload {
  name: string;
  /** tables compared by the convergence snapshot */
  tables: string[];
  /**
   * the model `faultline check` re-judges this workload's history with (test.json records it, so
   * `faultline check RUN_DIR` needs no --model); none when only the run's own checkers can judge it
   */
  model?: string;
  /** create the schema; run once on every writable node before the clients start */
  setup(db: Db): Promise<void>;
  generate(ctx: GenContext): WorkloadOp;
  /** perform op; resolve with the ok value (what a read returned, the value written…); throw on error */
  invoke(db: Db, op: WorkloadOp): Promise<Json>;
  /** the final read on one node after healing (set elements, counter values…) */
  final(db: Db): Promise<Json>;
  /**
   * its checker suite (the run adds retries, latency, convergence and its topology's checkers: checkers/suite.ts);
   * pure, so `faultline check RUN_DIR` judges a stored run with the same checkers; ctx.final holds the final reads
   */
  checkers(): Suite;
}

export interface WorkloadOptions {
  /** fraction of ops that are reads, 0..1 (the transactional workloads: of micro-ops) */
  readFraction?: number;
  /** number of keys for keyed workloads (the transactional workloads: keys in the active pool) */
  keys?: number;
  /** transactional workloads: the isolation level every transaction runs at (default serializable) */
  isolation?: Isolation;
  /** transactional workloads: the consistency model the history is judged against (default: the isolation's) */
  expectedConsistencyModel?: string;
  /** transactional workloads: micro-ops per transaction, 1..maxTxnLength (default 4) */
  maxTxnLength?: number;
  /** transactional workloads: writes a key takes before a fresh key replaces it (default 32) */
  maxWritesPerKey?: number;
}
