// timeline.html: the interactive timeline. The whole run (or, past 20,000 ops, a panel per anomaly cluster)
// drawn wide; hover an op for its full event (process, node, values, error, times), click to pin it; every
// lost element links to the op that wrote it and to the reads around its loss. One self-contained file:
// data and script inline, no network (a Content-Security-Policy forbids it), works from file://. Pure.
import { compactList } from '../../checkers/ref.js';
import type { Json, Op } from '../history/types.js';
import type { RunResults, TestDescription } from '../store/index.js';
import type { Highlight, LostLink } from './anomalies.js';
import { STYLE, verdictOf } from './html.js';
import type { NemesisLayout } from './nemesis.js';
import { esc } from './tables.js';
import { renderTimeline } from './timeline.js';

export interface TimelinePageInput {
  runName: string;
  test: TestDescription | null;
  results: RunResults | null;
  ops: readonly Op[];
  nemesis: NemesisLayout;
  highlights: readonly Highlight[];
  lost: { links: LostLink[]; count: number };
  start: number;
  end: number;
}

/** Up to this many ops the page draws the whole run; past it, one panel per anomaly cluster. */
export const PAGE_MAX_OPS = 20000;
/** Width of the whole-run picture: about PX_PER_OP px per op of the busiest lane, within these bounds. */
const PX_PER_OP = 4;
const MIN_W = 1100;
const MAX_W = 12000;

/** Ops per second of the busiest process while it was active (first to last invoke). */
function laneRate(ops: readonly Op[]): number {
  const lanes = new Map<number, { n: number; first: number; last: number }>();
  for (const op of ops) {
    const l = lanes.get(op.process);
    if (!l) lanes.set(op.process, { n: 1, first: op.invokeTime, last: op.invokeTime });
    else {
      l.n++;
      l.last = Math.max(l.last, op.invokeTime);
    }
  }
  let best = 0;
  for (const l of lanes.values()) if (l.n > 1) best = Math.max(best, (l.n - 1) / Math.max(1e-3, (l.last - l.first) / 1e9));
  return best;
}

/** A value for the details panel: long element lists as their count and ranges, the rest as JSON (cut). */
export function displayValue(v: Json | undefined): string {
  if (v === undefined) return '';
  if (Array.isArray(v) && v.length > 12) return `${v.length} elements: ${compactList(v, 40)}`;
  const s = typeof v === 'string' ? JSON.stringify(v) : (JSON.stringify(v) ?? String(v));
  return s.length > 400 ? `${s.slice(0, 399)}…` : s;
}

/** The op record the page's script reads (short keys keep the file small). */
interface PageOp {
  /** process, f, type */
  p: number;
  f: string;
  t: string;
  /** invoke / completion index and time (ns) */
  ii: number;
  ci: number | null;
  it: number;
  ct: number | null;
  n?: string;
  k?: string;
  iv?: string;
  v?: string;
  e?: string;
  r?: number;
  ro?: number;
}

function pageOp(op: Op): PageOp {
  const o: PageOp = { p: op.process, f: op.f, t: op.type, ii: op.invokeIndex, ci: op.completeIndex, it: op.invokeTime, ct: op.completeTime };
  if (op.node !== undefined) o.n = op.node;
  if (op.key !== undefined) o.k = JSON.stringify(op.key);
  if (op.invokeValue !== null && op.invokeValue !== undefined) o.iv = displayValue(op.invokeValue);
  if (op.completeIndex !== null && op.type === 'ok' && JSON.stringify(op.value) !== JSON.stringify(op.invokeValue)) o.v = displayValue(op.value);
  if (op.error !== undefined) o.e = op.error;
  if (op.retry !== undefined) o.r = op.retry;
  if (op.retryOf !== undefined) o.ro = op.retryOf;
  return o;
}

/** JSON safe inside a <script> element. */
function scriptJson(v: unknown): string {
  return JSON.stringify(v).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function seconds(ns: number | null): string {
  return ns === null ? '—' : `${(ns / 1e9).toFixed(3)} s`;
}

/** A link to op `i` (position in ops) in the page: "#op-<invoke index>" with a short description. */
function opLink(ops: readonly Op[], i: number | null, what: string): string {
  if (i === null) return '<span class="meta">not in the history</span>';
  const op = ops[i] as Op;
  return `<a class="op-link" href="#op-${op.invokeIndex}" data-i="${i}">${esc(what)} #${op.invokeIndex}</a> <span class="meta">p${op.process}${op.node ? ` on ${esc(op.node)}` : ''}, ${esc(op.type)} at ${seconds(op.invokeTime)}</span>`;
}

const SCRIPT = `
(() => {
  const ops = JSON.parse(document.getElementById('ops-data').textContent);
  const notes = JSON.parse(document.getElementById('notes-data').textContent);
  const byInvoke = new Map(ops.map((o, i) => [o.ii, i]));
  const panel = document.getElementById('details');
  const chart = document.getElementById('chart');
  let pinned = null;
  const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
  const sec = (ns) => (ns === null ? '—' : (ns / 1e9).toFixed(3) + ' s');
  const row = (k, v, cls) => v === undefined || v === null || v === '' ? '' : '<tr><th>' + k + '</th><td' + (cls ? ' class="' + cls + '"' : '') + ' data-field="' + k + '">' + v + '</td></tr>';
  function show(i) {
    const o = ops[i];
    if (!o) return;
    const lat = o.ct === null ? 'never completed' : ((o.ct - o.it) / 1e6).toFixed(3) + ' ms';
    panel.innerHTML = '<h3>' + esc(o.f) + ' #' + o.ii + (pinned === i ? ' <span class="meta">(pinned: click elsewhere to unpin)</span>' : '') + '</h3><table class="kv">' +
      row('process', 'p' + o.p) + row('node', o.n && esc(o.n)) + row('key', o.k && esc(o.k)) + row('type', esc(o.t), 'type-' + o.t) +
      row('value', o.iv && esc(o.iv)) + row('result', o.v && esc(o.v)) + row('error', o.e && esc(o.e)) +
      row('invoked', sec(o.it) + ' (event ' + o.ii + ')') + row('completed', o.ct === null ? 'never' : sec(o.ct) + ' (event ' + o.ci + ')') + row('latency', lat) +
      row('retry', o.r ? 'attempt ' + o.r + (o.ro !== undefined ? ' of #' + o.ro : '') : '') +
      '</table>' + (notes[i] ? '<div class="op-notes">' + notes[i] + '</div>' : '');
    panel.dataset.i = String(i);
    panel.hidden = false;
  }
  function mark(i) {
    for (const r of document.querySelectorAll('rect.op.selected')) r.classList.remove('selected');
    for (const r of document.querySelectorAll('rect.op[data-i="' + i + '"]')) r.classList.add('selected');
  }
  function select(i, scroll) {
    pinned = i;
    mark(i);
    show(i);
    const r = document.querySelector('rect.op[data-i="' + i + '"]');
    if (scroll && r) r.scrollIntoView({ block: 'center', inline: 'center' });
    if (!r) panel.insertAdjacentHTML('beforeend', '<p class="meta">not drawn in the panels above</p>');
  }
  chart.addEventListener('mouseover', (e) => {
    const r = e.target.closest && e.target.closest('rect.op');
    if (r && pinned === null) show(Number(r.dataset.i));
  });
  chart.addEventListener('click', (e) => {
    const r = e.target.closest && e.target.closest('rect.op');
    if (!r) { pinned = null; mark(-1); return; }
    const i = Number(r.dataset.i);
    if (pinned === i) { pinned = null; mark(-1); show(i); } else select(i, false);
  });
  function fromHash() {
    const m = /^#op-(\\d+)$/.exec(location.hash);
    if (m && byInvoke.has(Number(m[1]))) select(byInvoke.get(Number(m[1])), true);
  }
  window.addEventListener('hashchange', fromHash);
  document.addEventListener('click', (e) => {
    const a = e.target.closest && e.target.closest('a.op-link');
    if (a && location.hash === a.getAttribute('href')) { e.preventDefault(); fromHash(); }
  });
  fromHash();
})();
`;

const PAGE_STYLE = `
#chart{overflow-x:auto;background:#fff;border:1px solid #e2e2e2;padding:4px}
#chart svg{display:block}
rect.op{cursor:pointer}
rect.op:hover{stroke:#000;stroke-width:1}
rect.op.selected{stroke:#000;stroke-width:2.5}
#details{position:fixed;right:12px;bottom:12px;width:400px;max-height:60vh;overflow:auto;background:#fff;border:1px solid #bbb;box-shadow:0 2px 8px rgba(0,0,0,.15);padding:6px 10px;font-size:12.5px;z-index:2}
#details h3{margin:4px 0}
#details td{word-break:break-all}
.type-ok{color:#2e7d4f}.type-fail{color:#c62828}.type-info{color:#8a5a00}
.op-notes{margin-top:6px}
.bad{color:#c62828;font-weight:600}
`;

/** The whole timeline.html. */
export function renderTimelinePage(input: TimelinePageInput): string {
  const { ops } = input;
  const durationS = Math.max(1, (input.end - input.start) / 1e9);
  const whole = ops.length <= PAGE_MAX_OPS;
  const pxPerS = Math.max(40, PX_PER_OP * laneRate(ops));
  const width = whole ? Math.round(Math.min(MAX_W, Math.max(MIN_W, durationS * pxPerS + 226))) : 1600;
  const { svg, layout } = renderTimeline({
    ops,
    nemesis: input.nemesis,
    highlights: input.highlights,
    start: input.start,
    end: input.end,
    width,
    interactive: true,
    window: { maxOps: PAGE_MAX_OPS, detailOps: 6000 },
  });
  const inline = svg.replace(/^<\?xml[^>]*>\s*/, '');
  // notes per op: what the checkers say about it, with links to the ops around a loss
  const notes = new Map<number, string[]>();
  const note = (i: number | null, html: string): void => {
    if (i === null) return;
    notes.set(i, [...(notes.get(i) ?? []), html]);
  };
  for (const h of input.highlights) note(h.op, `<div class="bad">${esc(h.labels.join('; '))}</div>`);
  for (const l of input.lost.links) {
    const el = esc(JSON.stringify(l.element));
    const missed = l.missedByFinal !== undefined ? `the final read on ${esc(l.missedByFinal)}` : opLink(ops, l.missedBy, 'read');
    note(l.write, `<div>lost element ${el}: last seen by ${opLink(ops, l.lastSeen, 'read')}; missed by ${missed}</div>`);
    note(l.missedBy, `<div>missed lost element ${el}, written by ${opLink(ops, l.write, 'add')}</div>`);
    note(l.lastSeen, `<div>the last read to see lost element ${el}</div>`);
  }
  const dataOps = ops.map(pageOp);
  const notesObj: Record<number, string> = {};
  for (const [i, n] of notes) notesObj[i] = n.slice(0, 20).join('') + (n.length > 20 ? `<div class="meta">… ${n.length - 20} more</div>` : '');
  const v = verdictOf(input.results?.valid);
  const name = input.test?.name ?? input.runName;
  const lost = input.lost;
  const lostRows = lost.links.map(
    (l) =>
      `<tr class="lost" data-element="${esc(JSON.stringify(l.element))}"><td class="num">${esc(JSON.stringify(l.element))}</td>${l.key !== undefined ? `<td>${esc(JSON.stringify(l.key))}</td>` : ''}<td>${opLink(ops, l.write, 'add')}</td><td>${opLink(ops, l.lastSeen, 'read')}</td><td>${l.missedByFinal !== undefined ? `final read on ${esc(l.missedByFinal)}` : opLink(ops, l.missedBy, 'read')}</td></tr>`,
  );
  const keyed = lost.links.some((l) => l.key !== undefined);
  const kept = lost.links.length < lost.count ? ` (the first ${lost.links.length} the checker kept; every element, as ranges, is results.json's checkers.set.lostElements)` : '';
  const others = input.highlights.filter((h) => !(h.kinds ?? []).every((k) => k === 'lost')).slice(0, 1000);
  const parts: string[] = [];
  parts.push(`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">`);
  parts.push(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'">`);
  parts.push(`<title>${esc(name)}: timeline — faultline</title><style>${STYLE}${PAGE_STYLE}</style></head><body>`);
  parts.push(`<header><h1>${esc(name)} <span class="verdict ${v}" data-verdict="${v}">${v.toUpperCase()}</span></h1>`);
  parts.push(`<nav><a href="index.html">← the report</a><a href="#lost">lost elements (${lost.count})</a>${others.length ? `<a href="#anomalies">other anomalies (${others.length})</a>` : ''}</nav>`);
  parts.push(
    `<p class="meta">Hover an op for its full event; click it to pin the details (click again to unpin). ${whole ? `The whole run: ${ops.length} ops; scroll sideways.` : `${ops.length} ops: more than ${PAGE_MAX_OPS}, so the panels show each anomaly cluster (${layout.bars.length} bars drawn).`} ${layout.highlighted} anomaly op(s) outlined${layout.outlined < layout.highlighted ? ` (${layout.outlined} drawn)` : ''}.</p></header><main>`,
  );
  parts.push(`<div id="chart">${inline}</div>`);
  parts.push(`<aside id="details" hidden><p class="meta">hover an op</p></aside>`);
  parts.push(`<h2 id="lost">Lost elements: ${lost.count}${esc(kept)}</h2>`);
  if (lost.links.length) {
    parts.push(`<table class="items" id="lost-table"><tr><th>element</th>${keyed ? '<th>key</th>' : ''}<th>written by</th><th>last seen by</th><th>first missed by</th></tr>${lostRows.join('')}</table>`);
  } else parts.push(`<p class="skipped">none</p>`);
  if (others.length) {
    parts.push(`<h2 id="anomalies">Other anomalies</h2><ul>${others.map((h) => `<li>${esc(h.labels.join('; '))}: ${opLink(ops, h.op, (ops[h.op] as Op).f)}</li>`).join('')}</ul>`);
  }
  parts.push(`<script type="application/json" id="ops-data">${scriptJson(dataOps)}</script>`);
  parts.push(`<script type="application/json" id="notes-data">${scriptJson(notesObj)}</script>`);
  parts.push(`<script>${SCRIPT}</script>`);
  parts.push(`</main></body></html>\n`);
  return parts.join('\n');
}
