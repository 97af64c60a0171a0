// Latency: percentiles of op latency (invoke → completion) per f and outcome, in milliseconds.
// Informational (always valid): it answers "what does synchronous replication cost against one node?".
import type { PairedHistory } from '../src/history/types.js';
import type { CheckResult } from './types.js';

export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentile of sorted values. */
function pct(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

export function summarizeLatencies(ms: number[]): LatencySummary {
  const s = [...ms].sort((a, b) => a - b);
  const round = (x: number): number => Math.round(x * 1000) / 1000;
  const sum = s.reduce((a, b) => a + b, 0);
  return {
    count: s.length,
    p50: round(pct(s, 50)),
    p90: round(pct(s, 90)),
    p99: round(pct(s, 99)),
    max: round(s.length ? s[s.length - 1] : 0),
    mean: round(s.length ? sum / s.length : 0),
  };
}

/** Per f, latency of completed ops by outcome (never-completed ops have no latency and are left out). */
/** The latency checker's result (informational: always valid): per f, per outcome, in ms. */
export interface LatencyResult extends CheckResult {
  valid: true;
  unit: 'ms';
  byF: Record<string, Partial<Record<'ok' | 'fail' | 'info', LatencySummary>>>;
}

export function latencyChecker(history: PairedHistory): LatencyResult {
  const groups = new Map<string, number[]>();
  for (const op of history.ops) {
    if (op.completeTime === null) continue;
    const k = `${op.f} ${op.type}`;
    let g = groups.get(k);
    if (!g) groups.set(k, (g = []));
    g.push((op.completeTime - op.invokeTime) / 1e6);
  }
  const byF: LatencyResult['byF'] = {};
  for (const [k, ms] of [...groups.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const [f, type] = k.split(' ');
    (byF[f] ??= {})[type as 'ok' | 'fail' | 'info'] = summarizeLatencies(ms);
  }
  return { valid: true, unit: 'ms', byF };
}
