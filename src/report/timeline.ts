// timeline.svg: one lane per client process, one bar per op from invoke to completion coloured by outcome,
// nemesis bands across all lanes, anomaly ops outlined and labelled; long runs get a detail window + overview.
import * as d3 from 'd3';
import type { Op } from '../history/types.js';
import type { Highlight } from './anomalies.js';
import { highlightSpan } from './anomalies.js';
import { HIGHLIGHT, INK, MUTED, OUTCOME_COLORS, OUTCOME_LABELS } from './colors.js';
import { describeOp } from './describe.js';
import type { NemesisLayout } from './nemesis.js';
import { clamp, timeScale } from './scales.js';
import { asCall, legend, nemesisBands, newFrame, type Sel, svgText, textWidth, timeAxis } from './svg.js';
import { chooseWindow, type TimeWindow, type WindowOptions } from './window.js';

export interface TimelineInput {
  ops: readonly Op[];
  nemesis: NemesisLayout;
  highlights: readonly Highlight[];
  start: number;
  end: number;
  width?: number;
  window?: WindowOptions;
}

export interface Lane {
  process: number;
  y: number;
}

export interface Bar {
  /** position in ops */
  op: number;
  x0: number;
  x1: number;
  y: number;
  color: string;
  /** never completed: runs to the end of the run */
  open: boolean;
  highlight: string[] | null;
  /** the anomaly label drawn next to this bar (null: none, or folded into a neighbour's "+N more") */
  label: string | null;
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
  top: number;
  plotWidth: number;
  laneHeight: number;
  lanes: Lane[];
  bars: Bar[];
  window: TimeWindow;
  /** present when the detail window is not the whole run */
  overview: { top: number; height: number; buckets: OverviewBucket[]; max: number; windowX: [number, number] } | null;
}

const LEFT = 56;
const RIGHT = 150;

/** Lay out lanes and bars (pure): which ops are visible in the chosen window, where, in which colour. */
export function layoutTimeline(input: TimelineInput): TimelineLayout {
  const width = input.width ?? 1100;
  const ops = input.ops;
  const invokes = ops.map((o) => o.invokeTime);
  const sorted = invokes.every((t, i) => i === 0 || (invokes[i - 1] as number) <= t) ? invokes : [...invokes].sort((a, b) => a - b);
  const win = chooseWindow(sorted, input.start, input.end, highlightSpan(input.highlights, ops, input.end), input.window);
  const visible: number[] = [];
  ops.forEach((op, i) => {
    const end = op.completeTime ?? input.end;
    if (end >= win.start && op.invokeTime <= win.end) visible.push(i);
  });
  const processes = [...new Set(visible.map((i) => (ops[i] as Op).process))].sort((a, b) => a - b);
  const laneHeight = clamp(Math.floor(520 / Math.max(1, processes.length)), 3, 18);
  const hasOverview = win.reason !== 'all';
  const top = 64 + (hasOverview ? 96 : 0);
  const laneY = new Map(processes.map((p, i) => [p, top + i * laneHeight]));
  const plotWidth = width - LEFT - RIGHT;
  const x = timeScale([win.start, win.end], [LEFT, LEFT + plotWidth]);
  const px = (ns: number): number => clamp(x(ns / 1e9), LEFT, LEFT + plotWidth);
  const hl = new Map(input.highlights.map((h) => [h.op, h.labels]));
  const bars: Bar[] = visible.map((i) => {
    const op = ops[i] as Op;
    const open = op.completeTime === null;
    const x0 = px(op.invokeTime);
    const x1 = Math.max(x0 + 1.5, px(op.completeTime ?? input.end));
    return { op: i, x0, x1, y: laneY.get(op.process) as number, color: OUTCOME_COLORS[op.type], open, highlight: hl.get(i) ?? null, label: null };
  });
  labelHighlights(bars, ops);
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
    overview = { top: 62, height: 50, buckets, max, windowX: [ox(win.start), ox(win.end)] };
  }
  const height = top + processes.length * laneHeight + 48;
  return {
    width,
    height,
    left: LEFT,
    top,
    plotWidth,
    laneHeight,
    lanes: processes.map((p) => ({ process: p, y: laneY.get(p) as number })),
    bars,
    window: win,
    overview,
  };
}

/** Labels closer than this (px) on one lane fold into the first one's "+N more". */
export const LABEL_GAP = 150;
/** At most this many anomaly labels per picture; the rest keep their outline only. */
export const MAX_LABELS = 40;

/** Give highlighted bars their labels, folding crowded ones: one label per lane per LABEL_GAP px. */
export function labelHighlights(bars: Bar[], ops: readonly Op[]): void {
  const marked = bars.filter((b) => b.highlight).sort((a, b) => a.x0 - b.x0);
  const lastOnLane = new Map<number, { bar: Bar; more: number; text: string }>();
  const shown: Array<{ bar: Bar; more: number; text: string }> = [];
  for (const b of marked) {
    const prev = lastOnLane.get(b.y);
    if (prev && b.x0 - prev.bar.x0 < LABEL_GAP) {
      prev.more++;
      continue;
    }
    if (shown.length >= MAX_LABELS) {
      const last = shown[shown.length - 1] as { more: number };
      last.more++;
      continue;
    }
    const op = ops[b.op] as Op;
    const entry = { bar: b, more: 0, text: `${(b.highlight as string[]).join('; ')}: p${op.process} ${op.f}` };
    lastOnLane.set(b.y, entry);
    shown.push(entry);
  }
  for (const e of shown) e.bar.label = e.more > 0 ? `${e.text} (+${e.more} more)` : e.text;
}

const WINDOW_NOTE: Record<TimeWindow['reason'], string> = {
  all: '',
  anomaly: 'detail: the window around the anomaly',
  densest: 'detail: the densest window',
};

/** Render timeline.svg from its layout. */
export function renderTimeline(input: TimelineInput): { svg: string; layout: TimelineLayout } {
  const L = layoutTimeline(input);
  const { ops } = input;
  const title = `Timeline: ${ops.length} ops on ${L.lanes.length} processes${L.window.reason === 'all' ? '' : ` (${WINDOW_NOTE[L.window.reason]})`}`;
  const f = newFrame('timeline', L.width, L.height, { top: 0, right: 0, bottom: 0, left: 0 }, title);
  const g = f.svg;
  const lanesBottom = L.top + L.lanes.length * L.laneHeight;
  const x = timeScale([L.window.start, L.window.end], [L.left, L.left + L.plotWidth]);
  const nsx = (ns: number): number => x(ns / 1e9);
  legend(
    g,
    [
      { label: OUTCOME_LABELS.ok, color: OUTCOME_COLORS.ok },
      { label: OUTCOME_LABELS.fail, color: OUTCOME_COLORS.fail },
      { label: OUTCOME_LABELS.info, color: OUTCOME_COLORS.info },
      { label: 'never completed', color: OUTCOME_COLORS.info, shape: 'outline' },
      { label: 'fault in force', color: '#7b5ea7', shape: 'band' },
      { label: 'anomaly', color: HIGHLIGHT, shape: 'outline' },
    ],
    L.left,
    38,
  );
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
    ov.append('rect')
      .attr('class', 'window')
      .attr('x', o.windowX[0])
      .attr('y', o.top - 2)
      .attr('width', Math.max(2, o.windowX[1] - o.windowX[0]))
      .attr('height', o.height + 4)
      .attr('fill', 'none')
      .attr('stroke', INK)
      .attr('stroke-width', 1.5);
    ov.append('text').attr('x', L.left + L.plotWidth + 6).attr('y', o.top + 10).attr('fill', MUTED).text('whole run:');
    ov.append('text').attr('x', L.left + L.plotWidth + 6).attr('y', o.top + 24).attr('fill', MUTED).text('ops started');
    ov.append('text').attr('x', L.left + L.plotWidth + 6).attr('y', o.top + 38).attr('fill', MUTED).text('per bucket');
    const wholeX = timeScale([input.start, input.end], [L.left, L.left + L.plotWidth]);
    (ov.append('g').attr('class', 'x-axis').attr('transform', `translate(0,${o.top + o.height})`) as unknown as Sel).call(
      asCall(d3.axisBottom(wholeX).ticks(10).tickSize(3).tickFormat((d) => `${d3.format('~g')(d as number)} s`)),
    );
    // zoom lines from the box to the detail lanes below
    for (const [from, to] of [
      [o.windowX[0], L.left],
      [o.windowX[1], L.left + L.plotWidth],
    ] as const) {
      ov.append('line').attr('x1', from).attr('x2', to).attr('y1', o.top + o.height + 17).attr('y2', L.top).attr('stroke', MUTED).attr('stroke-dasharray', '2 3');
    }
  }
  const lanes = g.append('g').attr('class', 'lanes');
  const every = Math.ceil(12 / L.laneHeight);
  L.lanes.forEach((lane, i) => {
    lanes
      .append('rect')
      .attr('class', 'lane')
      .attr('data-process', lane.process)
      .attr('x', L.left)
      .attr('y', lane.y)
      .attr('width', L.plotWidth)
      .attr('height', L.laneHeight)
      .attr('fill', i % 2 === 0 ? '#f7f7f7' : 'none');
    if (i % every === 0) {
      lanes
        .append('text')
        .attr('x', L.left - 6)
        .attr('y', lane.y + L.laneHeight / 2 + 4)
        .attr('text-anchor', 'end')
        .attr('fill', MUTED)
        .attr('font-size', Math.min(11, L.laneHeight + 2))
        .text(`p${lane.process}`);
    }
  });
  nemesisBands(g, input.nemesis, { x: nsx, top: L.top, bottom: lanesBottom, clip: [L.left, L.left + L.plotWidth] });
  const axisG = g.append('g').attr('transform', `translate(0,${L.top})`) as unknown as Sel;
  timeAxis(axisG, x, lanesBottom - L.top);
  const barsG = g.append('g').attr('class', 'ops');
  const bh = Math.max(2, L.laneHeight * 0.72);
  const pad = (L.laneHeight - bh) / 2;
  for (const b of L.bars) {
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
    r.append('title').text(describeOp(op));
  }
  const hlG = g.append('g').attr('class', 'highlights');
  for (const b of L.bars) {
    if (!b.highlight) continue;
    hlG.append('rect')
      .attr('class', 'anomaly-outline')
      .attr('x', b.x0 - 2)
      .attr('y', b.y + pad - 2)
      .attr('width', Math.max(1.5, b.x1 - b.x0) + 4)
      .attr('height', bh + 4)
      .attr('fill', 'none')
      .attr('stroke', HIGHLIGHT)
      .attr('stroke-width', 2);
  }
  for (const b of L.bars) {
    if (!b.label) continue;
    const leftward = b.x1 + 5 + textWidth(b.label, 11) > L.width - 4;
    hlG.append('text')
      .attr('class', 'anomaly-label')
      .attr('text-anchor', leftward ? 'end' : 'start')
      .attr('x', leftward ? b.x0 - 5 : b.x1 + 5)
      .attr('y', b.y + L.laneHeight / 2 + 4)
      .attr('fill', HIGHLIGHT)
      .attr('font-weight', 600)
      .attr('stroke', '#fff')
      .attr('stroke-width', 3)
      .attr('paint-order', 'stroke')
      .text(b.label);
  }
  return { svg: svgText(f), layout: L };
}
