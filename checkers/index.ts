// Registry of checkers by model name for `faultline check --model` (bare histories; a run is judged by its
// workload's suite, checkers/suite.ts): which checkers judge a history of that model,
// and how to tell an op the model cannot interpret (bad input, exit 65) from an anomaly.
import type { Op } from '../src/history/types.js';
import { compose } from './compose.js';
import { counterChecker, counterOpProblem } from './counter.js';
import { checkLinearizability } from './linearizability.js';
import { withAnomalies } from './linearizability-explain.js';
import { getModel, ModelOpError, type ModelName } from './models.js';
import { setChecker, setOpProblem } from './set.js';
import { statsChecker } from './stats.js';
import type { TxnModel, TxnOptions } from './txn/index.js';
import type { Checker } from './types.js';

/** Models `faultline check --model` accepts, in help order. */
export const CHECK_MODELS = ['register', 'cas-register', 'counter', 'set', 'kv', 'list-append', 'rw-register'] as const satisfies readonly (ModelName | TxnModel)[];
export type CheckModel = (typeof CHECK_MODELS)[number];

export function isCheckModel(name: string): name is CheckModel {
  return (CHECK_MODELS as readonly string[]).includes(name);
}

export interface CheckerOptions {
  /** counter / set: also run the linearizability (WGL) checker with that model */
  linearizable?: boolean;
  /** list-append / rw-register: consistency models, anomalies, version-order sources */
  txn?: TxnOptions;
}

function isTxnModel(name: CheckModel): name is TxnModel {
  return name === 'list-append' || name === 'rw-register';
}

/** A txn checker's result with the op statistics beside it (not composed: its anomalyTypes stay on top, as in Elle). */
function withStats(checker: Checker): Checker {
  return (history, ctx) => ({ ...checker(history, ctx), stats: statsChecker(history, ctx) });
}

/** What an ill-typed op was expected to be, and which of its events is at fault; null when fine. */
export type OpProblem = (op: Op) => { what: string; at: 'invoke' | 'completion' } | null;

/** Lift a message-only check: problems with an ok read's value are the completion's, others the invoke's. */
function located(check: (op: Op) => string | null, isRead: (op: Op) => boolean): OpProblem {
  return (op) => {
    const what = check(op);
    return what === null ? null : { what, at: op.type === 'ok' && isRead(op) ? 'completion' : 'invoke' };
  };
}

/** The WGL checker of a model, with its anomaly as data (its reason is rendered by the command line, which knows the time limit). */
function linearizable(name: ModelName): Checker {
  const model = getModel(name);
  return (history, ctx) => withAnomalies(checkLinearizability(history, model, ctx));
}

/** The transactional checker's modules, loaded on first use (most checks never need them: start-up stays small). */
const txnModule = (): Promise<typeof import('./txn/index.js')> => import('./txn/index.js');

/** The composed checker for a model: the model's own checker(s) plus stats. */
export async function checkerFor(name: CheckModel, options: CheckerOptions = {}): Promise<Checker> {
  if (isTxnModel(name)) return withStats((await txnModule()).txnChecker(name, options.txn));
  switch (name) {
    case 'counter':
      return compose({ counter: counterChecker, ...(options.linearizable ? { linearizable: linearizable(name) } : {}), stats: statsChecker });
    case 'set':
      return compose({ set: setChecker, ...(options.linearizable ? { linearizable: linearizable(name) } : {}), stats: statsChecker });
    default:
      return compose({ linearizable: linearizable(name), stats: statsChecker });
  }
}

function fOf(name: string, allowed: readonly string[]): OpProblem {
  return (op) =>
    allowed.includes(op.f)
      ? null
      : { what: `expected "f" of a ${name} op to be one of ${allowed.join(', ')}; got ${JSON.stringify(op.f)}`, at: 'invoke' };
}

const isReadF = (op: Op): boolean => op.f === 'read';

/** Ops the linearizability model would reject (its checks do not depend on the state, so init() suffices). */
function modelProblem(name: ModelName): OpProblem {
  const model = getModel(name);
  const init = model.init();
  return located((op) => {
    if (op.type === 'fail') return null;
    try {
      model.step(init, op);
      return null;
    } catch (err) {
      if (!(err instanceof ModelOpError)) throw err;
      const at = err.message.indexOf('): ');
      return `expected an op the ${name} model can interpret; got ${JSON.stringify(op.f)}: ${at >= 0 ? err.message.slice(at + 3) : err.message}`;
    }
  }, (op) => model.isRead(op));
}

function all(...checks: OpProblem[]): OpProblem {
  return (op) => {
    for (const c of checks) {
      const p = c(op);
      if (p !== null) return p;
    }
    return null;
  };
}

/** The input check for a model's ops (run before checking, so bad values are reported with file:line). */
export async function opProblemFor(name: CheckModel, options: CheckerOptions = {}): Promise<OpProblem> {
  if (isTxnModel(name)) {
    const { txnOpProblem, uniqueWritesProblem } = await txnModule();
    const unique = uniqueWritesProblem(name); // stateful: one per history
    return (op) => txnOpProblem(name, op) ?? unique(op);
  }
  switch (name) {
    case 'counter':
      return all(fOf(name, ['add', 'read']), located(counterOpProblem, isReadF), ...(options.linearizable ? [modelProblem(name)] : []));
    case 'set':
      return all(fOf(name, ['add', 'read']), located(setOpProblem, isReadF), ...(options.linearizable ? [modelProblem(name)] : []));
    default:
      return modelProblem(name);
  }
}
