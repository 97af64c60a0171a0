// counter.svg: for counter workloads, the value each read returned (per node) over time against the bounds
// the acknowledged adds allow (lower: certainly applied, upper: possibly applied); out-of-bounds reads ringed.
import * as d3 from 'd3';
import type { CounterResult } from '../../checkers/counter.js';
import type { Key, Op } from '../history/types.js';
import { HIGHLIGHT, MUTED, seriesColors } from './colors.js';
import type { NemesisLayout } from './nemesis.js';
import { timeScale } from './scales.js';
import { asCall, emptyChart, legend, nemesisBands, newFrame, type Sel, svgText, timeAxis } from './svg.js';

export interface BoundPoint {
  /** ns */
  time: number;
  lower: number;
  upper: number;
}

export interface CounterRead {
  time: number;
  value: number;
  node: string;
  invokeIndex: number;
  bad: boolean;
}

/** True when ops carry keys (a keyed counter workload). */
const keyOf = (op: Op): string | null => (op.key === undefined ? null : String(op.key));

/**
 * The bounds over time, a step function (one point per change): lower counts positive deltas of ok adds from
 * their completion and negative deltas of not-failed adds from their invoke; upper the other way round.
 */
export function counterBounds(ops: readonly Op[]): BoundPoint[] {
  const steps: Array<{ time: number; dl: number; du: number }> = [];
  for (const op of ops) {
    if (op.f !== 'add' || op.type === 'fail' || typeof op.invokeValue !== 'number') continue;
    const d = op.invokeValue;
    if (d >= 0) {
      steps.push({ time: op.invokeTime, dl: 0, du: d });
      if (op.type === 'ok' && op.completeTime !== null) steps.push({ time: op.completeTime, dl: d, du: 0 });
    } else {
      steps.push({ time: op.invokeTime, dl: d, du: 0 });
      if (op.type === 'ok' && op.completeTime !== null) steps.push({ time: op.completeTime, dl: 0, du: d });
    }
  }
  steps.sort((a, b) => a.time - b.time);
  const out: BoundPoint[] = [{ time: 0, lower: 0, upper: 0 }];
  let lower = 0;
  let upper = 0;
  for (const s of steps) {
    lower += s.dl;
    upper += s.du;
    const last = out[out.length - 1] as BoundPoint;
    if (last.time === s.time) {
      last.lower = lower;
      last.upper = upper;
    } else out.push({ time: s.time, lower, upper });
  }
  return out;
}

/** The bounds in force at time t (the last step at or before t). */
export function boundsAt(bounds: readonly BoundPoint[], t: number): BoundPoint {
  let lo = 0;
  let hi = bounds.length - 1;
  if (hi < 0 || (bounds[0] as BoundPoint).time > t) return { time: t, lower: 0, upper: 0 };
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if ((bounds[mid] as BoundPoint).time <= t) lo = mid;
    else hi = mid - 1;
  }
  return bounds[lo] as BoundPoint;
}

/** A read relative to what it may return: [0, slack] is allowed (lower bound at its invoke, upper at its return). */
export interface ReadOffset {
  read: CounterRead;
  offset: number;
  slack: number;
}

export function readOffsets(reads: readonly CounterRead[], bounds: readonly BoundPoint[], ops: readonly Op[]): ReadOffset[] {
  const byInvoke = new Map(ops.map((o) => [o.invokeIndex, o]));
  return reads.map((r) => {
    const op = byInvoke.get(r.invokeIndex);
    const lower = boundsAt(bounds, op?.invokeTime ?? r.time).lower;
    const upper = boundsAt(bounds, r.time).upper;
    return { read: r, offset: r.value - lower, slack: Math.max(0, upper - lower) };
  });
}

/** ok reads with numeric values, marking those whose invoke index is in `badInvokes`. */
export function counterReads(ops: readonly Op[], badInvokes: ReadonlySet<number>): CounterRead[] {
  const out: CounterRead[] = [];
  for (const op of ops) {
    if (op.f !== 'read' || op.type !== 'ok' || typeof op.value !== 'number' || op.completeTime === null) continue;
    out.push({ time: op.completeTime, value: op.value, node: op.node ?? '?', invokeIndex: op.invokeIndex, bad: badInvokes.has(op.invokeIndex) });
  }
  return out;
}

/** Invoke indexes of the reads the counter checker reported out of bounds (its read-out-of-bounds anomalies), and their keys. */
export function counterErrors(counter: CounterResult | null | undefined): { invokes: Set<number>; keys: Set<string> } {
  const invokes = new Set<number>();
  const keys = new Set<string>();
  for (const a of counter?.anomalies ?? []) {
    if (a.type !== 'read-out-of-bounds') continue;
    for (const i of a.ops) invokes.add(i);
    for (const k of a.keys ?? []) keys.add(String(k));
  }
  return { invokes, keys };
}

export interface CounterInput {
  ops: readonly Op[];
  nemesis: NemesisLayout;
  start: number;
  end: number;
  /** results.checkers.counter, for the out-of-bounds reads */
  counter: CounterResult | null | undefined;
  width?: number;
}

/** The key to draw for keyed counters: the first with an error, else the busiest. */
export function counterKey(ops: readonly Op[], errorKeys: ReadonlySet<string>): Key | null {
  const count = new Map<string, number>();
  for (const op of ops) {
    const k = keyOf(op);
    if (k !== null) count.set(k, (count.get(k) ?? 0) + 1);
  }
  if (count.size === 0) return null;
  for (const k of errorKeys) if (count.has(k)) return k;
  return [...count.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0] ?? null;
}

export function renderCounter(input: CounterInput): string {
  const errs = counterErrors(input.counter);
  const key = counterKey(input.ops, errs.keys);
  const ops = key === null ? input.ops : input.ops.filter((o) => keyOf(o) === String(key));
  const bounds = counterBounds(ops);
  const reads = counterReads(ops, errs.invokes);
  if (reads.length === 0 && bounds.length <= 1) return emptyChart('counter', 'Counter reads', 'no counter adds or reads');
  const width = input.width ?? 1100;
  const margin = { top: 64, right: 150, bottom: 44, left: 64 };
  const title = `Counter reads against the acknowledged bounds${key === null ? '' : ` (key ${key})`}`;
  const panel2 = 170;
  const f = newFrame('counter', width, 360 + panel2, { ...margin, bottom: margin.bottom + panel2 }, title);
  const nodes = seriesColors(reads.map((r) => r.node));
  legend(
    f.svg,
    [
      { label: 'lower bound (acknowledged)', color: '#444', shape: 'line' },
      { label: 'upper bound (possibly applied)', color: '#999', shape: 'line' },
      ...[...nodes].map(([n, c]) => ({ label: `read on ${n}`, color: c, shape: 'circle' as const })),
      { label: 'out of bounds', color: HIGHLIGHT, shape: 'outline' },
    ],
    margin.left,
    38,
  );
  const x = timeScale([input.start, input.end], [0, f.innerWidth]);
  const nsx = (ns: number): number => x(ns / 1e9);
  const last = bounds[bounds.length - 1] as BoundPoint;
  const all = [...reads.map((r) => r.value), ...bounds.flatMap((b) => [b.lower, b.upper])];
  const y = d3
    .scaleLinear()
    .domain([Math.min(0, d3.min(all) ?? 0), Math.max(1, d3.max(all) ?? 1)])
    .nice()
    .range([f.innerHeight, 0]);
  nemesisBands(f.plot, input.nemesis, { x: nsx, top: 0, bottom: f.innerHeight, clip: [0, f.innerWidth] });
  timeAxis(f.plot, x, f.innerHeight);
  (f.plot.append('g').attr('class', 'y-axis') as unknown as Sel).call(asCall(d3.axisLeft(y).ticks(6)));
  f.plot.append('text').attr('x', f.innerWidth + 8).attr('y', 12).attr('fill', MUTED).text('counter value');
  const ext = [...bounds, { ...last, time: input.end }];
  const area = d3
    .area<BoundPoint>()
    .x((b) => nsx(b.time))
    .y0((b) => y(b.lower))
    .y1((b) => y(b.upper))
    .curve(d3.curveStepAfter);
  f.plot.append('path').attr('class', 'bounds-area').attr('d', area(ext) ?? '').attr('fill', '#888').attr('fill-opacity', 0.12);
  for (const [k, color] of [['lower', '#444'], ['upper', '#999']] as const) {
    const line = d3
      .line<BoundPoint>()
      .x((b) => nsx(b.time))
      .y((b) => y(b[k]))
      .curve(d3.curveStepAfter);
    f.plot.append('path').attr('class', `bound ${k}`).attr('d', line(ext) ?? '').attr('fill', 'none').attr('stroke', color).attr('stroke-width', 1.5);
  }
  const dots = f.plot.append('g').attr('class', 'reads');
  for (const r of reads) {
    const c = dots
      .append('circle')
      .attr('class', r.bad ? 'read bad' : 'read')
      .attr('cx', nsx(r.time))
      .attr('cy', y(r.value))
      .attr('r', r.bad ? 4 : 2.5)
      .attr('fill', nodes.get(r.node) ?? '#000');
    c.append('title').text(`read ${r.value} on ${r.node} (#${r.invokeIndex})`);
  }
  for (const r of reads.filter((q) => q.bad).slice(0, 20)) {
    dots.append('circle').attr('class', 'anomaly-outline').attr('cx', nsx(r.time)).attr('cy', y(r.value)).attr('r', 8).attr('fill', 'none').attr('stroke', HIGHLIGHT).attr('stroke-width', 2);
    dots
      .append('text')
      .attr('x', nsx(r.time) + 10)
      .attr('y', y(r.value) + 4)
      .attr('fill', HIGHLIGHT)
      .attr('font-weight', 600)
      .text(`read ${r.value} on ${r.node}`);
  }
  drawOffsets(f.plot.append('g').attr('class', 'offsets').attr('transform', `translate(0,${f.innerHeight + 50})`) as unknown as Sel, readOffsets(reads, bounds, ops), nsx, f.innerWidth, panel2 - 60, nodes, input.nemesis);
  return svgText(f);
}

/** Second panel: each read minus the lower bound at its invoke, against its allowed range [0, slack]. */
function drawOffsets(g: Sel, offs: readonly ReadOffset[], nsx: (ns: number) => number, width: number, height: number, nodes: Map<string, string>, nemesis: NemesisLayout): void {
  const lo = Math.min(0, d3.min(offs, (o) => o.offset) ?? 0);
  const hi = Math.max(1, d3.max(offs, (o) => Math.max(o.offset, o.slack)) ?? 1);
  const y = d3.scaleLinear().domain([lo, hi]).nice().range([height, 0]);
  g.append('rect').attr('width', width).attr('height', height).attr('fill', '#fcfcfc').attr('stroke', '#e4e4e4');
  nemesisBands(g, nemesis, { x: nsx, top: 0, bottom: height, labels: false, clip: [0, width] });
  (g.append('g').attr('class', 'y-axis') as unknown as Sel).call(asCall(d3.axisLeft(y).ticks(4)));
  g.append('line').attr('x1', 0).attr('x2', width).attr('y1', y(0)).attr('y2', y(0)).attr('stroke', '#444').attr('stroke-width', 1.2);
  g.append('text').attr('x', width + 8).attr('y', y(0) + 4).attr('fill', MUTED).text('lower bound');
  g.append('text').attr('x', width + 8).attr('y', 12).attr('fill', MUTED).text('read − lower bound');
  for (const o of offs) {
    const x = nsx(o.read.time);
    g.append('line').attr('class', 'allowed').attr('x1', x).attr('x2', x).attr('y1', y(0)).attr('y2', y(o.slack)).attr('stroke', '#bbb').attr('stroke-width', 2);
  }
  for (const o of offs) {
    const x = nsx(o.read.time);
    g.append('circle').attr('class', o.read.bad ? 'offset bad' : 'offset').attr('cx', x).attr('cy', y(o.offset)).attr('r', o.read.bad ? 4 : 2.5).attr('fill', nodes.get(o.read.node) ?? '#000');
    if (o.read.bad) g.append('circle').attr('cx', x).attr('cy', y(o.offset)).attr('r', 8).attr('fill', 'none').attr('stroke', HIGHLIGHT).attr('stroke-width', 2);
  }
}
