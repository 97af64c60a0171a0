// latency.svg: each completed op as a point (completion − invoke, log scale) over time, one panel per f,
// coloured by outcome, with nemesis bands, and lines of the p50 / p95 / p99 of acknowledged ops per time
// bucket over the points (Jepsen's latency-quantiles). Pure data functions + a thin renderer.
import * as d3 from 'd3';
import type { CompletionType, Op } from '../history/types.js';
import { MUTED, OUTCOME_COLORS, OUTCOME_LABELS } from './colors.js';
import type { NemesisLayout } from './nemesis.js';
import { bucketWidth, logDomain, NS_PER_MS, NS_PER_S, timeScale } from './scales.js';
import { asCall, attrSafe, emptyChart, faultLegend, legend, nemesisBands, newFrame, type Sel, svgText, timeAxis } from './svg.js';

/** The quantiles drawn as lines, and their colours (dark, so they read over the points). */
export const QUANTILES: ReadonlyArray<{ q: number; name: string; color: string }> = [
  { q: 0.5, name: 'p50', color: '#1f3b73' },
  { q: 0.95, name: 'p95', color: '#7a2e8a' },
  { q: 0.99, name: 'p99', color: '#111111' },
];

export interface QuantileBucket {
  /** bucket middle, ns */
  time: number;
  count: number;
  /** ms, in QUANTILES order */
  values: number[];
}

/**
 * Per f, the QUANTILES of ok ops' latencies in time buckets (by invoke time, bucketWidth of the run's length),
 * computed from every ok op (not the thinned points). Buckets without an ok op are left out, so a line breaks
 * where nothing was acknowledged.
 */
export function latencyQuantiles(ops: readonly Op[], start: number, end: number): Map<string, QuantileBucket[]> {
  const width = bucketWidth(end - start);
  const byF = new Map<string, Map<number, number[]>>();
  for (const op of ops) {
    if (op.type !== 'ok' || op.completeTime === null) continue;
    const b = Math.floor((op.invokeTime - start) / width);
    let buckets = byF.get(op.f);
    if (!buckets) byF.set(op.f, (buckets = new Map()));
    const list = buckets.get(b) ?? [];
    list.push((op.completeTime - op.invokeTime) / NS_PER_MS);
    buckets.set(b, list);
  }
  const out = new Map<string, QuantileBucket[]>();
  for (const [f, buckets] of byF) {
    const series = [...buckets.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([b, ms]) => {
        const sorted = ms.sort((x, y) => x - y);
        return { time: Math.min(end, Math.max(start, start + (b + 0.5) * width)), count: sorted.length, values: QUANTILES.map(({ q }) => Math.max(1e-3, d3.quantileSorted(sorted, q) ?? 0)) };
      });
    out.set(f, series);
  }
  return out;
}

export interface LatencyPoint {
  f: string;
  type: CompletionType;
  /** invoke time, ns */
  time: number;
  ms: number;
}

/**
 * Points for completed ops (never-completed ops have no latency). Above `maxPoints`, ok points are thinned
 * with a fixed stride (fail and info points are always kept), so the file stays small.
 */
export function latencyPoints(ops: readonly Op[], maxPoints = 20000): LatencyPoint[] {
  const all: LatencyPoint[] = [];
  for (const op of ops) {
    if (op.completeTime === null) continue;
    all.push({ f: op.f, type: op.type, time: op.invokeTime, ms: Math.max(1e-3, (op.completeTime - op.invokeTime) / NS_PER_MS) });
  }
  if (all.length <= maxPoints) return all;
  const rare = all.filter((p) => p.type !== 'ok');
  const ok = all.filter((p) => p.type === 'ok');
  const budget = Math.max(1, maxPoints - rare.length);
  const stride = Math.ceil(ok.length / budget);
  return [...ok.filter((_, i) => i % stride === 0), ...rare].sort((a, b) => a.time - b.time);
}

/** The f's in a stable order: most frequent first, at most `max` (the rest are dropped from the picture). */
export function panelsByF(points: readonly LatencyPoint[], max = 6): string[] {
  const count = new Map<string, number>();
  for (const p of points) count.set(p.f, (count.get(p.f) ?? 0) + 1);
  return [...count.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, max).map(([f]) => f);
}

/** QUANTILES of one f's ok latencies (ms) over the whole run, or null without an ok op. */
export function wholeRunQuantiles(ops: readonly Op[], f: string): number[] | null {
  const ms = ops.filter((o) => o.f === f && o.type === 'ok' && o.completeTime !== null).map((o) => ((o.completeTime as number) - o.invokeTime) / NS_PER_MS);
  if (ms.length === 0) return null;
  ms.sort((a, b) => a - b);
  return QUANTILES.map(({ q }) => d3.quantileSorted(ms, q) ?? 0);
}

export interface LatencyInput {
  ops: readonly Op[];
  nemesis: NemesisLayout;
  start: number;
  end: number;
  width?: number;
}

export function renderLatency(input: LatencyInput): string {
  const points = latencyPoints(input.ops);
  if (points.length === 0) return emptyChart('latency', 'Latency', 'no completed operations');
  const fs = panelsByF(points);
  const panelH = 130;
  const gap = 26;
  const width = input.width ?? 1100;
  const margin = { top: 64, right: 150, bottom: 44, left: 64 };
  const height = margin.top + fs.length * (panelH + gap) + margin.bottom;
  const quantiles = latencyQuantiles(input.ops, input.start, input.end);
  const wholeRun = new Map(fs.map((name) => [name, wholeRunQuantiles(input.ops, name)] as const));
  const bucketS = bucketWidth(input.end - input.start) / NS_PER_S;
  const f = newFrame('latency', width, height, margin, `Latency per operation (log scale); lines: quantiles of ok ops per ${bucketS} s`);
  legend(
    f.svg,
    [
      ...(['ok', 'fail', 'info'] as const).map((t) => ({ label: OUTCOME_LABELS[t], color: OUTCOME_COLORS[t], shape: 'circle' as const })),
      ...QUANTILES.map((q) => ({ label: q.name, color: q.color, shape: 'line' as const })),
      ...faultLegend(input.nemesis),
    ],
    margin.left,
    38,
  );
  const x = timeScale([input.start, input.end], [0, f.innerWidth]);
  const nsx = (ns: number): number => x(ns / 1e9);
  const y = d3.scaleLog().domain(logDomain(points.map((p) => p.ms))).range([panelH, 0]).clamp(true);
  fs.forEach((name, i) => {
    const g = f.plot.append('g').attr('class', 'panel').attr('data-f', attrSafe(name)).attr('transform', `translate(0,${i * (panelH + gap)})`) as unknown as Sel;
    nemesisBands(g, input.nemesis, { x: nsx, top: 0, bottom: panelH, labels: i === 0, clip: [0, f.innerWidth] });
    for (const t of y.ticks(4).filter((v) => Number.isInteger(Math.round(Math.log10(v) * 1e6) / 1e6))) {
      g.append('line').attr('x1', 0).attr('x2', f.innerWidth).attr('y1', y(t)).attr('y2', y(t)).attr('stroke', '#eee');
    }
    (g.append('g').attr('class', 'y-axis') as unknown as Sel).call(asCall(d3.axisLeft(y).ticks(4, '~g')));
    g.append('text').attr('x', f.innerWidth + 8).attr('y', 14).attr('font-weight', 600).text(name);
    g.append('text').attr('x', f.innerWidth + 8).attr('y', 30).attr('fill', MUTED).text('latency (ms)');
    const dots = g.append('g').attr('class', 'points');
    for (const p of points) {
      if (p.f !== name) continue;
      dots.append('circle').attr('cx', nsx(p.time)).attr('cy', y(p.ms)).attr('r', p.type === 'ok' ? 1.6 : 2.4).attr('fill', OUTCOME_COLORS[p.type]).attr('fill-opacity', 0.8);
    }
    const qs = quantiles.get(name) ?? [];
    // a bucket with no acknowledged op breaks the lines
    const pts: Array<QuantileBucket | null> = [];
    qs.forEach((b, j) => {
      if (j > 0 && b.time - (qs[j - 1] as QuantileBucket).time > 1.5 * bucketS * NS_PER_S) pts.push(null);
      pts.push(b);
    });
    const whole = wholeRun.get(name);
    const lines = g.append('g').attr('class', 'quantiles');
    QUANTILES.forEach((q, k) => {
      const path = d3
        .line<QuantileBucket | null>()
        .defined((b) => b !== null)
        .x((b) => nsx((b as QuantileBucket).time))
        .y((b) => y((b as QuantileBucket).values[k] as number))
        .curve(d3.curveMonotoneX);
      lines
        .append('path')
        .attr('class', `quantile ${q.name}`)
        .attr('d', path(pts) ?? '')
        .attr('fill', 'none')
        .attr('stroke', q.color)
        .attr('stroke-width', q.name === 'p50' ? 1.8 : 1.4)
        .attr('stroke-opacity', 0.9);
      if (whole) lines.append('text').attr('x', f.innerWidth + 8).attr('y', 54 + k * 14).attr('fill', q.color).attr('font-size', 10).text(`${q.name} ${d3.format('.3~g')(whole[k] as number)} ms (run)`);
    });
    if (i === fs.length - 1) timeAxis(g, x, panelH);
    else (g.append('g').attr('transform', `translate(0,${panelH})`) as unknown as Sel).call(asCall(d3.axisBottom(x).ticks(10).tickFormat(() => '')));
  });
  return svgText(f);
}
