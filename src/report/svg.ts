// Thin d3-node drawing helpers shared by every picture: a chart frame, a time axis, nemesis bands with
// labelled start/heal lines, a legend, and serialisation to a standalone SVG string.
import * as d3 from 'd3';
import { D3Node } from 'd3-node';
import { familyColor, GRID, INK, MUTED } from './colors.js';
import type { NemesisLayout } from './nemesis.js';

/** A d3 selection of an SVG element (the DOM is jsdom's; the project compiles without DOM types). */
export type Sel = d3.Selection<d3.BaseType, unknown, null, undefined>;

export interface Margin {
  top: number;
  right: number;
  bottom: number;
  left: number;
}

export interface Frame {
  node: D3Node;
  svg: Sel;
  width: number;
  height: number;
  margin: Margin;
  innerWidth: number;
  innerHeight: number;
  /** a group translated to the plot area's top-left corner */
  plot: Sel;
}

export const FONT = 'system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif';

/** A new SVG of the given size with a title line; `kind` becomes the root's data-chart attribute. */
export function newFrame(kind: string, width: number, height: number, margin: Margin, title: string): Frame {
  const node = new D3Node();
  const svg = node.createSVG(width, height, {
    viewBox: `0 0 ${width} ${height}`,
    'font-family': FONT,
    'font-size': 11,
    'data-chart': kind,
  });
  svg.append('rect').attr('width', width).attr('height', height).attr('fill', '#fff');
  svg.append('text').attr('x', 10).attr('y', 18).attr('font-size', 14).attr('font-weight', 600).attr('fill', INK).text(title);
  const plot = svg.append('g').attr('transform', `translate(${margin.left},${margin.top})`) as unknown as Sel;
  return {
    node,
    svg,
    width,
    height,
    margin,
    innerWidth: Math.max(10, width - margin.left - margin.right),
    innerHeight: Math.max(10, height - margin.top - margin.bottom),
    plot,
  };
}

/** Serialise a frame to a standalone SVG document string. */
export function svgText(frame: Frame): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${frame.node.svgString()}\n`;
}

/** A muted SVG saying why a picture has nothing to show. */
export function emptyChart(kind: string, title: string, message: string, width = 900): string {
  const f = newFrame(kind, width, 80, { top: 30, right: 10, bottom: 10, left: 10 }, title);
  f.plot.append('text').attr('y', 24).attr('fill', MUTED).text(message);
  return svgText(f);
}

/** A d3 axis as a function callable on our structurally-typed selections. */
export function asCall(axis: unknown): (s: Sel) => void {
  return axis as (s: Sel) => void;
}

/** Bottom time axis (seconds since start) with light vertical grid lines. */
export function timeAxis(g: Sel, x: d3.ScaleLinear<number, number>, innerHeight: number, ticks = 10): void {
  const grid = g.append('g').attr('class', 'grid');
  for (const t of x.ticks(ticks)) {
    grid.append('line').attr('x1', x(t)).attr('x2', x(t)).attr('y1', 0).attr('y2', innerHeight).attr('stroke', GRID);
  }
  const axis = g.append('g').attr('class', 'x-axis').attr('transform', `translate(0,${innerHeight})`) as unknown as Sel;
  axis.call(asCall(d3.axisBottom(x).ticks(ticks).tickFormat((d) => `${d3.format('~g')(d as number)}`)));
  g.append('text')
    .attr('x', x.range()[1] as number)
    .attr('y', innerHeight + 30)
    .attr('text-anchor', 'end')
    .attr('fill', MUTED)
    .text('time since start (s)');
}

/**
 * A user-supplied name (an f, a node, a family) made safe for an attribute value: jsdom's HTML serialiser does
 * not escape '<' in attributes, which would make the standalone SVG ill-formed XML.
 */
export function attrSafe(name: string): string {
  return name.replace(/[^\w.:-]/g, '_');
}

/** Rough width in px of a label in the report's sans-serif font. */
export function textWidth(text: string, fontSize = 11): number {
  return text.length * fontSize * 0.58;
}

/**
 * Rows (0, 1, …) for labels at sorted x positions so that in one row a label starts at least minGap after the
 * previous one's start and after its end (widths[i], when given); when no row is free, the least recent is reused.
 */
export function labelRows(xs: readonly number[], minGap: number, rows = 3, widths: readonly number[] = []): number[] {
  const freeAt: number[] = new Array(rows).fill(-Infinity);
  return xs.map((x, i) => {
    let row = freeAt.findIndex((l) => x >= l);
    if (row < 0) row = freeAt.indexOf(Math.min(...freeAt));
    freeAt[row] = x + Math.max(minGap, (widths[i] ?? 0) + 6);
    return row;
  });
}

export interface BandOptions {
  /** ns → px */
  x: (ns: number) => number;
  top: number;
  bottom: number;
  /** draw labels above `top` (default true); they take BAND_LABEL_SPACE px there */
  labels?: boolean;
  /** px clipping range of the plot */
  clip: [number, number];
  /** how far right of the clip a label may run before it is drawn leftward (default 140: the right margin) */
  overhang?: number;
}

/** Fill opacity of fault bands (the legend's swatches use the same). */
export const BAND_OPACITY = 0.12;
/** Rows of fault labels above a plot, and the px they take (callers leave this much room above `top`). */
export const BAND_LABEL_ROWS = 2;
export const BAND_LABEL_SPACE = BAND_LABEL_ROWS * 11 + 6;

function seconds(ns: number): string {
  return `${(ns / 1e9).toFixed(2)} s`;
}

/**
 * Shade fault intervals; a vertical line at each fault start (labelled with its short label), heal (dashed,
 * unlabelled) and instant event (labelled). Every band, line and label carries the full detail as an SVG
 * <title> (hover text).
 */
export function nemesisBands(g: Sel, layout: NemesisLayout, o: BandOptions): void {
  const bands = g.append('g').attr('class', 'nemesis');
  const [cx0, cx1] = o.clip;
  const marks: Array<{ x: number; label: string | null; title: string; color: string; dash: boolean }> = [];
  for (const iv of layout.intervals) {
    const a = Math.max(cx0, o.x(iv.start));
    const b = Math.min(cx1, o.x(iv.end));
    if (b < cx0 || a > cx1) continue;
    const color = familyColor(iv.family);
    const span = `${seconds(iv.start)} → ${iv.open ? 'never healed' : `${seconds(iv.end)} (${iv.endF ?? 'heal'})`}`;
    const title = `${iv.label}: ${span}\n${iv.detail ?? iv.f}`;
    const rect = bands
      .append('rect')
      .attr('class', 'band')
      .attr('data-family', attrSafe(iv.family))
      .attr('x', a)
      .attr('y', o.top)
      .attr('width', Math.max(1, b - a))
      .attr('height', Math.max(0, o.bottom - o.top))
      .attr('fill', color)
      .attr('fill-opacity', BAND_OPACITY);
    rect.append('title').text(title);
    if (o.x(iv.start) >= cx0) marks.push({ x: o.x(iv.start), label: iv.label, title, color, dash: false });
    if (!iv.open && o.x(iv.end) <= cx1) marks.push({ x: o.x(iv.end), label: null, title: `${iv.endF ?? 'heal'} at ${seconds(iv.end)} (${iv.label})`, color, dash: true });
  }
  for (const ev of layout.instants) {
    const x = o.x(ev.time);
    if (x >= cx0 && x <= cx1) marks.push({ x, label: ev.label, title: `${ev.label} at ${seconds(ev.time)}\n${ev.detail ?? ev.f}`, color: '#333', dash: false });
  }
  marks.sort((p, q) => p.x - q.x);
  const labelled = marks.filter((m) => m.label !== null);
  const rows = labelRows(
    labelled.map((m) => m.x),
    40,
    BAND_LABEL_ROWS,
    labelled.map((m) => textWidth(m.label as string, 10)),
  );
  const rowOf = new Map(labelled.map((m, i) => [m, rows[i] as number]));
  for (const m of marks) {
    const line = bands
      .append('line')
      .attr('class', 'fault-line')
      .attr('x1', m.x)
      .attr('x2', m.x)
      .attr('y1', o.top)
      .attr('y2', o.bottom)
      .attr('stroke', m.color)
      .attr('stroke-width', 1.2);
    if (m.dash) line.attr('stroke-dasharray', '4 3');
    line.append('title').text(m.title);
    if (o.labels !== false && m.label !== null) {
      // a label that would run past the plot's right margin is drawn to the left of its line
      const leftward = m.x + 2 + textWidth(m.label, 10) > cx1 + (o.overhang ?? 140);
      const text = bands
        .append('text')
        .attr('class', 'fault-label')
        .attr('text-anchor', leftward ? 'end' : 'start')
        .attr('x', leftward ? m.x - 2 : m.x + 2)
        .attr('y', o.top - 4 - (rowOf.get(m) as number) * 11)
        .attr('font-size', 10)
        .attr('fill', m.color)
        .text(m.label);
      text.append('title').text(m.title);
    }
  }
}

/** Legend items for the fault families a layout shades: each swatch in its band's colour and opacity. */
export function faultLegend(layout: NemesisLayout): LegendItem[] {
  const families = [...new Set(layout.intervals.map((iv) => iv.family))];
  return families.map((f) => ({ label: f, color: familyColor(f), shape: 'band' as const }));
}

export interface LegendItem {
  label: string;
  color: string;
  shape?: 'rect' | 'circle' | 'line' | 'band' | 'outline';
}

/** A one-row legend starting at (x, y); returns its width. */
export function legend(g: Sel, items: readonly LegendItem[], x: number, y: number): number {
  const lg = g.append('g').attr('class', 'legend').attr('transform', `translate(${x},${y})`);
  let cx = 0;
  for (const it of items) {
    const shape = it.shape ?? 'rect';
    if (shape === 'circle') lg.append('circle').attr('cx', cx + 5).attr('cy', -4).attr('r', 4).attr('fill', it.color);
    else if (shape === 'line') lg.append('line').attr('x1', cx).attr('x2', cx + 12).attr('y1', -4).attr('y2', -4).attr('stroke', it.color).attr('stroke-width', 2);
    else if (shape === 'outline')
      lg.append('rect').attr('x', cx).attr('y', -9).attr('width', 12).attr('height', 10).attr('fill', 'none').attr('stroke', it.color).attr('stroke-width', 2);
    else
      lg.append('rect')
        .attr('x', cx)
        .attr('y', -9)
        .attr('width', 12)
        .attr('height', 10)
        .attr('fill', it.color)
        .attr('fill-opacity', shape === 'band' ? BAND_OPACITY : 1)
        .attr('stroke', shape === 'band' ? it.color : 'none')
        .attr('stroke-opacity', 0.35);
    lg.append('text').attr('x', cx + 16).attr('y', 0).attr('fill', INK).text(it.label);
    cx += 16 + it.label.length * 5.6 + 14;
  }
  return cx;
}
