// Stats checker: ok / fail / info counts per f and overall. Never invalid; warns when some f never succeeded.
import type { PairedHistory } from '../src/history/types.js';
import type { CheckResult, Checker } from './types.js';

export interface OutcomeCounts {
  count: number;
  ok: number;
  fail: number;
  info: number;
  /** info ops that never completed (included in info) */
  pending: number;
}

function zero(): OutcomeCounts {
  return { count: 0, ok: 0, fail: 0, info: 0, pending: 0 };
}

/** Count client op outcomes; nemesis events are counted apart. */
export function checkStats(history: PairedHistory): CheckResult {
  const total = zero();
  const byF: Record<string, OutcomeCounts> = {};
  for (const op of history.ops) {
    const c = (byF[op.f] ??= zero());
    for (const t of [c, total]) {
      t.count++;
      t[op.type]++;
      if (op.completeIndex === null) t.pending++;
    }
  }
  const result: CheckResult = { valid: true, ...total, byF, nemesis: history.nemesis.length };
  const warnings = Object.entries(byF)
    .filter(([, c]) => c.ok === 0)
    .map(([f, c]) => `no ${f} succeeded (${c.count} attempted: ${c.fail} failed, ${c.info} indeterminate)`);
  if (warnings.length > 0) result.warnings = warnings;
  return result;
}

/** The stats checker under the Checker seam. */
export const statsChecker: Checker = (history) => checkStats(history);
