// replication.svg, from metrics.jsonl: lag of each standby (primary's pg_stat_replication) and each logical
// subscription (time since its last message) over time, with fault bands and ticks where a node did not answer.
import * as d3 from 'd3';
import { MUTED, seriesColors } from './colors.js';
import type { MetricSample } from './load.js';
import type { NemesisLayout } from './nemesis.js';
import { timeScale } from './scales.js';
import { asCall, attrSafe, emptyChart, legend, nemesisBands, newFrame, type Sel, svgText, timeAxis } from './svg.js';

export interface LagPoint {
  time: number;
  /** ms; null where the series has no value in that sample (a gap) */
  ms: number | null;
}

export interface LagSeries {
  /** "n1 → n2" for a standby, "sub_n2 on n1" for a subscription */
  name: string;
  kind: 'standby' | 'subscription';
  points: LagPoint[];
}

export interface Outage {
  node: string;
  time: number;
  error: string;
}

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** Lag series and node outages from metrics samples (pure). Each sampling tick that lacks a series is a gap. */
export function lagSeries(samples: readonly MetricSample[]): { series: LagSeries[]; outages: Outage[] } {
  const series = new Map<string, LagSeries>();
  const outages: Outage[] = [];
  const ticks = [...new Set(samples.map((s) => s.time))].sort((a, b) => a - b);
  const at = new Map<string, Map<number, number | null>>();
  const put = (name: string, kind: LagSeries['kind'], time: number, ms: number | null): void => {
    if (!series.has(name)) series.set(name, { name, kind, points: [] });
    let m = at.get(name);
    if (!m) at.set(name, (m = new Map()));
    m.set(time, ms);
  };
  for (const s of samples) {
    if (typeof s.error === 'string') outages.push({ node: s.node, time: s.time, error: s.error });
    if (Array.isArray(s.replication)) {
      for (const r of s.replication) {
        if (!isRec(r) || typeof r.name !== 'string') continue;
        put(`${s.node} → ${r.name}`, 'standby', s.time, num(r.replay_lag_ms) ?? num(r.flush_lag_ms) ?? num(r.write_lag_ms));
      }
    }
    if (Array.isArray(s.subscriptions)) {
      for (const sub of s.subscriptions) {
        if (!isRec(sub) || typeof sub.subname !== 'string') continue;
        put(`${sub.subname} on ${s.node}`, 'subscription', s.time, num(sub.last_msg_age_ms));
      }
    }
    if (num(s.replay_lag_ms) !== null && !Array.isArray(s.replication)) put(`→ ${s.node}`, 'standby', s.time, num(s.replay_lag_ms));
  }
  for (const [name, ls] of series) {
    const m = at.get(name) as Map<number, number | null>;
    const first = Math.min(...m.keys());
    ls.points = ticks.filter((t) => t >= first).map((t) => ({ time: t, ms: m.get(t) ?? null }));
  }
  return { series: [...series.values()].sort((a, b) => a.name.localeCompare(b.name)), outages };
}

export interface ReplicationInput {
  metrics: readonly MetricSample[];
  nemesis: NemesisLayout;
  start: number;
  end: number;
  width?: number;
}

const LAG_TICKS = [0, 1, 10, 100, 1000, 10_000, 100_000, 1_000_000];

export function renderReplication(input: ReplicationInput): string {
  const { series, outages } = lagSeries(input.metrics);
  if (series.length === 0 && outages.length === 0) return emptyChart('replication', 'Replication lag', 'metrics.jsonl has no replication or subscription samples');
  const nodes = [...new Set(outages.map((o) => o.node))].sort();
  const width = input.width ?? 1100;
  const outageRows = nodes.length * 12;
  const margin = { top: 64, right: 150, bottom: 44 + outageRows + (nodes.length ? 8 : 0), left: 64 };
  const f = newFrame('replication', width, 320 + outageRows, margin, 'Replication lag (standbys: replay lag; subscriptions: time since last message)');
  const colors = seriesColors(series.map((s) => s.name));
  legend(
    f.svg,
    [...series.map((s) => ({ label: s.name, color: colors.get(s.name) as string, shape: 'line' as const })), ...(nodes.length ? [{ label: 'node did not answer', color: '#b03a2e' }] : [])],
    margin.left,
    38,
  );
  const x = timeScale([input.start, input.end], [0, f.innerWidth]);
  const nsx = (ns: number): number => x(ns / 1e9);
  const plotH = f.innerHeight;
  const max = d3.max(series.flatMap((s) => s.points.map((p) => p.ms ?? 0))) ?? 1;
  const top = LAG_TICKS.find((t) => t >= Math.max(10, max)) ?? Math.max(10, max);
  const y = d3.scaleSymlog().constant(1).domain([0, top]).range([plotH, 0]);
  nemesisBands(f.plot, input.nemesis, { x: nsx, top: 0, bottom: plotH, clip: [0, f.innerWidth] });
  timeAxis(f.plot, x, plotH);
  const ticks = LAG_TICKS.filter((t) => t <= top);
  for (const t of ticks) f.plot.append('line').attr('x1', 0).attr('x2', f.innerWidth).attr('y1', y(t)).attr('y2', y(t)).attr('stroke', '#eee');
  (f.plot.append('g').attr('class', 'y-axis') as unknown as Sel).call(asCall(d3.axisLeft(y).tickValues(ticks).tickFormat((d) => d3.format('~s')(d as number))));
  f.plot.append('text').attr('x', f.innerWidth + 8).attr('y', 12).attr('fill', MUTED).text('lag (ms, symlog)');
  for (const s of series) {
    const line = d3
      .line<LagPoint>()
      .defined((p) => p.ms !== null)
      .x((p) => nsx(p.time))
      .y((p) => y(p.ms ?? 0));
    f.plot
      .append('path')
      .attr('class', `series ${s.kind}`)
      .attr('data-series', attrSafe(s.name))
      .attr('d', line(s.points) ?? '')
      .attr('fill', 'none')
      .attr('stroke', colors.get(s.name) as string)
      .attr('stroke-width', 1.8);
  }
  const og = f.plot.append('g').attr('class', 'outages').attr('transform', `translate(0,${plotH + 36})`);
  nodes.forEach((n, i) => {
    og.append('text').attr('x', -6).attr('y', i * 12 + 9).attr('text-anchor', 'end').attr('fill', MUTED).attr('font-size', 10).text(n);
    for (const o of outages.filter((q) => q.node === n)) {
      og.append('rect').attr('class', 'outage').attr('x', nsx(o.time) - 1.5).attr('y', i * 12 + 1).attr('width', 3).attr('height', 9).attr('fill', '#b03a2e').append('title').text(`${n}: ${o.error}`);
    }
  });
  return svgText(f);
}
