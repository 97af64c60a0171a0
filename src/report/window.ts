// Which slice of a long run the timeline shows in detail: all of it, the anomaly's surroundings, or the
// densest stretch. Pure; works on op invoke times sorted ascending.

export type WindowReason = 'all' | 'anomaly' | 'densest';

export interface TimeWindow {
  start: number;
  end: number;
  reason: WindowReason;
}

export interface WindowOptions {
  /** up to this many ops the whole run is drawn (default 3000) */
  maxOps?: number;
  /** ops to show around an anomaly / in the densest window (default 1200) */
  detailOps?: number;
}

/** Index range [i, i + n) of n consecutive sorted times with the smallest span (the densest), n ≤ length. */
export function densestRun(times: readonly number[], n: number): [number, number] {
  const len = times.length;
  if (n >= len) return [0, len];
  let best = 0;
  let bestSpan = Infinity;
  for (let i = 0; i + n <= len; i++) {
    const span = (times[i + n - 1] as number) - (times[i] as number);
    if (span < bestSpan) {
      bestSpan = span;
      best = i;
    }
  }
  return [best, best + n];
}

/** Smallest index with times[i] >= t (times sorted ascending). */
export function lowerBound(times: readonly number[], t: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((times[mid] as number) < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Choose the detail window. `invokes`: op invoke times sorted ascending; `runEnd`: end of the run (ns);
 * `focus`: [from, to] times of the ops an anomaly names, if any.
 * Short runs (≤ maxOps ops): the whole run. Otherwise about detailOps ops centred on the anomaly
 * (widened to contain all of it), or the densest stretch of detailOps ops when there is no anomaly.
 */
export function chooseWindow(invokes: readonly number[], runStart: number, runEnd: number, focus: [number, number] | null, opts: WindowOptions = {}): TimeWindow {
  const maxOps = opts.maxOps ?? 3000;
  const detail = Math.max(1, opts.detailOps ?? 1200);
  const n = invokes.length;
  if (n <= maxOps) return { start: runStart, end: runEnd, reason: 'all' };
  if (focus) {
    const a = lowerBound(invokes, focus[0]);
    const b = Math.max(a + 1, lowerBound(invokes, focus[1] + 1));
    const extra = Math.max(0, detail - (b - a));
    let i = Math.max(0, a - Math.floor(extra / 2));
    const j = Math.min(n, Math.max(b, i + (b - a) + extra));
    i = Math.max(0, Math.min(i, j - Math.max(detail, b - a)));
    const start = Math.min(invokes[i] as number, focus[0]);
    const end = Math.max(invokes[j - 1] as number, focus[1]);
    return { start, end: end > start ? end : start + 1, reason: 'anomaly' };
  }
  const [i, j] = densestRun(invokes, detail);
  const start = invokes[i] as number;
  const end = invokes[j - 1] as number;
  return { start, end: end > start ? end : start + 1, reason: 'densest' };
}

/** Detail panels at most (clusters closer together are merged until there are this many). */
export const MAX_PANELS = 4;

/**
 * Group anomaly spans (each [from, to] in ns) into clusters: spans closer than `gap` ns join one cluster;
 * then the closest neighbours merge until at most `max` clusters remain. Pure; spans in any order.
 */
export function clusterSpans(spans: ReadonlyArray<readonly [number, number]>, gap: number, max = MAX_PANELS): Array<[number, number]> {
  const sorted = [...spans].map(([a, b]) => [Math.min(a, b), Math.max(a, b)] as [number, number]).sort((p, q) => p[0] - q[0]);
  const out: Array<[number, number]> = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && s[0] - last[1] <= gap) last[1] = Math.max(last[1], s[1]);
    else out.push([s[0], s[1]]);
  }
  while (out.length > Math.max(1, max)) {
    let best = 0;
    for (let i = 1; i + 1 < out.length; i++) {
      if ((out[i + 1] as [number, number])[0] - (out[i] as [number, number])[1] < (out[best + 1] as [number, number])[0] - (out[best] as [number, number])[1]) best = i;
    }
    const [a, b] = [out[best] as [number, number], out[best + 1] as [number, number]];
    out.splice(best, 2, [a[0], Math.max(a[1], b[1])]);
  }
  return out;
}

/**
 * The detail windows of a timeline: the whole run when it is short (≤ maxOps ops); else one window per
 * anomaly cluster (each about detailOps / clusters ops, widened to hold all of its cluster; overlapping
 * windows merged), or the densest stretch when there is no anomaly. Every anomaly span lies inside a window.
 */
export function chooseWindows(
  invokes: readonly number[],
  runStart: number,
  runEnd: number,
  spans: ReadonlyArray<readonly [number, number]>,
  opts: WindowOptions & { maxPanels?: number } = {},
): TimeWindow[] {
  const maxOps = opts.maxOps ?? 3000;
  if (invokes.length <= maxOps) return [{ start: runStart, end: runEnd, reason: 'all' }];
  if (spans.length === 0) return [chooseWindow(invokes, runStart, runEnd, null, { ...opts, maxOps: 0 })];
  const gap = Math.max(2e9, (runEnd - runStart) / 20);
  const clusters = clusterSpans(spans, gap, opts.maxPanels ?? MAX_PANELS);
  const detail = Math.max(200, Math.floor((opts.detailOps ?? 1200) / clusters.length));
  const windows = clusters.map((c) => chooseWindow(invokes, runStart, runEnd, c, { maxOps: 0, detailOps: detail }));
  const merged: TimeWindow[] = [];
  for (const w of windows.sort((a, b) => a.start - b.start)) {
    const last = merged[merged.length - 1];
    if (last && w.start <= last.end) last.end = Math.max(last.end, w.end);
    else merged.push({ ...w });
  }
  return merged;
}
