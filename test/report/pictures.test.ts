// Tests of the counter, replication and linearizability pictures: pure data functions and SVG validity
// (well-formed, the expected number of reads, series, bars, bands), on hand-built data and the fixture runs.
import { resultOf } from '../../checkers/suite.js';
import { partialCheckers } from '../support/results.js';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pairHistory } from '../../src/history/pair.js';
import type { HistoryEvent } from '../../src/history/types.js';
import { counterBounds, counterErrors, counterReads, renderCounter } from '../../src/report/counter.js';
import { anomalyBars, readAnomaly, renderLinearizability } from '../../src/report/linearizability.js';
import { loadRun, type MetricSample } from '../../src/report/load.js';
import { nemesisIntervals } from '../../src/report/nemesis.js';
import { lagSeries, renderReplication } from '../../src/report/replication.js';
import { linearizabilityData } from '../../src/report/report.js';
import { assertWellFormedXml, countClass } from './pure-xml.js';

const RUNS = join(import.meta.dirname, '..', 'fixtures', 'runs');
const MS = 1e6;
const S = 1e9;

function history(raw: Array<Omit<HistoryEvent, 'index'>>) {
  return pairHistory(raw.map((e, index) => ({ index, ...e }) as HistoryEvent));
}

describe('counter picture', () => {
  const h = history([
    { time: 0, process: 0, type: 'invoke', f: 'add', value: 2 },
    { time: 1 * MS, process: 1, type: 'invoke', f: 'add', value: 5 },
    { time: 3 * MS, process: 0, type: 'ok', f: 'add', value: 2 },
    { time: 4 * MS, process: 0, type: 'invoke', f: 'read', value: null, node: 'n1' },
    { time: 5 * MS, process: 0, type: 'ok', f: 'read', value: 7, node: 'n1' },
    { time: 6 * MS, process: 1, type: 'info', f: 'add', value: 5 },
    { time: 7 * MS, process: 2, type: 'invoke', f: 'add', value: 1 },
    { time: 8 * MS, process: 2, type: 'fail', f: 'add', value: 1 },
    { time: 9 * MS, process: 0, type: 'invoke', f: 'read', value: null, node: 'n2' },
    { time: 10 * MS, process: 0, type: 'ok', f: 'read', value: 0, node: 'n2' },
  ]);

  it('bounds: lower counts ok adds from completion, upper every not-failed add from invoke', () => {
    const b = counterBounds(h.ops);
    expect(b.map((p) => [p.time / MS, p.lower, p.upper])).toEqual([
      [0, 0, 2],
      [1, 0, 7],
      [3, 2, 7],
    ]);
  });

  it('reads are marked bad from the checker\'s read-out-of-bounds anomalies, and drawn ringed', () => {
    const counter = resultOf(partialCheckers({ counter: { valid: false, anomalies: [{ type: 'read-out-of-bounds', ops: [8], nodes: ['n2'], data: { value: 0, expected: [2, 7] } }] } }), 'counter');
    expect([...counterErrors(counter).invokes]).toEqual([8]);
    const reads = counterReads(h.ops, counterErrors(counter).invokes);
    expect(reads.map((r) => [r.value, r.node, r.bad])).toEqual([
      [7, 'n1', false],
      [0, 'n2', true],
    ]);
    const svg = renderCounter({ ops: h.ops, nemesis: nemesisIntervals([], 10 * MS), start: 0, end: 10 * MS, counter });
    assertWellFormedXml(svg);
    expect(countClass(svg, 'read')).toBe(2);
    expect(countClass(svg, 'bad')).toBe(2); // the read, and its offset in the lower panel
    expect(countClass(svg, 'anomaly-outline')).toBe(1);
    expect(countClass(svg, 'bound')).toBe(2);
  });

  it('on the counter fixture: one out-of-bounds read, one pause band, every read in both panels', async () => {
    const run = await loadRun(join(RUNS, 'counter-pause-streaming-async', '20260103T060000Z'));
    const nemesis = nemesisIntervals(run.history.nemesis, run.end);
    const svg = renderCounter({ ops: run.history.ops, nemesis, start: run.start, end: run.end, counter: resultOf(run.results?.checkers, 'counter') });
    assertWellFormedXml(svg);
    expect(countClass(svg, 'anomaly-outline')).toBe(1);
    expect(countClass(svg, 'band')).toBe(2); // one pause, shaded in both panels
    expect(countClass(svg, 'offset')).toBe(countClass(svg, 'read'));
    expect(countClass(svg, 'read')).toBe(run.history.ops.filter((o) => o.f === 'read' && o.type === 'ok').length);
  });
});

describe('replication picture', () => {
  const samples: MetricSample[] = [
    { time: 0, node: 'n1', role: 'primary', replication: [{ name: 'n2', replay_lag_ms: 1.5 }, { name: 'n3', replay_lag_ms: 2 }] },
    { time: 0, node: 'n4', subscriptions: [{ subname: 'sub_n1', last_msg_age_ms: 30 }] },
    { time: S, node: 'n1', role: 'primary', replication: [{ name: 'n2', replay_lag_ms: 800 }] },
    { time: S, node: 'n3', error: 'connection refused' },
    { time: S, node: 'n4', subscriptions: [{ subname: 'sub_n1', last_msg_age_ms: null }] },
  ];

  it('one series per standby and subscription; a missing sample is a gap; outages listed', () => {
    const { series, outages } = lagSeries(samples);
    expect(series.map((s) => [s.name, s.kind, s.points.map((p) => p.ms)])).toEqual([
      ['n1 → n2', 'standby', [1.5, 800]],
      ['n1 → n3', 'standby', [2, null]],
      ['sub_n1 on n4', 'subscription', [30, null]],
    ]);
    expect(outages).toEqual([{ node: 'n3', time: S, error: 'connection refused' }]);
  });

  it('draws a path per series and a tick per outage', () => {
    const svg = renderReplication({ metrics: samples, nemesis: nemesisIntervals([], S), start: 0, end: S });
    assertWellFormedXml(svg);
    expect(countClass(svg, 'series')).toBe(3);
    expect(countClass(svg, 'outage')).toBe(1);
  });

  it('stays well-formed XML with hostile subscription names', () => {
    const hostile: MetricSample[] = [{ time: 0, node: 'n"1<', subscriptions: [{ subname: 'a<b>&"c', last_msg_age_ms: 5 }] }];
    const svg = renderReplication({ metrics: hostile, nemesis: nemesisIntervals([], S), start: 0, end: S });
    assertWellFormedXml(svg);
    expect(countClass(svg, 'series')).toBe(1);
  });

  it('says so when there is nothing to draw', () => {
    const svg = renderReplication({ metrics: [{ time: 0, node: 'n1' }], nemesis: nemesisIntervals([], S), start: 0, end: S });
    assertWellFormedXml(svg);
    expect(svg).toContain('no replication or subscription samples');
  });
});

describe('linearizability picture', () => {
  it('reads the anomaly defensively', () => {
    const lin = (x: Record<string, unknown>) => resultOf(partialCheckers({ linearizability: x }), 'linearizability');
    expect(readAnomaly(lin({ valid: true }))).toBeNull();
    expect(readAnomaly(lin({ valid: false, anomaly: { op: 3 } }))).toBeNull();
  });

  it('on the register fixture: the failing op ringed, the last linearized ops numbered, the states listed', async () => {
    const run = await loadRun(join(RUNS, 'register-partition-streaming-async', '20260102T030000Z'));
    const lin = linearizabilityData(run.results);
    const anomaly = readAnomaly(lin);
    expect(anomaly).not.toBeNull();
    const { bars } = anomalyBars(anomaly!, run.history.ops);
    expect(bars.filter((b) => b.failing)).toHaveLength(1);
    const numbered = bars.filter((b) => b.order !== null).map((b) => b.order as number);
    expect(numbered.length).toBeGreaterThanOrEqual(6);
    expect(Math.max(...numbered)).toBe(anomaly!.prefixLength);
    const svg = renderLinearizability({ ops: run.history.ops, linearizability: lin }) as string;
    assertWellFormedXml(svg);
    expect(countClass(svg, 'lin-op')).toBe(bars.length);
    expect(countClass(svg, 'failing')).toBe(1);
    expect(countClass(svg, 'order')).toBe(numbered.length);
    expect(countClass(svg, 'state')).toBe(anomaly!.states.length);
  });

  it('is skipped for a valid history', () => {
    expect(renderLinearizability({ ops: [], linearizability: resultOf(partialCheckers({ linearizability: { valid: true } }), 'linearizability') })).toBeNull();
  });
});
