// The checker seam: a checker is a pure function (paired history, context) → a verdict data map.
// Verdicts compose: false beats "unknown" beats true (see compose.ts).
import type { FinalReads, FinalSettlement } from '../src/history/final-reads.js';
import type { Json, Key, Op, PairedHistory } from '../src/history/types.js';
import type { StoredSnapshot } from './convergence.js';
import type { MetricsSample, ReplicationInputs } from './replication.js';

export type Validity = true | false | 'unknown';

/**
 * One anomaly as data, the shape every checker reports in and every consumer (summary, report, timeline,
 * property predicates) reads: its name as the anchors spell it (Knossos, Elle: `G2-item`, `lost`, …), the ops
 * involved by the history index of their invoke events, and kind-specific typed data. Explanation text is
 * rendered from it by a separate function; nobody parses it back.
 */
export interface Anomaly<T extends string = string, D = Json> {
  type: T;
  /** invoke event indexes (Op.invokeIndex) of the ops involved, in the order the anomaly names them */
  ops: number[];
  keys?: Key[];
  /** nodes involved (a node that missed a write, the two sides of a split brain…) */
  nodes?: string[];
  data?: D;
}

/**
 * What every checker returns (Jepsen's data map with `valid`): the verdict, the anomalies found as data, and
 * text rendered from that data by the checker's explain function. Each checker exports its own result type
 * extending this one (SetResult, CounterResult, LinearizabilityResult, …); checkers/suite.ts names them all.
 */
export interface CheckResult {
  valid: Validity;
  /** the anomalies found, as data: what the summary, the report, the timeline and the property predicates read */
  anomalies?: Anomaly[];
  /** why the verdict is not valid, one line rendered from the result's data (for people: never parsed back) */
  reason?: string;
  /** the checker itself failed (it threw, or gave no verdict): its verdict is then "unknown" */
  error?: string;
  /** findings that do not change the verdict (a node read before it caught up…), as text for people */
  warnings?: string[];
}

/** A checker that threw or returned no verdict: "unknown", with why (compose.ts runSafely). */
export interface CheckFailure extends CheckResult {
  valid: 'unknown';
  error: string;
  failed: true;
}

/** Final reads and settlement are stored run inputs: their types live with the format (src/history/final-reads.ts). */
export type { FinalReads, FinalSettlement };

export interface CheckContext {
  /** wall-clock budget for search-based checkers, in ms; past it they answer "unknown" */
  timeLimitMs?: number;
  /** memory budget for search-based checkers, in cached configurations; past it they answer "unknown" */
  maxStates?: number;
  final?: FinalReads;
  /** which final reads are the settled state, and which node was primary then (see FinalSettlement) */
  settlement?: FinalSettlement;
  /** number of client slots: process p belongs to client p mod concurrency (Jepsen's process renumbering) */
  concurrency?: number;
  /** linearizability: go on checking every key after one is proven not linearizable (default: stop there) */
  allKeys?: boolean;
  /** linearizability: called once when a key's search goes past its first 8,192 steps (the check is not start-up bound) */
  onLongSearch?: () => void;
  /** convergence: what each node held at the settled moment, as the run stored it (snapshot.json); absent: none stored */
  snapshot?: StoredSnapshot;
  /** replication health (logical topologies): the metrics samples and the final probe, as the run stored them */
  replication?: ReplicationInputs;
  /** the sampler's samples, as the run stored them (metrics.jsonl): roles, lag, subscriptions per node and second */
  metrics?: readonly MetricsSample[];
}

export type Checker<R extends CheckResult = CheckResult> = (history: PairedHistory, ctx: CheckContext) => R;

/**
 * A model compiled for one sub-history (see Model.compile): states are small non-negative integers, equal
 * states have equal numbers, and step(s, i) is the state after ops[i] from s, or -1 when ops[i] cannot happen in s.
 */
export interface CompiledModel {
  init: number;
  step(s: number, i: number): number;
  /** the one state op i can happen in (step(s, i) is -1 for every other s), or -1 when it is not that simple */
  requires?(i: number): number;
  describeState(s: number): string;
  /** memory the states made during the search take (strings, sets), for the memory budget */
  bytes?(): number;
}

/** A sequential specification (Porcupine-style): pure, no I/O. */
export interface Model<S> {
  name: string;
  init(): S;
  /** Apply op (an ok or info op, with its observed value for ok reads) to state. ok=false: impossible here. */
  step(state: S, op: Op): { ok: boolean; state: S };
  /** A string that identifies the state, for memoisation. */
  hash(state: S): string;
  /** Split a history into independent sub-histories (P-compositionality); default: one. */
  partition?(ops: Op[]): Map<Key | null, Op[]>;
  /** true for ops that never change the state (reads): an info read can then be dropped */
  isRead?(op: Op): boolean;
  describeState(state: S): string;
  describeOp(op: Op): string;
  /** Optional fast path for the search: the model compiled for the ops of one sub-history (else: via hash()). */
  compile?(ops: readonly Op[]): CompiledModel;
}
