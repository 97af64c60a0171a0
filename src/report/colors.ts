// The report's colours: op outcomes, fault families, series (nodes, f's), the anomaly highlight. Pure.
// Chosen to stay distinguishable for common colour-vision deficiencies (blue/orange/vermillion first).
import type { CompletionType } from '../history/types.js';

export const OUTCOME_COLORS: Readonly<Record<CompletionType, string>> = {
  ok: '#3a9a5b',
  fail: '#d55e00',
  info: '#e6a800',
};

export const OUTCOME_LABELS: Readonly<Record<CompletionType, string>> = {
  ok: 'ok',
  fail: 'fail (no effect)',
  info: 'info (unknown)',
};

/** Outline and label colour of ops named by an anomaly. */
export const HIGHLIGHT = '#c0007a';
export const INK = '#222';
export const MUTED = '#777';
export const GRID = '#e4e4e4';

const FAMILY_COLORS: Readonly<Record<string, string>> = {
  partition: '#7b5ea7',
  kill: '#b03a2e',
  pause: '#2e6f9e',
  latency: '#8a7a1e',
  clock: '#4c8c7a',
  drop: '#7b5ea7',
  corrupt: '#6d4c41',
  failover: '#c05a00',
  switchover: '#c05a00',
  promote: '#c05a00',
  rejoin: '#2e7d5b',
};

/** Band colour of a fault family (unknown families share a neutral slate). */
export function familyColor(family: string): string {
  return FAMILY_COLORS[family] ?? '#5d6d7e';
}

const SERIES = ['#0072b2', '#e69f00', '#009e73', '#cc79a7', '#56b4e9', '#d55e00', '#7f7f7f', '#8c564b', '#17becf', '#bcbd22'];

/** The i-th categorical series colour (cycles). */
export function seriesColor(i: number): string {
  const n = SERIES.length;
  return SERIES[((i % n) + n) % n] as string;
}

/** A stable colour per name, in the order names are given (sorted for determinism). */
export function seriesColors(names: Iterable<string>): Map<string, string> {
  const sorted = [...new Set(names)].sort();
  return new Map(sorted.map((n, i) => [n, seriesColor(i)]));
}
