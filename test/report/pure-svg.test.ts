// Tests of the timeline, latency and rate pictures: well-formed SVG, one lane per process, one bar per op,
// one band per fault, anomaly ops outlined; long runs get a detail window and an overview and stay small.
import { partialCheckers } from '../support/results.js';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pairHistory } from '../../src/history/pair.js';
import type { HistoryEvent, PairedHistory } from '../../src/history/types.js';
import { findHighlights, listItems } from '../../src/report/anomalies.js';
import { latencyPoints, latencyQuantiles, renderLatency } from '../../src/report/latency.js';
import { loadRun } from '../../src/report/load.js';
import { nemesisIntervals } from '../../src/report/nemesis.js';
import { rateSeries, renderRate } from '../../src/report/rate.js';
import { layoutTimeline, renderTimeline } from '../../src/report/timeline.js';
import { clusterSpans } from '../../src/report/window.js';
import { assertWellFormedXml, countClass } from './pure-xml.js';

const RUNS = join(import.meta.dirname, '..', 'fixtures', 'runs');
const MS = 1e6;

/** A hand-built history: 3 processes, a kill from 20 ms to 60 ms, one op never completed. */
function small(): PairedHistory {
  const raw: Array<Omit<HistoryEvent, 'index'>> = [
    { time: 0, process: 0, type: 'invoke', f: 'write', value: 1 },
    { time: 1 * MS, process: 1, type: 'invoke', f: 'read', value: null },
    { time: 5 * MS, process: 0, type: 'ok', f: 'write', value: 1 },
    { time: 6 * MS, process: 1, type: 'ok', f: 'read', value: 1 },
    { time: 20 * MS, process: 'nemesis', type: 'invoke', f: 'kill', value: ['n1'] },
    { time: 21 * MS, process: 'nemesis', type: 'info', f: 'kill', value: ['n1'] },
    { time: 22 * MS, process: 2, type: 'invoke', f: 'write', value: 2 },
    { time: 25 * MS, process: 0, type: 'invoke', f: 'read', value: null },
    { time: 26 * MS, process: 0, type: 'fail', f: 'read', value: null, error: 'ECONNREFUSED' },
    { time: 30 * MS, process: 1, type: 'invoke', f: 'write', value: 3 },
    { time: 45 * MS, process: 1, type: 'info', f: 'write', value: 3, error: 'timeout' },
    { time: 60 * MS, process: 'nemesis', type: 'invoke', f: 'start', value: ['n1'] },
    { time: 61 * MS, process: 'nemesis', type: 'info', f: 'start', value: ['n1'] },
    { time: 70 * MS, process: 4, type: 'invoke', f: 'read', value: null },
    { time: 72 * MS, process: 4, type: 'ok', f: 'read', value: 2 },
  ];
  return pairHistory(raw.map((e, index) => ({ ...e, index }) as HistoryEvent));
}

/** A long seeded history: n ops over `processes` lanes, 1 ms apart, a partition in the middle. */
function long(n: number, processes: number): PairedHistory {
  const events: HistoryEvent[] = [];
  let index = 0;
  const push = (e: Omit<HistoryEvent, 'index'>): void => void events.push({ ...e, index: index++ } as HistoryEvent);
  let seed = 7;
  const rnd = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const nemAt = Math.floor(n / 3);
  for (let i = 0; i < n; i++) {
    const t = i * MS;
    if (i === nemAt) push({ time: t, process: 'nemesis', type: 'invoke', f: 'start-partition', value: 'majority' });
    if (i === 2 * nemAt) push({ time: t, process: 'nemesis', type: 'invoke', f: 'stop-partition', value: null });
    const p = i % processes;
    push({ time: t, process: p, type: 'invoke', f: i % 4 === 0 ? 'read' : 'write', value: i % 4 === 0 ? null : i });
    const r = rnd();
    push({ time: t + 0.5 * MS, process: p, type: r < 0.9 ? 'ok' : r < 0.95 ? 'fail' : 'info', f: i % 4 === 0 ? 'read' : 'write', value: i % 4 === 0 ? i - 1 : i });
  }
  return pairHistory(events);
}

describe('timeline.svg', () => {
  it('draws one lane per process, one bar per op, one band per fault, a line at start and heal', () => {
    const h = small();
    const nemesis = nemesisIntervals(h.nemesis, 72 * MS);
    const { svg, layout } = renderTimeline({ ops: h.ops, nemesis, highlights: [{ op: 5, labels: ['stale'] }], start: 0, end: 72 * MS });
    assertWellFormedXml(svg);
    expect(svg).toContain('xmlns="http://www.w3.org/2000/svg"');
    expect(countClass(svg, 'lane')).toBe(4); // processes 0, 1, 2, 4
    expect(countClass(svg, 'op')).toBe(h.ops.length);
    expect(countClass(svg, 'band')).toBe(1);
    expect(countClass(svg, 'fault-line')).toBe(2);
    expect(countClass(svg, 'open')).toBe(1); // p2's write never completed
    expect(countClass(svg, 'anomaly-outline')).toBe(1);
    expect(svg).toContain('stale: p4 read');
    expect(layout.window.reason).toBe('all');
    expect(layout.overview).toBeNull();
    const open = layout.bars.find((b) => b.open);
    expect(open?.x1).toBeCloseTo(layout.left + layout.plotWidth, 5); // runs to the end of the run
  });

  it('long runs show a detail window around the anomaly with an overview of the whole run, and stay small', () => {
    const h = long(30000, 10);
    const end = 30000 * MS;
    const nemesis = nemesisIntervals(h.nemesis, end);
    const target = 25000;
    const { svg, layout } = renderTimeline({ ops: h.ops, nemesis, highlights: [{ op: target, labels: ['cannot be linearized'] }], start: 0, end });
    assertWellFormedXml(svg);
    expect(layout.window.reason).toBe('anomaly');
    expect(layout.overview).not.toBeNull();
    expect(countClass(svg, 'window')).toBe(1);
    expect(layout.bars.length).toBeLessThan(1500);
    expect(layout.bars.some((b) => b.op === target && b.highlight)).toBe(true);
    expect(svg.length).toBeLessThan(3_000_000);
  });

  it('long runs without an anomaly show the densest window', () => {
    const h = long(5000, 5);
    const layout = layoutTimeline({ ops: h.ops, nemesis: { intervals: [], instants: [] }, highlights: [], start: 0, end: 5000 * MS });
    expect(layout.window.reason).toBe('densest');
    expect(layout.lanes).toHaveLength(5);
  });
});

describe('latency.svg and rate.svg', () => {
  it('latency points skip never-completed ops; the picture has one panel per f', () => {
    const h = small();
    expect(latencyPoints(h.ops)).toHaveLength(h.ops.length - 1);
    const svg = renderLatency({ ops: h.ops, nemesis: nemesisIntervals(h.nemesis, 72 * MS), start: 0, end: 72 * MS });
    assertWellFormedXml(svg);
    expect(countClass(svg, 'panel')).toBe(2);
    expect((svg.match(/<circle /g) ?? []).length).toBeGreaterThanOrEqual(h.ops.length - 1);
  });

  it('latency thins ok points above the cap but keeps every fail and info', () => {
    const h = long(30000, 10);
    const pts = latencyPoints(h.ops, 5000);
    const rare = h.ops.filter((o) => o.type !== 'ok').length;
    expect(pts.filter((p) => p.type !== 'ok')).toHaveLength(rare);
    expect(pts.length).toBeLessThanOrEqual(5000 + 1);
  });

  it('latency quantile lines: p50 ≤ p95 ≤ p99 of ok ops per bucket, three lines per panel over the points', () => {
    const h = long(6000, 5);
    const q = latencyQuantiles(h.ops, 0, 6000 * MS);
    expect([...q.keys()].sort()).toEqual(['read', 'write']);
    for (const series of q.values()) {
      expect(series.length).toBe(6); // 6 s of 1 s buckets
      for (const b of series) {
        expect(b.values[0]).toBeLessThanOrEqual(b.values[1] as number);
        expect(b.values[1]).toBeLessThanOrEqual(b.values[2] as number);
      }
    }
    const svg = renderLatency({ ops: h.ops, nemesis: { intervals: [], instants: [] }, start: 0, end: 6000 * MS });
    assertWellFormedXml(svg);
    expect(countClass(svg, 'quantile')).toBe(6);
    expect(svg.indexOf('class="quantiles"')).toBeGreaterThan(svg.indexOf('class="points"'));
  });

  it('rate counts completions per second by outcome', () => {
    const h = small();
    const s = rateSeries(h.ops, 0, 2e9);
    expect(s.buckets).toHaveLength(2);
    expect(s.buckets[0]).toMatchObject({ ok: 3, fail: 1, info: 1 });
    const svg = renderRate({ ops: h.ops, nemesis: { intervals: [], instants: [] }, start: 0, end: 2e9 });
    assertWellFormedXml(svg);
    expect(countClass(svg, 'series')).toBe(3);
  });
});

describe('pictures of the example runs', () => {
  it.each([
    ['counter-pause-streaming-async/20260103T060000Z', 'counter'],
    ['register-partition-streaming-async/20260102T030000Z', 'cannot be linearized'],
  ])('%s: the anomaly named in results.json is highlighted', async (dir, label) => {
    const run = await loadRun(join(RUNS, dir));
    const hl = findHighlights(run.results, run.history.ops);
    expect(hl.length).toBeGreaterThan(0);
    expect(hl.flatMap((x) => x.labels).join(' ')).toContain(label);
    const { svg } = renderTimeline({ ops: run.history.ops, nemesis: nemesisIntervals(run.history.nemesis, run.end), highlights: hl, start: run.start, end: run.end });
    assertWellFormedXml(svg);
    expect(countClass(svg, 'anomaly-outline')).toBe(hl.length);
    expect(countClass(svg, 'band')).toBe(1);
  });

  it('a valid run highlights nothing; metrics are read', async () => {
    const run = await loadRun(join(RUNS, 'set-kill-streaming-async/20260101T000000Z'));
    expect(findHighlights(run.results, run.history.ops)).toEqual([]);
    expect(run.metrics.length).toBeGreaterThan(10);
    expect(run.notes).toEqual([]);
  });

  it('a set checker\'s lost anomalies highlight the adds, labelled with the element', () => {
    expect(listItems({ count: 2, items: [1, 2], truncated: false })).toEqual([1, 2]);
    const h = small();
    (h.ops[4] as { f: string }).f = 'add'; // p1's info write of 3, as a set add
    const lost = { type: 'lost', ops: [h.ops[4]!.invokeIndex], data: { element: 3 } };
    const results = { valid: false as const, summary: [], checkers: partialCheckers({ set: { valid: false, lost: { count: 1, items: [{ element: 3 }], truncated: false }, anomalies: [lost] } }) };
    expect(findHighlights(results, h.ops)).toEqual([{ op: 4, labels: ['lost 3'], kinds: ['lost'], elements: [3] }]);
  });
});

describe('metrics.jsonl reading', () => {
  it('strict mode throws on a malformed middle line with file:line, but skips a half-written last line', async () => {
    const { parseMetrics } = await import('../../src/report/load.js');
    const good = '{"time":1,"node":"n1"}';
    expect(parseMetrics(`${good}\n${good}\n{"time":`, 'm.jsonl', true)).toMatchObject({ skipped: 1 });
    expect(() => parseMetrics(`${good}\n{"ti\n${good}\n`, 'm.jsonl', true)).toThrow('m.jsonl:2');
    expect(parseMetrics(`${good}\nnot json\n${good}\n`, 'm.jsonl', false).samples).toHaveLength(2);
  });
});

describe('crowded anomaly labels', () => {
  it('sit in the gutter right of the plot, one per lane, so they never cover a bar', () => {
    const h = long(2000, 2);
    const highlights = Array.from({ length: 100 }, (_, i) => ({ op: 600 + i, labels: [`lost ${600 + i}`], kinds: ['lost'], elements: [600 + i] }));
    const { svg, layout } = renderTimeline({ ops: h.ops, nemesis: { intervals: [], instants: [] }, highlights, start: 0, end: 2000 * MS });
    expect(countClass(svg, 'anomaly-outline')).toBe(100);
    const notes = layout.panels.flatMap((p) => p.notes);
    expect(notes.map((n) => n.text)).toEqual(['lost ×50 (600 … 698)', 'lost ×50 (601 … 699)']);
    const xs = [...svg.matchAll(/<text class="anomaly-label" x="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(xs).toHaveLength(2);
    for (const x of xs) expect(x).toBeGreaterThan(layout.left + layout.plotWidth);
  });
});

describe('detail panels', () => {
  it('one per anomaly cluster, each titled with its count; every anomaly op lies in a panel', () => {
    const h = long(20000, 5);
    const end = 20000 * MS;
    // two clusters, 10 s apart, and one anomaly at the very end
    const ops = [...Array.from({ length: 40 }, (_, i) => 3000 + i * 3), ...Array.from({ length: 60 }, (_, i) => 13000 + i * 2), 19990];
    const highlights = ops.map((op) => ({ op, labels: ['lost'], kinds: ['lost'] }));
    const { svg, layout } = renderTimeline({ ops: h.ops, nemesis: { intervals: [], instants: [] }, highlights, start: 0, end });
    assertWellFormedXml(svg);
    expect(layout.panels).toHaveLength(3);
    expect(layout.panels.map((p) => p.anomalies)).toEqual([40, 60, 1]);
    expect(countClass(svg, 'panel')).toBe(3);
    expect(svg).toContain('detail 2 of 3:');
    expect(svg).toContain('60 anomaly ops');
    expect(countClass(svg, 'anomaly-outline')).toBe(ops.length);
    const drawn = new Set(layout.bars.filter((b) => b.highlight).map((b) => b.op));
    for (const op of ops) expect(drawn.has(op)).toBe(true);
  });

  it('clusters merge until at most MAX_PANELS remain', () => {
    expect(clusterSpans([[0, 1], [2, 3], [100, 101]], 5)).toEqual([[0, 3], [100, 101]]);
    expect(clusterSpans([[0, 1], [10, 11], [12, 13], [40, 41], [80, 81]], 0, 3)).toEqual([[0, 13], [40, 41], [80, 81]]);
    expect(clusterSpans([], 5)).toEqual([]);
  });
});

describe('hostile names', () => {
  it('fs and nemesis names with markup characters still give well-formed SVG', () => {
    const events = [
      { index: 0, time: 0, process: 'nemesis', type: 'invoke', f: 'start-<x>&"y"', value: '<b>' },
      { index: 1, time: 1 * MS, process: 0, type: 'invoke', f: 'w<r>&"', value: '<&>' },
      { index: 2, time: 2 * MS, process: 0, type: 'ok', f: 'w<r>&"', value: '<&>' },
      { index: 3, time: 3 * MS, process: 'nemesis', type: 'invoke', f: 'heal', value: null },
    ] as HistoryEvent[];
    const h = pairHistory(events);
    const input = { ops: h.ops, nemesis: nemesisIntervals(h.nemesis, 3 * MS), highlights: [{ op: 0, labels: ['<bad> & "worse"'] }], start: 0, end: 3 * MS };
    assertWellFormedXml(renderTimeline(input).svg);
    assertWellFormedXml(renderLatency(input));
    assertWellFormedXml(renderRate(input));
  });
});

describe('rate buckets at the end of the run', () => {
  it('a stub of less than half a bucket folds into the previous bucket; a longer one keeps its own rate', () => {
    const h = small(); // 5 completions within the first 72 ms
    expect(rateSeries(h.ops, 0, 2.1e9).buckets).toHaveLength(2);
    const last = rateSeries(h.ops, 0, 2.1e9).buckets[1];
    expect(last).toMatchObject({ ok: 0, fail: 0, info: 0 });
    const s = rateSeries(h.ops, 0, 1.6e9);
    expect(s.buckets).toHaveLength(2);
    const one = rateSeries(h.ops, 0, 1.2e9);
    expect(one.buckets).toHaveLength(1);
    expect(one.buckets[0]?.ok).toBeCloseTo(3 / 1.2, 6);
  });
});
