// One line per notable finding of a run, for the terminal and the report headline.
import type { CheckResult } from '../../checkers/types.js';
import type { ErrorKind } from '../../checkers/stats.js';
import type { RunResults } from './results.js';

/**
 * Error kinds behind fail / info, one line each: what the clients were told. Unknown outcomes (info) come
 * first, then the most frequent failures: a routine failure (a cas that did not match) must not hide them.
 */
const SUMMARY_ERROR_KINDS = 3;

function verdictWord(v: CheckResult['valid']): string {
  return v === true ? 'valid' : v === false ? 'INVALID' : 'UNKNOWN';
}

export function summarize(results: RunResults, workload: string): string[] {
  const lines: string[] = [`verdict: ${verdictWord(results.valid)} (${workload} workload)`];
  for (const [name, r] of Object.entries(results.checkers)) {
    if (name === 'stats' || name === 'retries' || name === 'latency') continue;
    const why = typeof r.reason === 'string' ? ` — ${r.reason}` : typeof r.error === 'string' ? ` — ${r.error}` : warningOf(r.warnings);
    lines.push(`${name}: ${verdictWord(r.valid)}${why}`);
  }
  const stats = results.checkers.stats as { count?: number; ok?: number; fail?: number; info?: number } | undefined;
  if (stats && typeof stats.count === 'number') {
    lines.push(`ops: ${stats.count} (${stats.ok} ok, ${stats.fail} fail, ${stats.info} info = unknown outcome)`);
  }
  lines.push(...errorLines(results.checkers.stats?.errors));
  for (const [f, ok] of writeLatencies(results)) lines.push(`${f} latency (ok): p50 ${ok.p50} ms, p99 ${ok.p99} ms over ${ok.count} ops`);
  const retries = results.checkers.retries as { retries?: number; retriesOk?: number; rerouted?: number } | undefined;
  if (retries && (retries.retries ?? 0) > 0) {
    lines.push(`retries: ${retries.retries}, of which ${retries.retriesOk} ok; ${retries.rerouted} went to another node`);
  }
  return lines;
}

export interface LatencySummary {
  p50: number;
  p99: number;
  count: number;
}

/** The acknowledged-op latency of each write f (not read / get), in the latency checker's order. */
export function writeLatencies(results: RunResults): Array<[string, LatencySummary]> {
  const byF = (results.checkers.latency as { byF?: Record<string, { ok?: LatencySummary }> } | undefined)?.byF ?? {};
  return Object.entries(byF).flatMap(([f, by]): Array<[string, LatencySummary]> => (f !== 'read' && f !== 'get' && by.ok ? [[f, by.ok]] : []));
}

function errorLines(errors: unknown): string[] {
  if (!Array.isArray(errors)) return [];
  const infoFirst = [...(errors as ErrorKind[])].sort((a, b) => (a.type === b.type ? b.count - a.count : a.type === 'info' ? -1 : 1));
  return infoFirst.slice(0, SUMMARY_ERROR_KINDS).map((e) => {
    const nodes = Object.keys(e.nodes).sort().join(', ');
    return `${e.f} ${e.type} ×${e.count} (${nodes}): ${e.error}`;
  });
}

/** A checker without a reason but with warnings: the first one, and how many more. */
function warningOf(warnings: unknown): string {
  if (!Array.isArray(warnings) || warnings.length === 0) return '';
  const more = warnings.length > 1 ? ` (+${warnings.length - 1} more in results.json)` : '';
  return ` — warning: ${String(warnings[0])}${more}`;
}
