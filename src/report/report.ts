// Renders a loaded run into its report files (the SVG pictures and index.html) as strings. Pure: a picture
// that cannot be drawn (missing input, or a rendering error) is skipped with a note, never an exception.
import type { LinearizabilityResult } from '../../checkers/linearizability.js';
import { resultOf } from '../../checkers/suite.js';
import type { RunResults } from '../store/index.js';
import { findHighlights, lostLinks } from './anomalies.js';
import { checkAsResults, describeEnding } from './ending.js';
import { renderCounter } from './counter.js';
import { type Picture, renderIndexHtml } from './html.js';
import { renderLatency } from './latency.js';
import { renderLinearizability } from './linearizability.js';
import type { RunData } from './load.js';
import { nemesisIntervals } from './nemesis.js';
import { renderRate } from './rate.js';
import { renderReplication } from './replication.js';
import { renderTimeline } from './timeline.js';
import { renderTimelinePage } from './timeline-page.js';
import { renderTxnCycle, txnCycles } from './txn.js';

/** How many transactional cycles the report draws (one picture each). */
const MAX_CYCLES = 8;

export interface RenderedReport {
  /** file name → contents: the pictures drawn, then index.html */
  files: Map<string, string>;
  pictures: Picture[];
  notes: string[];
}

export interface RenderOptions {
  /** directory name for the page when test.json is missing */
  runName?: string;
  /** relative links to the run's raw files, listed on the page */
  rawFiles?: string[];
}

/** The linearizability result that holds an anomaly to draw (the register workload files it as "linearizability"). */
export function linearizabilityData(results: RunResults | null | undefined): LinearizabilityResult | null {
  const lin = resultOf(results?.checkers, 'linearizability');
  return lin && lin.valid === false && lin.anomaly !== undefined ? lin : null;
}

/** Is this a counter run? A counter checker judged it (the counter-shared and counter-own workloads). */
function isCounterRun(run: RunData): boolean {
  return resultOf(run.results?.checkers, 'counter') !== undefined || (run.test?.workload ?? '').startsWith('counter-');
}

export function renderReport(run: RunData, opts: RenderOptions = {}): RenderedReport {
  const notes = [...run.notes];
  const pictures: Picture[] = [];
  const ops = run.history.ops;
  const nemesis = nemesisIntervals(run.history.nemesis, run.end);
  const base = { ops, nemesis, start: run.start, end: run.end };
  const draw = (file: string, title: string, f: () => string | null, skipped: string): void => {
    try {
      const svg = f();
      pictures.push(svg === null ? { file, title, svg: null, note: skipped } : { file, title, svg });
    } catch (err) {
      const msg = `${file} could not be drawn: ${err instanceof Error ? err.message : String(err)}`;
      notes.push(msg);
      pictures.push({ file, title, svg: null, note: msg });
    }
  };
  // the run's verdict, or (interrupted, failed) the verdict of the history it wrote
  const judged = run.results ?? (run.check && run.check.error === undefined ? checkAsResults(run.check) : null);
  const highlights = findHighlights(judged, ops);
  draw('timeline.svg', 'Timeline of operations', () => renderTimeline({ ...base, highlights }).svg, '');
  const lin = linearizabilityData(run.results);
  if (lin) draw('linearizability.svg', 'The failing window of the linearizability check', () => renderLinearizability({ ops, linearizability: lin }), 'no anomaly to draw');
  const cycles = txnCycles(run.results);
  cycles.slice(0, MAX_CYCLES).forEach((c, i) => draw(`cycle-${i + 1}.svg`, `${c.anomaly.type}: dependency cycle and why it is one`, () => renderTxnCycle(c), ''));
  if (cycles.length > MAX_CYCLES) notes.push(`${cycles.length} dependency cycles found; the first ${MAX_CYCLES} are drawn (all are in results.json)`);
  if (isCounterRun(run)) draw('counter.svg', 'Counter reads against the bounds', () => renderCounter({ ...base, counter: resultOf(run.results?.checkers, 'counter') ?? null }), '');
  draw('latency.svg', 'Latency', () => renderLatency(base), '');
  draw('rate.svg', 'Throughput', () => renderRate(base), '');
  if (run.metrics.length > 0) draw('replication.svg', 'Replication lag', () => renderReplication({ ...base, metrics: run.metrics }), '');
  else pictures.push({ file: 'replication.svg', title: 'Replication lag', svg: null, note: 'skipped: no metrics.jsonl samples' });
  const files = new Map<string, string>();
  for (const p of pictures) if (p.svg !== null) files.set(p.file, p.svg);
  const runName = opts.runName ?? run.dir.split(/[\\/]/).filter(Boolean).slice(-2).join('/');
  try {
    files.set('timeline.html', renderTimelinePage({ runName, test: run.test, results: judged, ...base, highlights, lost: lostLinks(judged, ops) }));
  } catch (err) {
    notes.push(`timeline.html could not be written: ${err instanceof Error ? err.message : String(err)}`);
  }
  const ending = describeEnding(run.status ?? null, run.results !== null, run.alive ?? null);
  files.set('index.html', renderIndexHtml({ runName, test: run.test, results: run.results, pictures, notes, files: opts.rawFiles ?? [], ending, check: run.check ?? null, lost: lostLinks(judged, ops).count }));
  return { files, pictures, notes };
}
