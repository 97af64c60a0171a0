// One line per notable finding of a run, for the terminal and the report headline: rendered from the typed
// results (each checker's reason is itself rendered from its data by the checker's explain function).
import type { ErrorKind } from '../../checkers/stats.js';
import { resultOf } from '../../checkers/suite.js';
import type { CheckResult } from '../../checkers/types.js';
import type { RunResults } from '../store/index.js';

/**
 * Error kinds behind fail / info, one line each: what the clients were told. Unknown outcomes (info) come
 * first, then the most frequent failures: a routine failure (a cas that did not match) must not hide them.
 */
const SUMMARY_ERROR_KINDS = 3;

/** Checkers summed up in lines of their own (counts, latency, retries) rather than a verdict line. */
const INFORMATIONAL = new Set(['stats', 'retries', 'latency']);

function verdictWord(v: CheckResult['valid']): string {
  return v === true ? 'valid' : v === false ? 'INVALID' : 'UNKNOWN';
}

export function summarize(results: RunResults, workload: string): string[] {
  const lines: string[] = [`verdict: ${verdictWord(results.valid)} (${workload} workload)`];
  for (const [name, r] of Object.entries(results.checkers)) {
    if (INFORMATIONAL.has(name) || r === undefined) continue;
    const why = r.reason !== undefined ? ` — ${r.reason}` : r.error !== undefined ? ` — ${r.error}` : warningOf(r.warnings);
    lines.push(`${name}: ${verdictWord(r.valid)}${why}`);
  }
  const stats = resultOf(results.checkers, 'stats');
  if (stats) lines.push(`ops: ${stats.count} (${stats.ok} ok, ${stats.fail} fail, ${stats.info} info = unknown outcome)`);
  lines.push(...errorLines(stats?.errors ?? []));
  for (const [f, ok] of writeLatencies(results)) lines.push(`${f} latency (ok): p50 ${ok.p50} ms, p99 ${ok.p99} ms over ${ok.count} ops`);
  const retries = resultOf(results.checkers, 'retries');
  if (retries && retries.retries > 0) {
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
  const byF = resultOf(results.checkers, 'latency')?.byF ?? {};
  return Object.entries(byF).flatMap(([f, by]): Array<[string, LatencySummary]> => (f !== 'read' && f !== 'get' && by.ok ? [[f, by.ok]] : []));
}

function errorLines(errors: readonly ErrorKind[]): string[] {
  const infoFirst = [...errors].sort((a, b) => (a.type === b.type ? b.count - a.count : a.type === 'info' ? -1 : 1));
  return infoFirst.slice(0, SUMMARY_ERROR_KINDS).map((e) => {
    const nodes = Object.keys(e.nodes).sort().join(', ');
    return `${e.f} ${e.type} ×${e.count} (${nodes}): ${e.error}`;
  });
}

/** A checker without a reason but with warnings: the first one, and how many more. */
function warningOf(warnings: readonly string[] | undefined): string {
  if (!warnings || warnings.length === 0) return '';
  const more = warnings.length > 1 ? ` (+${warnings.length - 1} more in results.json)` : '';
  return ` — warning: ${String(warnings[0])}${more}`;
}
