// rate.svg: completed ops per second over time, one line per outcome, in 1 s buckets (wider for long runs),
// with nemesis bands. Pure bucketing + a thin renderer.
import * as d3 from 'd3';
import type { CompletionType, Op } from '../history/types.js';
import { MUTED, OUTCOME_COLORS, OUTCOME_LABELS } from './colors.js';
import type { NemesisLayout } from './nemesis.js';
import { bucketWidth, NS_PER_S, timeScale } from './scales.js';
import { asCall, emptyChart, faultLegend, legend, nemesisBands, newFrame, type Sel, svgText, timeAxis } from './svg.js';

export interface RateBucket {
  /** bucket start, ns */
  time: number;
  ok: number;
  fail: number;
  info: number;
}

export interface RateSeries {
  width: number;
  buckets: RateBucket[];
}

/** Ops per second by outcome, counted at completion time, in buckets of bucketWidth(run length). */
export function rateSeries(ops: readonly Op[], start: number, end: number): RateSeries {
  const width = bucketWidth(end - start);
  // a run that ends less than half a bucket into its last bucket folds that stub into the one before, so a
  // few ops in the last milliseconds do not show as a spike
  const exact = (end - start) / width;
  const n = Math.max(1, exact - Math.floor(exact) < 0.5 ? Math.floor(exact) : Math.ceil(exact));
  const counts = Array.from({ length: n }, (_, i) => ({ time: start + i * width, ok: 0, fail: 0, info: 0 }));
  for (const op of ops) {
    if (op.completeTime === null) continue;
    const i = Math.min(n - 1, Math.max(0, Math.floor((op.completeTime - start) / width)));
    (counts[i] as RateBucket)[op.type]++;
  }
  // the last bucket may be shorter or longer than the others: divide by the time it actually covers
  return {
    width,
    buckets: counts.map((b) => {
      const covered = Math.max(b === counts[n - 1] ? end - b.time : width, width / 100);
      const perS = NS_PER_S / covered;
      return { time: b.time, ok: b.ok * perS, fail: b.fail * perS, info: b.info * perS };
    }),
  };
}

export interface RateInput {
  ops: readonly Op[];
  nemesis: NemesisLayout;
  start: number;
  end: number;
  width?: number;
}

export function renderRate(input: RateInput): string {
  const s = rateSeries(input.ops, input.start, input.end);
  if (input.ops.length === 0) return emptyChart('rate', 'Throughput', 'no operations');
  const width = input.width ?? 1100;
  const margin = { top: 64, right: 150, bottom: 44, left: 64 };
  const f = newFrame('rate', width, 300, margin, `Throughput: completed ops per second (${s.width / NS_PER_S} s buckets)`);
  const types: CompletionType[] = ['ok', 'fail', 'info'];
  legend(f.svg, [...types.map((t) => ({ label: OUTCOME_LABELS[t], color: OUTCOME_COLORS[t], shape: 'line' as const })), ...faultLegend(input.nemesis)], margin.left, 38);
  const x = timeScale([input.start, input.end], [0, f.innerWidth]);
  const nsx = (ns: number): number => x(ns / 1e9);
  const max = d3.max(s.buckets, (b) => Math.max(b.ok, b.fail, b.info)) ?? 1;
  const y = d3.scaleLinear().domain([0, Math.max(1, max)]).nice().range([f.innerHeight, 0]);
  nemesisBands(f.plot, input.nemesis, { x: nsx, top: 0, bottom: f.innerHeight, clip: [0, f.innerWidth] });
  timeAxis(f.plot, x, f.innerHeight);
  (f.plot.append('g').attr('class', 'y-axis') as unknown as Sel).call(asCall(d3.axisLeft(y).ticks(5)));
  f.plot.append('text').attr('x', f.innerWidth + 8).attr('y', 12).attr('fill', MUTED).text('ops/s');
  for (const t of types) {
    if (!s.buckets.some((b) => b[t] > 0)) continue;
    const line = d3
      .line<RateBucket>()
      .x((b) => nsx(Math.min(b.time, input.end)))
      .y((b) => y(b[t]))
      .curve(d3.curveStepAfter);
    const last = s.buckets[s.buckets.length - 1] as RateBucket;
    const steps = [...s.buckets, { ...last, time: input.end }];
    f.plot.append('path').attr('class', `series ${t}`).attr('d', line(steps) ?? '').attr('fill', 'none').attr('stroke', OUTCOME_COLORS[t]).attr('stroke-width', t === 'ok' ? 2 : 1.6);
  }
  return svgText(f);
}
