// Scales and numeric helpers shared by the plots: ns → s, time domains, log latency domains, buckets. Pure.
import * as d3 from 'd3';

export const NS_PER_S = 1e9;
export const NS_PER_MS = 1e6;

export const toSeconds = (ns: number): number => ns / NS_PER_S;

/** A time domain [t0, t1] in ns covering all given times, never empty (at least 1 ms wide). */
export function timeDomain(times: Iterable<number>): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const t of times) {
    if (!Number.isFinite(t)) continue;
    if (t < lo) lo = t;
    if (t > hi) hi = t;
  }
  if (!Number.isFinite(lo)) return [0, NS_PER_S];
  if (hi - lo < NS_PER_MS) hi = lo + NS_PER_MS;
  return [lo, hi];
}

/** Linear x scale from ns to pixels, with the domain in seconds for tick labels. */
export function timeScale(domainNs: [number, number], range: [number, number]): d3.ScaleLinear<number, number> {
  return d3.scaleLinear().domain([toSeconds(domainNs[0]), toSeconds(domainNs[1])]).range(range);
}

/** A log domain [lo, hi] for positive values (latencies in ms): padded to whole decades, never degenerate. */
export function logDomain(values: Iterable<number>): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!(v > 0) || !Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!Number.isFinite(lo)) return [0.1, 1000];
  const a = 10 ** Math.floor(Math.log10(lo));
  let b = 10 ** Math.ceil(Math.log10(hi));
  if (b <= a) b = a * 10;
  return [a, b];
}

/** Bucket width (ns) for rate plots: 1 s while the run has at most `maxBuckets` seconds, else a nice multiple. */
export function bucketWidth(durationNs: number, maxBuckets = 300): number {
  const seconds = Math.max(1, durationNs / NS_PER_S);
  if (seconds <= maxBuckets) return NS_PER_S;
  const raw = seconds / maxBuckets;
  const nice = [2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600].find((n) => n >= raw) ?? Math.ceil(raw / 3600) * 3600;
  return nice * NS_PER_S;
}

/** "1.5 s", "320 ms", "12 µs": a duration in ns for labels. */
export function formatDuration(ns: number): string {
  const abs = Math.abs(ns);
  if (abs >= NS_PER_S) return `${+(ns / NS_PER_S).toPrecision(3)} s`;
  if (abs >= NS_PER_MS) return `${+(ns / NS_PER_MS).toPrecision(3)} ms`;
  return `${+(ns / 1e3).toPrecision(3)} µs`;
}

/** Clamp v into [lo, hi]. */
export function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}
