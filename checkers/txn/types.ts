// Types of the transactional (Elle-style) checker: its options, the dependency kinds, the typed steps of a
// cycle, and the result map. Everything here is data; explain.ts renders text from it.
import type { Json, Key } from '../../src/history/types.js';
import type { Anomaly, Validity } from '../types.js';

/** The two data models: lists one appends to, and registers one overwrites (unique values per key). */
export type TxnModel = 'list-append' | 'rw-register';

/** A dependency between two transactions: data (ww, wr, rw) or order (process, realtime). */
export type DepType = 'ww' | 'wr' | 'rw' | 'process' | 'realtime';

/** One step of a cycle: `from` precedes `to` because of `type` (op indexes are invoke indexes). */
export interface TxnStep {
  from: number;
  to: number;
  type: DepType;
  /** ww / wr / rw: the key the dependency is on */
  key?: Key;
  /**
   * ww: what `from` wrote (appended); wr: what `from` wrote and `to` read (the last element read, for lists);
   * rw: what `from` read (the last element of the list, or the register value; null = the initial state)
   */
  value?: Json;
  /** ww, rw: what `to` wrote (appended) afterwards */
  nextValue?: Json;
  /** process: the process that ran both */
  process?: number;
  /** realtime: the event index where `from` completed and where `to` was invoked, and the gap in ns */
  fromCompleteIndex?: number;
  toInvokeIndex?: number;
  gapNs?: number;
}

/** A transaction as an anomaly shows it: invoke index, process, outcome, and its micro-ops (reads filled in). */
export interface TxnView {
  index: number;
  process: number;
  type: 'ok' | 'info' | 'fail';
  value: Json;
  /** the node it ran on, when the history says (a long fork is read on two nodes) */
  node?: string;
}

/** data of a cycle anomaly (G0, G1c, G-single-item, …): the cycle in order and one typed step per edge. */
export interface CycleData {
  steps: TxnStep[];
  txns: TxnView[];
}

/** The anomaly as every checker reports it, with txn-specific data. */
export type TxnAnomaly = Anomaly<string, Json>;

export interface TxnOptions {
  /** models the history should satisfy (friendly or canonical names); default strict-serializable; [] = none */
  consistencyModels?: readonly string[];
  /** extra anomalies to look for (and everything that implies them) */
  anomalies?: readonly string[];
  /** rw-register version-order sources (off unless set, as in Elle) */
  linearizableKeys?: boolean;
  sequentialKeys?: boolean;
  wfrKeys?: boolean;
  /** rw-register: completion event index → commit position; writes then follow that order */
  transactionOrder?: Readonly<Record<string, number>>;
  /** budget per strongly connected component for the cycle search, in ms (default 1000) */
  cycleSearchMs?: number;
  /** a deterministic budget per component, in search steps (tests); unlimited by default */
  cycleSearchSteps?: number;
  /** how many anomalies of one type the result lists (all are counted); default 100 */
  maxPerType?: number;
}

export interface TxnResult {
  valid: Validity;
  model: TxnModel;
  /** the reportable anomaly types found, sorted by name (Elle's :anomaly-types) */
  anomalyTypes: string[];
  /** the reportable anomalies, as data, at most maxPerType of each type */
  anomalies: TxnAnomaly[];
  /** how many of each reportable type were found (the list may be capped) */
  anomalyCounts: Record<string, number>;
  /** the weakest consistency models these anomalies rule out (absent when valid) */
  not?: string[];
  /** the other models they rule out */
  alsoNot?: string[];
  /** anomaly types found that the requested models allow (they still shape `not`) */
  otherAnomalyTypes?: string[];
  /** "G2-item (1), lost-update (1); not cursor-stability, update-atomic" */
  reason?: string;
  consistencyModels: string[];
  txns: number;
  edges: number;
  /** non-trivial strongly connected components of the dependency graph, and the largest one's size */
  sccs: number;
  largestScc: number;
  /** the history could not be analysed (e.g. duplicate appends): then valid is "unknown" */
  error?: string;
  [detail: string]: unknown;
}
