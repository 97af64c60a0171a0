// The linearizability result as data consumers read (one `nonlinearizable` anomaly naming the op that could not
// be placed) and in words, rendered from the result apart from the search (checkers/linearizability.ts). Pure.
import { explained, type Explanation } from './explain.js';
import { checkLinearizability, type LinearizabilityResult } from './linearizability.js';
import type { Anomaly, Checker, Model } from './types.js';

/** data of a nonlinearizable anomaly: the op the search could not place, after how many linearized ops, in which states. */
export interface NonlinearizableData {
  /** the model's description of the op, e.g. "p3 write 5" */
  op: string;
  prefixLength: number;
  states: string[];
  [extra: string]: string | number | string[];
}

/** The anomaly of a linearizability result (none when it found none). */
export function linearizabilityAnomalies(r: LinearizabilityResult): Anomaly<'nonlinearizable', NonlinearizableData>[] {
  const a = r.anomaly;
  if (!a) return [];
  const out: Anomaly<'nonlinearizable', NonlinearizableData> = {
    type: 'nonlinearizable',
    ops: [a.op.invokeIndex],
    data: { op: a.op.text, prefixLength: a.prefixLength, states: a.states },
  };
  if (a.key !== null) out.keys = [a.key];
  return [out];
}

/** Why a linearizability result is not valid, in words. */
export function explainLinearizability(r: LinearizabilityResult): Explanation {
  const a = r.anomaly;
  if (a) return { reason: `cannot linearize ${a.op.text}${a.key === null ? '' : ` (key ${JSON.stringify(a.key)})`} after ${a.prefixLength} ops` };
  if (r.valid === 'unknown') return { reason: r.unknownReason === 'state-limit' ? 'memory (state) limit reached' : 'time limit reached' };
  return {};
}

/** The result with its anomalies as data (for every consumer). */
export function withAnomalies(r: LinearizabilityResult): LinearizabilityResult {
  r.anomalies = linearizabilityAnomalies(r);
  return r;
}

/** The linearizability checker of a model under the Checker seam: anomalies as data, and its reason in words. */
export function linearizabilityChecker<S>(model: Model<S>): Checker<LinearizabilityResult> {
  return (history, ctx) => explained(withAnomalies(checkLinearizability(history, model, ctx)), explainLinearizability);
}
