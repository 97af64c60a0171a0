// latency.svg: each completed op as a point (completion − invoke, log scale) over time, one panel per f,
// coloured by outcome, with nemesis bands. Pure data functions + a thin renderer.
import * as d3 from 'd3';
import type { CompletionType, Op } from '../history/types.js';
import { MUTED, OUTCOME_COLORS, OUTCOME_LABELS } from './colors.js';
import type { NemesisLayout } from './nemesis.js';
import { logDomain, NS_PER_MS, timeScale } from './scales.js';
import { asCall, attrSafe, emptyChart, legend, nemesisBands, newFrame, type Sel, svgText, timeAxis } from './svg.js';

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
  const f = newFrame('latency', width, height, margin, 'Latency per operation (log scale)');
  legend(
    f.svg,
    (['ok', 'fail', 'info'] as const).map((t) => ({ label: OUTCOME_LABELS[t], color: OUTCOME_COLORS[t], shape: 'circle' as const })),
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
    if (i === fs.length - 1) timeAxis(g, x, panelH);
    else (g.append('g').attr('transform', `translate(0,${panelH})`) as unknown as Sel).call(asCall(d3.axisBottom(x).ticks(10).tickFormat(() => '')));
  });
  return svgText(f);
}
