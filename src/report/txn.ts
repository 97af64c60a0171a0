// cycle-N.svg, for transactional checker results: each dependency cycle (G0, G1c, G-single-item, …) drawn as a
// graph of its txns on a circle, one arrow per typed step (ww, wr, rw, process, realtime), with the explanation
// rendered from the anomaly's data beside it. Pure: results in, SVG text out.
import * as d3 from 'd3';
import { explainAnomaly, type TxnAnomaly, type TxnModel, type TxnStep, type TxnView } from '../../checkers/txn/index.js';
import type { RunResults } from '../store/index.js';
import { HIGHLIGHT, INK, MUTED } from './colors.js';
import { attrSafe, legend, newFrame, svgText, type Sel } from './svg.js';

/** One cycle anomaly found in a run's results, with the checker and data model that reported it. */
export interface TxnCycle {
  checker: string;
  model: TxnModel;
  anomaly: TxnAnomaly;
}

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);

const STEP_STYLE: Readonly<Record<TxnStep['type'], { color: string; dash: string | null; label: string }>> = {
  ww: { color: '#0072b2', dash: null, label: 'ww: write → later write' },
  wr: { color: '#009e73', dash: null, label: 'wr: write → read of it' },
  rw: { color: '#d55e00', dash: '7 4', label: 'rw: read → write it missed' },
  process: { color: '#7f7f7f', dash: '2 3', label: 'process order' },
  realtime: { color: '#8e44ad', dash: '2 3', label: 'realtime order' },
};

function isCycle(a: unknown): a is TxnAnomaly {
  return isRec(a) && typeof a.type === 'string' && Array.isArray(a.ops) && isRec(a.data) && Array.isArray(a.data.steps) && Array.isArray(a.data.txns);
}

/** The cycle anomalies of every checker that judged transactions (its data names model list-append / rw-register). */
export function txnCycles(results: RunResults | null): TxnCycle[] {
  if (!results || !isRec(results.checkers)) return [];
  const out: TxnCycle[] = [];
  for (const [checker, data] of Object.entries(results.checkers)) {
    if (!isRec(data) || (data.model !== 'list-append' && data.model !== 'rw-register') || !Array.isArray(data.anomalies)) continue;
    for (const a of data.anomalies) if (isCycle(a)) out.push({ checker, model: data.model, anomaly: a });
  }
  return out;
}

/** Greedy word wrap at `width` characters, keeping a line's indentation on its continuations. */
export function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const lead = /^\s*/.exec(line)?.[0] ?? '';
    const indent = (/^\s*(- )?/.exec(line)?.[0] ?? '').length;
    let cur = lead;
    for (const word of line.slice(lead.length).split(' ')) {
      if (cur.length > indent && cur.length + 1 + word.length > width) {
        out.push(cur);
        cur = ' '.repeat(indent) + word;
      } else cur = cur.length === lead.length ? cur + word : `${cur} ${word}`;
    }
    out.push(cur);
  }
  return out;
}

function stepLabel(s: TxnStep): string {
  if (s.type === 'process') return `process ${s.process ?? ''}`.trim();
  if (s.type === 'realtime') return 'realtime';
  return s.key === undefined ? s.type : `${s.type} ${typeof s.key === 'string' ? s.key : String(s.key)}`;
}

/** The SVG of one cycle: the graph left, the explanation right. */
export function renderTxnCycle(c: TxnCycle, width = 1100): string {
  const data = c.anomaly.data as unknown as { steps: TxnStep[]; txns: TxnView[] };
  const txns = data.txns;
  const n = txns.length;
  const text = wrap(explainAnomaly(c.model, c.anomaly), 92);
  const R = n <= 2 ? 100 : Math.min(190, 70 + 22 * n);
  const graphH = 2 * R + 110;
  // the explanation starts right of the graph (txn labels sit above or below their circles, never beside), and
  // the picture is as wide as its longest line (monospace 11.5 px: about 7 px a character)
  const left = 70;
  const panelX = left + 2 * R + 70;
  width = Math.max(width, panelX + 7 * Math.max(0, ...text.map((l) => l.length)) + 20);
  const height = Math.max(graphH, 70 + text.length * 15) + 40;
  const keys = (c.anomaly.keys ?? []).map((k) => (typeof k === 'string' ? k : String(k)));
  const title = `${c.anomaly.type}: a cycle of ${n} transaction${n === 1 ? '' : 's'}${keys.length ? ` on key${keys.length > 1 ? 's' : ''} ${keys.join(', ')}` : ''} (${c.checker})`;
  const f = newFrame('txn-cycle', width, height, { top: 40, right: 10, bottom: 10, left: 10 }, title);
  f.svg.attr('data-anomaly', attrSafe(c.anomaly.type));
  const defs = f.svg.append('defs');
  for (const [type, st] of Object.entries(STEP_STYLE)) {
    defs
      .append('marker')
      .attr('id', `arrow-${type}`)
      .attr('viewBox', '0 0 10 10')
      .attr('refX', 9)
      .attr('refY', 5)
      .attr('markerWidth', 7)
      .attr('markerHeight', 7)
      .attr('orient', 'auto-start-reverse')
      .append('path')
      .attr('d', 'M0,0 L10,5 L0,10 z')
      .attr('fill', st.color);
  }
  const cx = left + R;
  const cy = 60 + R;
  const nodeR = 24;
  const at = (i: number): [number, number] => {
    const angle = n === 2 ? (i === 0 ? Math.PI : 0) : -Math.PI / 2 + (2 * Math.PI * i) / n;
    return [cx + R * Math.cos(angle), cy + R * Math.sin(angle)];
  };
  const slot = new Map(txns.map((t, i) => [t.index, i]));
  const g = f.svg.append('g').attr('class', 'cycle-graph') as unknown as Sel;
  data.steps.forEach((s, i) => {
    const a = slot.get(s.from);
    const b = slot.get(s.to);
    if (a === undefined || b === undefined) return;
    const [x0, y0] = at(a);
    const [x1, y1] = at(b);
    // a curve bending away from the centre, shortened to end at the node circles
    const mx = (x0 + x1) / 2;
    const my = (y0 + y1) / 2;
    let nx = mx - cx;
    let ny = my - cy;
    const len = Math.hypot(nx, ny);
    if (len < 1) {
      nx = y1 - y0;
      ny = x0 - x1;
    }
    const nl = Math.hypot(nx, ny) || 1;
    const bend = n === 2 ? 55 : 28;
    const qx = mx + (nx / nl) * bend;
    const qy = my + (ny / nl) * bend;
    const trim = (px: number, py: number, tx: number, ty: number): [number, number] => {
      const d = Math.hypot(tx - px, ty - py) || 1;
      return [px + ((tx - px) / d) * (nodeR + 3), py + ((ty - py) / d) * (nodeR + 3)];
    };
    const [sx, sy] = trim(x0, y0, qx, qy);
    const [ex, ey] = trim(x1, y1, qx, qy);
    const p = d3.path();
    p.moveTo(sx, sy);
    p.quadraticCurveTo(qx, qy, ex, ey);
    const st = STEP_STYLE[s.type];
    const edge = g.append('g').attr('class', `step step-${s.type}`).attr('data-step', i) as unknown as Sel;
    const line = edge.append('path').attr('d', p.toString()).attr('fill', 'none').attr('stroke', st.color).attr('stroke-width', 2.2).attr('marker-end', `url(#arrow-${s.type})`);
    if (st.dash) line.attr('stroke-dasharray', st.dash);
    // label at the curve's midpoint, pushed a little further out
    const lx = 0.25 * sx + 0.5 * qx + 0.25 * ex + (nx / nl) * 12;
    const ly = 0.25 * sy + 0.5 * qy + 0.25 * ey + (ny / nl) * 12;
    edge
      .append('text')
      .attr('x', lx)
      .attr('y', ly + 4)
      .attr('text-anchor', lx < cx - 5 ? 'end' : lx > cx + 5 ? 'start' : 'middle')
      .attr('font-size', 12)
      .attr('font-weight', 600)
      .attr('fill', st.color)
      .attr('stroke', '#fff')
      .attr('stroke-width', 3)
      .attr('paint-order', 'stroke')
      .text(stepLabel(s));
  });
  txns.forEach((t, i) => {
    const [x, y] = at(i);
    const node = g.append('g').attr('class', 'txn').attr('data-index', t.index) as unknown as Sel;
    node.append('circle').attr('cx', x).attr('cy', y).attr('r', nodeR).attr('fill', '#fff').attr('stroke', INK).attr('stroke-width', 1.6);
    node.append('text').attr('x', x).attr('y', y + 5).attr('text-anchor', 'middle').attr('font-size', 14).attr('font-weight', 700).attr('fill', INK).text(`T${i + 1}`);
    // invoke index, process and node, centred above the circle (upper half) or below it: never beside it, where
    // a left-hand label would leave the picture and a right-hand one run into the explanation
    const above = n !== 2 && y < cy - 1;
    node
      .append('text')
      .attr('x', x)
      .attr('y', above ? y - nodeR - 6 : y + nodeR + 14)
      .attr('text-anchor', 'middle')
      .attr('font-size', 10)
      .attr('fill', MUTED)
      // a halo keeps it readable where an arrow ends under it
      .attr('stroke', '#fff')
      .attr('stroke-width', 3)
      .attr('paint-order', 'stroke')
      .text(`#${t.index} p${t.process}${t.node !== undefined ? ` ${t.node}` : ''}`);
    node.append('title').text(`T${i + 1}: ${JSON.stringify(t.value)}`);
  });
  const types = [...new Set(data.steps.map((s) => s.type))];
  legend(f.svg as unknown as Sel, types.map((t) => ({ label: STEP_STYLE[t].label, color: STEP_STYLE[t].color, shape: 'line' as const })), 20, height - 14);
  const ex = f.svg.append('g').attr('class', 'explanation').attr('transform', `translate(${panelX},64)`);
  const however = text.findIndex((l) => l.startsWith('  - However'));
  text.forEach((line, i) => {
    ex.append('text')
      .attr('y', i * 15)
      .attr('font-family', 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace')
      .attr('font-size', 11.5)
      .attr('style', 'white-space: pre')
      .attr('fill', however >= 0 && i >= however ? HIGHLIGHT : INK)
      .text(line);
  });
  return svgText(f);
}
