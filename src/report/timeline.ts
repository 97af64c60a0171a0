// timeline.svg: one lane per client process, one bar per op from invoke to completion coloured by outcome,
// nemesis bands across all lanes, anomaly ops outlined. Long runs get an overview of the whole run and one
// detail panel per anomaly cluster (every anomaly op lies in a panel); labels sit in the right-hand gutter,
// beside the lanes they name, never over bars.
import * as d3 from 'd3';
import { compactList } from '../../checkers/ref.js';
import type { Json, Op } from '../history/types.js';
import type { Highlight } from './anomalies.js';
import { HIGHLIGHT, INK, MUTED, OUTCOME_COLORS, OUTCOME_LABELS } from './colors.js';
import { describeOp } from './describe.js';
import type { NemesisLayout } from './nemesis.js';
import { clamp, timeScale } from './scales.js';
import { asCall, BAND_LABEL_SPACE, faultLegend, legend, nemesisBands, newFrame, type Sel, svgText, timeAxis } from './svg.js';
import { chooseWindows, type TimeWindow, type WindowOptions } from './window.js';

export interface TimelineInput {
  ops: readonly Op[];
  nemesis: NemesisLayout;
  highlights: readonly Highlight[];
  start: number;
  end: number;
  width?: number;
  window?: WindowOptions;
  /** timeline.html: bars carry data-i (position in ops) and id op-<invoke index>, no per-bar <title> */
  interactive?: boolean;
}

export interface Lane {
  process: number;
  y: number;
  /** which panel the lane is in */
  panel: number;
}

export interface Bar {
  /** position in ops */
  op: number;
  panel: number;
  x0: number;
  x1: number;
  y: number;
  color: string;
  /** never completed: runs to the end of the run */
  open: boolean;
  highlight: string[] | null;
}

/** A note in the right-hand gutter: what a lane's outlined ops are ("lost ×32 (707–870)"). */
export interface GutterNote {
  /** y of the lane it names (centre) and of the text baseline (moved down to avoid the previous note) */
  laneY: number;
  y: number;
  text: string;
}

export interface Panel {
  index: number;
  window: TimeWindow;
  /** top of its header; lanes start at lanesTop */
  top: number;
  lanesTop: number;
  laneHeight: number;
  lanes: Lane[];
  bars: Bar[];
  /** anomaly ops in this panel */
  anomalies: number;
  notes: GutterNote[];
  bottom: number;
}

export interface OverviewBucket {
  x0: number;
  x1: number;
  ok: number;
  fail: number;
  info: number;
}

export interface TimelineLayout {
  width: number;
  height: number;
  left: number;
  plotWidth: number;
  panels: Panel[];
  /** the first panel's window (reason all / anomaly / densest), for callers that want one */
  window: TimeWindow;
  /** every panel's bars and lanes, in panel order */
  bars: Bar[];
  lanes: Lane[];
  /** anomaly ops named by the checkers, and how many of them are outlined (MAX_OUTLINED caps the drawing) */
  highlighted: number;
  outlined: number;
  /** present when the panels are not the whole run */
  overview: { top: number; height: number; buckets: OverviewBucket[]; max: number; windows: Array<[number, number]> } | null;
}

const LEFT = 56;
const RIGHT = 170;
/** Outlines drawn at most per picture; the title says how many more the checkers named. */
export const MAX_OUTLINED = 5000;

/** [invoke, completion] of a highlighted op for clustering (a never-completed op counts at its invoke). */
function spanOf(op: Op): [number, number] {
  return [op.invokeTime, op.completeTime ?? op.invokeTime];
}

/** "707–870" for one run of integers, "712 … 870" for scattered ones (lowest … highest), else the first. */
function elementSpan(elements: readonly Json[]): string {
  if (elements.length > 1 && elements.every((e) => Number.isInteger(e))) {
    const parts = compactList(elements, 2);
    const xs = elements as number[];
    return parts.includes(',') ? `${Math.min(...xs)} … ${Math.max(...xs)}` : parts;
  }
  return compactList(elements.slice(0, 1), 1) + (elements.length > 1 ? ', …' : '');
}

/** "lost ×32 (707–870)", "stale read ×2", "cannot be linearized": what a lane's outlined ops are. */
export function gutterText(hs: readonly Highlight[]): string {
  const byKind = new Map<string, { n: number; elements: Json[] }>();
  for (const h of hs) {
    for (const k of h.kinds ?? [h.labels[0] ?? 'anomaly']) {
      const e = byKind.get(k) ?? { n: 0, elements: [] };
      e.n++;
      if (h.elements) e.elements.push(...h.elements);
      byKind.set(k, e);
    }
  }
  return [...byKind]
    .map(([k, e]) => {
      const range = e.elements.length ? ` (${elementSpan(e.elements)})` : '';
      return `${k}${e.n > 1 ? ` ×${e.n}` : ''}${range}`;
    })
    .join('; ');
}

/** Notes for the gutter, one per lane with outlined ops, pushed down so that no two overlap. */
function gutterNotes(panelBars: readonly Bar[], byOp: ReadonlyMap<number, Highlight>, laneHeight: number): GutterNote[] {
  const perLane = new Map<number, Highlight[]>();
  for (const b of panelBars) {
    const h = byOp.get(b.op);
    if (!h) continue;
    perLane.set(b.y, [...(perLane.get(b.y) ?? []), h]);
  }
  const notes: GutterNote[] = [];
  let next = -Infinity;
  for (const y of [...perLane.keys()].sort((a, b) => a - b)) {
    const laneY = y + laneHeight / 2;
    const ty = Math.max(laneY + 4, next);
    notes.push({ laneY, y: ty, text: gutterText(perLane.get(y) as Highlight[]) });
    next = ty + 12;
  }
  return notes;
}

/** Lay out panels, lanes and bars (pure): which ops are visible in which window, where, in which colour. */
export function layoutTimeline(input: TimelineInput): TimelineLayout {
  const width = input.width ?? 1100;
  const ops = input.ops;
  const invokes = ops.map((o) => o.invokeTime);
  const sorted = invokes.every((t, i) => i === 0 || (invokes[i - 1] as number) <= t) ? invokes : [...invokes].sort((a, b) => a - b);
  const spans = input.highlights.map((h) => ops[h.op]).filter((o): o is Op => o !== undefined).map(spanOf);
  const windows = chooseWindows(sorted, input.start, input.end, spans, input.window);
  const hasOverview = windows[0]?.reason !== 'all';
  const plotWidth = width - LEFT - RIGHT;
  const byOp = new Map(input.highlights.map((h) => [h.op, h]));
  const outlinedOps = new Set(input.highlights.slice(0, MAX_OUTLINED).map((h) => h.op));
  const laneBudget = windows.length > 1 ? 300 : 520;
  let y = hasOverview ? 150 : 44;
  const panels: Panel[] = windows.map((win, p) => {
    const visible: number[] = [];
    ops.forEach((op, i) => {
      const end = op.completeTime ?? input.end;
      if (end >= win.start && op.invokeTime <= win.end) visible.push(i);
    });
    const processes = [...new Set(visible.map((i) => (ops[i] as Op).process))].sort((a, b) => a - b);
    const laneHeight = clamp(Math.floor(laneBudget / Math.max(1, processes.length)), 3, 18);
    const top = y;
    const lanesTop = top + (hasOverview ? 16 : 0) + BAND_LABEL_SPACE;
    const laneY = new Map(processes.map((proc, i) => [proc, lanesTop + i * laneHeight]));
    const x = timeScale([win.start, win.end], [LEFT, LEFT + plotWidth]);
    const px = (ns: number): number => clamp(x(ns / 1e9), LEFT, LEFT + plotWidth);
    const bars: Bar[] = visible.map((i) => {
      const op = ops[i] as Op;
      const x0 = px(op.invokeTime);
      const x1 = Math.max(x0 + 1.5, px(op.completeTime ?? input.end));
      const h = outlinedOps.has(i) ? (byOp.get(i)?.labels ?? null) : null;
      return { op: i, panel: p, x0, x1, y: laneY.get(op.process) as number, color: OUTCOME_COLORS[op.type], open: op.completeTime === null, highlight: h };
    });
    const lanesBottom = lanesTop + processes.length * laneHeight;
    const notes = gutterNotes(
      bars.filter((b) => b.highlight),
      byOp,
      laneHeight,
    );
    const notesBottom = notes.length ? (notes[notes.length - 1] as GutterNote).y + 4 : 0;
    const bottom = Math.max(lanesBottom + 40, notesBottom + 8);
    y = bottom + (windows.length > 1 ? 8 : 0);
    return {
      index: p,
      window: win,
      top,
      lanesTop,
      laneHeight,
      lanes: processes.map((proc) => ({ process: proc, y: laneY.get(proc) as number, panel: p })),
      bars,
      anomalies: bars.filter((b) => byOp.has(b.op)).length,
      notes,
      bottom,
    };
  });
  let overview: TimelineLayout['overview'] = null;
  if (hasOverview) {
    const n = 200;
    const span = Math.max(1, input.end - input.start);
    const ox = (ns: number): number => LEFT + ((ns - input.start) / span) * plotWidth;
    const buckets: OverviewBucket[] = Array.from({ length: n }, (_, b) => ({ x0: LEFT + (b / n) * plotWidth, x1: LEFT + ((b + 1) / n) * plotWidth, ok: 0, fail: 0, info: 0 }));
    for (const op of ops) {
      const b = clamp(Math.floor(((op.invokeTime - input.start) / span) * n), 0, n - 1);
      (buckets[b] as OverviewBucket)[op.type]++;
    }
    const max = Math.max(1, ...buckets.map((b) => b.ok + b.fail + b.info));
    overview = { top: 66, height: 50, buckets, max, windows: windows.map((w) => [ox(w.start), ox(w.end)]) };
  }
  return {
    width,
    height: y + 4,
    left: LEFT,
    plotWidth,
    panels,
    window: windows[0] as TimeWindow,
    bars: panels.flatMap((p) => p.bars),
    lanes: panels.flatMap((p) => p.lanes),
    highlighted: input.highlights.length,
    outlined: Math.min(input.highlights.length, MAX_OUTLINED),
    overview,
  };
}

function seconds(ns: number): string {
  return `${d3.format('.1f')(ns / 1e9)} s`;
}

/** The picture's title: op and process counts, and what the detail panels show. */
function titleOf(input: TimelineInput, L: TimelineLayout): string {
  const processes = new Set(input.ops.map((o) => o.process)).size;
  const base = `Timeline: ${input.ops.length} ops on ${processes} processes`;
  const reason = L.window.reason;
  if (reason === 'all') return base;
  if (reason === 'densest') return `${base} (detail: the densest window)`;
  return `${base} (${L.panels.length} detail panel${L.panels.length > 1 ? 's' : ''}: every anomaly op)`;
}

function drawPanel(g: Sel, input: TimelineInput, L: TimelineLayout, P: Panel): void {
  const { ops } = input;
  const pg = g.append('g').attr('class', 'panel').attr('data-panel', P.index) as unknown as Sel;
  const lanesBottom = P.lanesTop + P.lanes.length * P.laneHeight;
  const x = timeScale([P.window.start, P.window.end], [L.left, L.left + L.plotWidth]);
  const nsx = (ns: number): number => x(ns / 1e9);
  if (L.overview) {
    const n = L.panels.length;
    const what = P.window.reason === 'densest' ? 'the densest window' : `${P.anomalies} anomaly op${P.anomalies === 1 ? '' : 's'}`;
    pg.append('text')
      .attr('class', 'panel-title')
      .attr('x', L.left)
      .attr('y', P.top + 12)
      .attr('font-weight', 600)
      .attr('fill', INK)
      .text(`${n > 1 ? `detail ${P.index + 1} of ${n}` : 'detail'}: ${seconds(P.window.start)} – ${seconds(P.window.end)} · ${what}`);
  }
  const lanes = pg.append('g').attr('class', 'lanes');
  const every = Math.ceil(12 / P.laneHeight);
  P.lanes.forEach((lane, i) => {
    lanes
      .append('rect')
      .attr('class', 'lane')
      .attr('data-process', lane.process)
      .attr('x', L.left)
      .attr('y', lane.y)
      .attr('width', L.plotWidth)
      .attr('height', P.laneHeight)
      .attr('fill', i % 2 === 0 ? '#f7f7f7' : 'none');
    if (i % every === 0) {
      lanes
        .append('text')
        .attr('x', L.left - 6)
        .attr('y', lane.y + P.laneHeight / 2 + 4)
        .attr('text-anchor', 'end')
        .attr('fill', MUTED)
        .attr('font-size', Math.min(11, P.laneHeight + 2))
        .text(`p${lane.process}`);
    }
  });
  nemesisBands(pg, input.nemesis, { x: nsx, top: P.lanesTop, bottom: lanesBottom, clip: [L.left, L.left + L.plotWidth], overhang: 0 });
  const axisG = pg.append('g').attr('transform', `translate(0,${P.lanesTop})`) as unknown as Sel;
  timeAxis(axisG, x, lanesBottom - P.lanesTop);
  const barsG = pg.append('g').attr('class', 'ops');
  const bh = Math.max(2, P.laneHeight * 0.72);
  const pad = (P.laneHeight - bh) / 2;
  for (const b of P.bars) {
    const op = ops[b.op] as Op;
    const r = barsG
      .append('rect')
      .attr('class', `op ${op.type}${b.open ? ' open' : ''}${b.highlight ? ' anomaly' : ''}`)
      .attr('x', b.x0)
      .attr('y', b.y + pad)
      .attr('width', Math.max(1.5, b.x1 - b.x0))
      .attr('height', bh)
      .attr('fill', b.color)
      .attr('fill-opacity', b.open ? 0.35 : 0.9);
    if (b.open) r.attr('stroke', b.color).attr('stroke-dasharray', '3 2');
    if (input.interactive) r.attr('data-i', b.op).attr('data-inv', op.invokeIndex);
    else r.append('title').text(describeOp(op));
  }
  const hlG = pg.append('g').attr('class', 'highlights');
  const byOpKinds = new Map(input.highlights.map((h) => [h.op, (h.kinds ?? []).map((k) => k.replace(/\s+/g, '-'))]));
  for (const b of P.bars) {
    if (!b.highlight) continue;
    const op = ops[b.op] as Op;
    const o = hlG
      .append('rect')
      .attr('class', 'anomaly-outline')
      .attr('data-op', op.invokeIndex)
      .attr('data-kinds', (byOpKinds.get(b.op) ?? []).join(' '))
      .attr('x', b.x0 - 2)
      .attr('y', b.y + pad - 2)
      .attr('width', Math.max(1.5, b.x1 - b.x0) + 4)
      .attr('height', bh + 4)
      .attr('fill', 'none')
      .attr('stroke', HIGHLIGHT)
      .attr('stroke-width', 2);
    if (input.interactive) o.attr('data-i', b.op).attr('pointer-events', 'none');
    else o.append('title').text(`${b.highlight.join('; ')}: ${describeOp(op)}`);
  }
  // gutter notes: beside their lanes, right of the plot, with a leader line when pushed down
  const gx = L.left + L.plotWidth + 10;
  for (const n of P.notes) {
    if (Math.abs(n.y - 4 - n.laneY) > P.laneHeight / 2) {
      hlG.append('line').attr('class', 'leader').attr('x1', L.left + L.plotWidth + 1).attr('x2', gx - 2).attr('y1', n.laneY).attr('y2', n.y - 4).attr('stroke', HIGHLIGHT).attr('stroke-width', 0.8);
    }
    const room = Math.floor((L.width - gx - 4) / (11 * 0.58));
    const text = n.text.length > room ? `${n.text.slice(0, room - 1)}…` : n.text;
    const t = hlG.append('text').attr('class', 'anomaly-label').attr('x', gx).attr('y', n.y).attr('fill', HIGHLIGHT).attr('font-weight', 600).text(text);
    if (text !== n.text) t.append('title').text(n.text);
  }
}

/** Render timeline.svg (or timeline.html's picture, with `interactive`) from its layout. */
export function renderTimeline(input: TimelineInput): { svg: string; layout: TimelineLayout } {
  const L = layoutTimeline(input);
  const f = newFrame('timeline', L.width, L.height, { top: 0, right: 0, bottom: 0, left: 0 }, titleOf(input, L));
  const g = f.svg;
  g.attr('data-highlighted', L.highlighted).attr('data-outlined', L.outlined);
  const lw = legend(
    g,
    [
      { label: OUTCOME_LABELS.ok, color: OUTCOME_COLORS.ok },
      { label: OUTCOME_LABELS.fail, color: OUTCOME_COLORS.fail },
      { label: OUTCOME_LABELS.info, color: OUTCOME_COLORS.info },
      { label: 'never completed', color: OUTCOME_COLORS.info, shape: 'outline' },
      { label: 'anomaly', color: HIGHLIGHT, shape: 'outline' },
      ...faultLegend(input.nemesis),
    ],
    L.left,
    38,
  );
  if (L.outlined < L.highlighted) {
    g.append('text')
      .attr('class', 'outline-cap')
      .attr('x', L.left + lw + 8)
      .attr('y', 38)
      .attr('fill', HIGHLIGHT)
      .text(`${L.outlined} of ${L.highlighted} anomaly ops outlined (the picture's cap)`);
  }
  if (L.overview) {
    const o = L.overview;
    const ov = g.append('g').attr('class', 'overview');
    const span = Math.max(1, input.end - input.start);
    const oxs = (ns: number): number => L.left + ((ns - input.start) / span) * L.plotWidth;
    nemesisBands(ov, input.nemesis, { x: oxs, top: o.top, bottom: o.top + o.height, labels: false, clip: [L.left, L.left + L.plotWidth] });
    for (const b of o.buckets) {
      let y = o.top + o.height;
      for (const t of ['ok', 'info', 'fail'] as const) {
        const h = (b[t] / o.max) * o.height;
        if (h <= 0) continue;
        y -= h;
        ov.append('rect').attr('x', b.x0).attr('y', y).attr('width', Math.max(0.5, b.x1 - b.x0)).attr('height', h).attr('fill', OUTCOME_COLORS[t]);
      }
    }
    o.windows.forEach(([x0, x1], i) => {
      ov.append('rect')
        .attr('class', 'window')
        .attr('x', x0)
        .attr('y', o.top - 2)
        .attr('width', Math.max(2, x1 - x0))
        .attr('height', o.height + 4)
        .attr('fill', 'none')
        .attr('stroke', INK)
        .attr('stroke-width', 1.5);
      if (o.windows.length > 1) ov.append('text').attr('x', x0 + 2).attr('y', o.top - 5).attr('font-weight', 600).attr('fill', INK).text(String(i + 1));
    });
    const right = L.left + L.plotWidth + 8;
    ov.append('text').attr('x', right).attr('y', o.top + 10).attr('fill', MUTED).text('whole run: ops started');
    ov.append('text').attr('x', right).attr('y', o.top + 24).attr('fill', MUTED).text('per bucket; boxes: the');
    ov.append('text').attr('x', right).attr('y', o.top + 38).attr('fill', MUTED).text('detail panels below');
    const wholeX = timeScale([input.start, input.end], [L.left, L.left + L.plotWidth]);
    (ov.append('g').attr('class', 'x-axis').attr('transform', `translate(0,${o.top + o.height})`) as unknown as Sel).call(
      asCall(d3.axisBottom(wholeX).ticks(10).tickSize(3).tickFormat((d) => `${d3.format('~g')(d as number)} s`)),
    );
  }
  for (const P of L.panels) drawPanel(g, input, L, P);
  return { svg: svgText(f), layout: L };
}
