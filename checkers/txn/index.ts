// The transactional checker's API for workloads and the CLI: (PairedHistory, options) → TxnResult, per model.
import type { PairedHistory } from '../../src/history/types.js';
import type { CheckContext, Checker } from '../types.js';
import { checkTxn } from './check.js';
import type { TxnModel, TxnOptions, TxnResult } from './types.js';

export { checkTxn, DEFAULT_MODELS, historyProblem, optionProblem } from './check.js';
export { explainAnomaly, explainCycle, explainStep } from './explain.js';
export { boundary, GARBAGE_READ, isKnownAnomaly, isKnownModel, KNOWN_ANOMALIES, KNOWN_MODELS } from './lattice.js';
export { txnOpProblem, uniqueWritesProblem } from './micro-ops.js';
export type { CycleData, DepType, TxnAnomaly, TxnModel, TxnOptions, TxnResult, TxnStep, TxnView } from './types.js';

export function checkListAppend(history: PairedHistory, opts: TxnOptions = {}, ctx: CheckContext = {}): TxnResult {
  return checkTxn('list-append', history, opts, ctx);
}

export function checkRwRegister(history: PairedHistory, opts: TxnOptions = {}, ctx: CheckContext = {}): TxnResult {
  return checkTxn('rw-register', history, opts, ctx);
}

/** The checker seam: a Checker for one model with fixed options. */
export function txnChecker(model: TxnModel, opts: TxnOptions = {}): Checker {
  return (history, ctx) => checkTxn(model, history, opts, ctx);
}
