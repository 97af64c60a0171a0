// The checker seam: a checker is a pure function (paired history, context) → a verdict data map.
// Verdicts compose: false beats "unknown" beats true (see compose.ts).
import type { Json, Key, Op, PairedHistory } from '../src/history/types.js';

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

/** Every checker returns at least `valid`; the rest is checker-specific detail, JSON-serialisable. */
export interface CheckResult {
  valid: Validity;
  /** the anomalies found, as data (checkers move to this shape one by one; see Anomaly) */
  anomalies?: Anomaly[];
  [detail: string]: unknown;
}

/** Final state read from the nodes after healing (set / counter / convergence checkers use it). */
export interface FinalReads {
  /** per node name, what the final read returned (counter value, set elements, rows…) */
  [node: string]: Json;
}

/**
 * How the nodes stood when their final reads were taken (the runner's settle step, stored in final.json): the
 * reads of unsettled nodes show how far those nodes got, not what the cluster kept. Absent: every node settled.
 */
export interface FinalSettlement {
  /** the node that was primary when the final reads were taken (topologies with one writable node) */
  primary?: string;
  /** nodes whose final read is not the settled state, with why (behind the primary, paused, unreachable…) */
  unsettled?: Record<string, string>;
}

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
}

export type Checker = (history: PairedHistory, ctx: CheckContext) => CheckResult;

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
