// Linearizability checker (Wing–Gong–Lowe search with memoisation, per-key partitioning). STUB: owned by the checker work.
import type { PairedHistory } from '../src/history/types.js';
import type { CheckContext, CheckResult, Model } from './types.js';

export function checkLinearizability<S>(_history: PairedHistory, _model: Model<S>, _ctx: CheckContext = {}): CheckResult {
  throw new Error('not implemented yet');
}
