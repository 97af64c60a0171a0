// linearizability.svg, for an invalid register history: the ops around the one that could not be placed, on
// process lanes; the longest linearizable prefix numbered in linearization order; the model states tried.
import * as d3 from 'd3';
import type { LinearizabilityResult } from '../../checkers/linearizability.js';
import type { Op } from '../history/types.js';
import { HIGHLIGHT, INK, MUTED, OUTCOME_COLORS } from './colors.js';
import { describeCall } from './describe.js';
import { timeScale } from './scales.js';
import { newFrame, svgText, timeAxis, type Sel } from './svg.js';

/** An op as the linearizability checker renders it (checkers/linearizability.ts RenderedOp), loosely typed. */
export interface AnomalyOp {
  process: number;
  f: string;
  type?: string;
  invokeIndex: number;
  text?: string;
}

export interface Anomaly {
  key: unknown;
  prefixLength: number;
  prefix: AnomalyOp[];
  op: AnomalyOp;
  states: string[];
  window: AnomalyOp[];
}

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);
const isAnomalyOp = (v: unknown): v is AnomalyOp => isRec(v) && typeof v.invokeIndex === 'number' && typeof v.f === 'string';

/** results.checkers.linearizability(.anomaly) read defensively; null when there is no anomaly to draw. */
export function readAnomaly(lin: LinearizabilityResult | null | undefined): Anomaly | null {
  const a: unknown = lin?.anomaly;
  if (!isRec(a) || !isAnomalyOp(a.op)) return null;
  const ops = (v: unknown): AnomalyOp[] => (Array.isArray(v) ? v.filter(isAnomalyOp) : []);
  const prefix = ops(a.prefix);
  return {
    key: a.key ?? null,
    prefixLength: typeof a.prefixLength === 'number' ? a.prefixLength : prefix.length,
    prefix,
    op: a.op,
    states: Array.isArray(a.states) ? a.states.map((s) => (typeof s === 'string' ? s : JSON.stringify(s))) : [],
    window: ops(a.window),
  };
}

export interface WindowBar {
  op: Op;
  lane: number;
  /** 1-based position in the linearization order, when the op is in the (shown) prefix */
  order: number | null;
  failing: boolean;
  text: string;
}

/** The window's ops (plus the last `context` linearized ops) joined with the history for their times, on lanes by process. */
export function anomalyBars(anomaly: Anomaly, ops: readonly Op[], context = 6): { bars: WindowBar[]; processes: number[] } {
  const byInvoke = new Map(ops.map((o) => [o.invokeIndex, o]));
  const firstShown = anomaly.prefixLength - anomaly.prefix.length + 1;
  const order = new Map(anomaly.prefix.map((p, i) => [p.invokeIndex, firstShown + i]));
  const shown = new Map<number, AnomalyOp>();
  for (const o of [...anomaly.window, anomaly.op]) shown.set(o.invokeIndex, o);
  // context: the last few ops of the linearizable order (what the register held just before), and any prefix
  // op that overlaps the window in time
  for (const p of anomaly.prefix.slice(-context)) if (!shown.has(p.invokeIndex)) shown.set(p.invokeIndex, p);
  const found = [...shown.keys()].map((i) => byInvoke.get(i)).filter((o): o is Op => o !== undefined);
  if (found.length > 0) {
    const lo = Math.min(...found.map((o) => o.invokeTime));
    for (const p of anomaly.prefix) {
      const o = byInvoke.get(p.invokeIndex);
      if (o && (o.completeTime ?? Infinity) >= lo && !shown.has(p.invokeIndex)) shown.set(p.invokeIndex, p);
    }
  }
  const list = [...shown.values()].map((a) => ({ a, op: byInvoke.get(a.invokeIndex) })).filter((x): x is { a: AnomalyOp; op: Op } => x.op !== undefined);
  list.sort((p, q) => p.op.invokeIndex - q.op.invokeIndex);
  const processes = [...new Set(list.map((x) => x.op.process))].sort((a, b) => a - b);
  const lane = new Map(processes.map((p, i) => [p, i]));
  return {
    processes,
    bars: list.map(({ a, op }) => ({
      op,
      lane: lane.get(op.process) as number,
      order: order.get(op.invokeIndex) ?? null,
      failing: op.invokeIndex === anomaly.op.invokeIndex,
      text: a.text ?? `p${op.process} ${describeCall(op)}`,
    })),
  };
}

export interface LinearizabilityInput {
  ops: readonly Op[];
  /** results.checkers.linearizability */
  linearizability: LinearizabilityResult | null | undefined;
  width?: number;
}

/** null when there is no anomaly (valid or unknown verdict): the picture is then skipped. */
export function renderLinearizability(input: LinearizabilityInput): string | null {
  const anomaly = readAnomaly(input.linearizability);
  if (!anomaly) return null;
  const { bars, processes } = anomalyBars(anomaly, input.ops);
  const width = input.width ?? 1100;
  const laneH = 30;
  const states = anomaly.states.slice(0, 12);
  const listTop = 76 + processes.length * laneH + 50;
  const prefixShown = anomaly.prefix.slice(-12);
  const height = listTop + 24 + Math.max(states.length + 1, prefixShown.length + 1) * 15 + 20;
  const key = anomaly.key === null || anomaly.key === undefined ? '' : ` (key ${JSON.stringify(anomaly.key)})`;
  const f = newFrame('linearizability', width, height, { top: 76, right: 40, bottom: 10, left: 64 }, `Not linearizable${key}: the failing window`);
  f.svg
    .append('text')
    .attr('x', 10)
    .attr('y', 38)
    .attr('fill', INK)
    .text(`No order of these ops fits the register: ${anomaly.op.text ?? describeCall(bars.find((b) => b.failing)?.op ?? (input.ops[0] as Op))} could not be placed after the ${anomaly.prefixLength} op(s) numbered before it.`);
  f.svg.append('text').attr('x', 10).attr('y', 54).attr('fill', MUTED).text('Numbers: position in the longest linearizable order found. Magenta: the op that could not be linearized.');
  if (bars.length === 0) return svgText(f);
  const t0 = Math.min(...bars.map((b) => b.op.invokeTime));
  const t1 = Math.max(...bars.map((b) => b.op.completeTime ?? b.op.invokeTime));
  const pad = Math.max(1e6, (t1 - t0) * 0.04);
  const x = timeScale([t0 - pad, t1 + pad], [0, f.innerWidth]);
  const nsx = (ns: number): number => x(ns / 1e9);
  const lanesH = processes.length * laneH;
  const g = f.plot;
  processes.forEach((p, i) => {
    g.append('rect').attr('class', 'lane').attr('x', 0).attr('y', i * laneH).attr('width', f.innerWidth).attr('height', laneH).attr('fill', i % 2 ? 'none' : '#f7f7f7');
    g.append('text').attr('x', -6).attr('y', i * laneH + laneH / 2 + 4).attr('text-anchor', 'end').attr('fill', MUTED).text(`p${p}`);
  });
  timeAxis(g, x, lanesH, 8);
  for (const b of bars) {
    const x0 = nsx(b.op.invokeTime);
    const x1 = Math.max(x0 + 3, nsx(b.op.completeTime ?? t1 + pad));
    const y = b.lane * laneH + 5;
    const bg = g.append('g').attr('class', `lin-op${b.failing ? ' failing' : ''}${b.order !== null ? ' linearized' : ''}`) as unknown as Sel;
    bg.append('rect')
      .attr('x', x0)
      .attr('y', y)
      .attr('width', x1 - x0)
      .attr('height', laneH - 10)
      .attr('rx', 3)
      .attr('fill', OUTCOME_COLORS[b.op.type])
      .attr('fill-opacity', b.order !== null || b.failing ? 0.85 : 0.35)
      .attr('stroke', b.failing ? HIGHLIGHT : 'none')
      .attr('stroke-width', b.failing ? 3 : 0);
    bg.append('title').text(`${b.text} · ${b.op.type} · #${b.op.invokeIndex}`);
    bg.append('text')
      .attr('x', x0 + (b.order !== null ? 10 : 4))
      .attr('y', y + laneH / 2)
      .attr('font-size', 10)
      .attr('fill', b.failing ? HIGHLIGHT : INK)
      .attr('font-weight', b.failing ? 700 : 400)
      .attr('stroke', '#fff')
      .attr('stroke-width', 3)
      .attr('paint-order', 'stroke')
      .text(b.text.replace(/^p\d+ /, ''));
    if (b.order !== null) {
      bg.append('circle').attr('class', 'order').attr('cx', x0).attr('cy', y).attr('r', 8).attr('fill', INK);
      bg.append('text').attr('x', x0).attr('y', y + 3.5).attr('text-anchor', 'middle').attr('font-size', 9).attr('fill', '#fff').text(String(b.order));
    }
  }
  const list = f.svg.append('g').attr('transform', `translate(64,${listTop})`);
  list.append('text').attr('font-weight', 600).attr('fill', INK).text(`Longest linearizable order (${anomaly.prefixLength} ops${prefixShown.length < anomaly.prefixLength ? `, last ${prefixShown.length}` : ''})`);
  const first = anomaly.prefixLength - prefixShown.length + 1;
  prefixShown.forEach((p, i) => list.append('text').attr('y', 16 + i * 15).attr('fill', INK).text(`${first + i}. ${p.text ?? `p${p.process} ${p.f}`}`));
  const st = f.svg.append('g').attr('transform', `translate(${Math.round(width / 2)},${listTop})`);
  st.append('text').attr('font-weight', 600).attr('fill', HIGHLIGHT).text(`States tried for ${anomaly.op.text ?? `p${anomaly.op.process} ${anomaly.op.f}`}`);
  states.forEach((s, i) => st.append('text').attr('class', 'state').attr('y', 16 + i * 15).attr('fill', INK).text(`register = ${s}`));
  if (anomaly.states.length > states.length) st.append('text').attr('y', 16 + states.length * 15).attr('fill', MUTED).text(`… ${anomaly.states.length - states.length} more`);
  void d3;
  return svgText(f);
}
