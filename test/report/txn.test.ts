// The transactional cycle pictures: cycles found in a run's results, each drawn (well-formed SVG, one node per txn,
// one arrow per step, the explanation beside it), wired into the report, and `faultline report` on a run
// directory made from a txn history and its check (the workloads that produce such runs come later).
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkTxn } from '../../checkers/txn/index.js';
import { pairHistory } from '../../src/history/pair.js';
import type { HistoryEvent } from '../../src/history/types.js';
import type { RunResults } from '../../src/store/index.js';
import type { RunData } from '../../src/report/load.js';
import { renderReport } from '../../src/report/report.js';
import { renderTxnCycle, txnCycles, wrap } from '../../src/report/txn.js';
import { ensureBuilt, faultline } from '../support/built-cli.js';
import { roundsOfTxns } from '../support/txn-sim.js';
import { assertWellFormedXml, countClass } from './pure-xml.js';

/** Write skew (x, y), then a long fork (a, b) whose readers see opposite halves, then a lost update on c. */
export const events: HistoryEvent[] = roundsOfTxns([
  [
    [['r', 'x', null], ['r', 'y', null], ['append', 'x', 1]],
    [['r', 'x', null], ['r', 'y', null], ['append', 'y', 1]],
  ],
  [[['append', 'a', 1]], [['append', 'b', 1]], [['r', 'a', [1]], ['r', 'b', null]], [['r', 'b', [1]], ['r', 'a', null]]],
  [[['append', 'c', 1]]],
  [
    [['r', 'c', [1]], ['append', 'c', 2]],
    [['r', 'c', [1]], ['append', 'c', 3]],
  ],
]);

function results(): RunResults {
  const r = checkTxn('list-append', pairHistory(events), { consistencyModels: ['serializable'] });
  return { valid: r.valid, checkers: { 'list-append': r }, summary: [`list-append: ${r.reason ?? ''}`] };
}

describe('txn cycle pictures', () => {
  it('finds every cycle of a txn checker in the results', () => {
    const cycles = txnCycles(results());
    expect(cycles.map((c) => c.anomaly.type).sort()).toEqual(['G-nonadjacent-item', 'G2-item', 'G2-item']);
    expect(cycles.every((c) => c.model === 'list-append' && c.checker === 'list-append')).toBe(true);
  });

  it('draws one node per txn and one arrow per step, with the explanation', () => {
    for (const c of txnCycles(results())) {
      const svg = renderTxnCycle(c);
      assertWellFormedXml(svg);
      const n = (c.anomaly.data as { txns: unknown[] }).txns.length;
      expect(countClass(svg, 'txn')).toBe(n);
      expect(countClass(svg, 'step')).toBe(n);
      expect(svg).toContain('a contradiction!');
      expect(svg).toContain(`data-anomaly="${c.anomaly.type}"`);
    }
  });

  it('names the node each txn ran on, in the labels and the explanation; no text leaves the picture', () => {
    // the long fork's readers on two nodes, as a primary and a standby would serve them
    const onNodes = events.map((e) => ({ ...e, node: e.process === 2 ? 'n1' : e.process === 3 ? 'n2' : 'n1' }));
    const r = checkTxn('list-append', pairHistory(onNodes), { consistencyModels: ['snapshot-isolation'] });
    const fork = txnCycles({ valid: r.valid, checkers: { txn: r }, summary: [] }).find((c) => c.anomaly.type === 'G-nonadjacent-item');
    expect(fork).toBeDefined();
    const svg = renderTxnCycle(fork!);
    const views = (fork!.anomaly.data as { txns: Array<{ index: number; process: number; node?: string }> }).txns;
    for (const t of views) {
      expect(t.node).toBeDefined();
      expect(svg).toContain(`#${t.index} p${t.process} ${t.node}<`);
      expect(svg).toContain(`#${t.index} p${t.process} on ${t.node} ok`);
    }
    const width = Number(/<svg[^>]* width="(\d+)"/.exec(svg)![1]);
    for (const m of svg.matchAll(/<text x="(-?[\d.]+)"[^>]*text-anchor="(\w+)"/g)) {
      expect(Number(m[1])).toBeGreaterThanOrEqual(m[2] === 'end' ? 40 : 0);
      expect(Number(m[1])).toBeLessThanOrEqual(width);
    }
  });

  it('wraps the explanation keeping the indentation of a step', () => {
    expect(wrap('  - T1 < T2, because T2 observed the append', 16)).toEqual(['  - T1 < T2,', '    because T2', '    observed the', '    append']);
  });

  it('the report draws each cycle as cycle-N.svg', () => {
    const h = pairHistory(events);
    const run: RunData = { dir: '/tmp/txn-run', history: h, test: null, results: results(), metrics: [], start: 0, end: events.length * 1e6, notes: [] };
    const out = renderReport(run);
    expect([...out.files.keys()].filter((f) => f.startsWith('cycle-')).sort()).toEqual(['cycle-1.svg', 'cycle-2.svg', 'cycle-3.svg']);
    expect(out.files.get('index.html')).toContain('id="fig-cycle-1"');
  });
});

describe('faultline report on a txn run directory', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fl-txn-run-'));
  beforeAll(() => {
    ensureBuilt();
    writeFileSync(join(dir, 'history.jsonl'), events.map((e) => JSON.stringify(e)).join('\n') + '\n');
    writeFileSync(join(dir, 'results.json'), JSON.stringify(results(), null, 2));
  }, 300_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the cycle pictures beside the timeline, and highlights the cycle txns', () => {
    const r = faultline(['report', dir]);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('cycle-1.svg');
    const files = readdirSync(dir);
    expect(files).toEqual(expect.arrayContaining(['cycle-1.svg', 'cycle-2.svg', 'cycle-3.svg', 'timeline.svg', 'index.html']));
    assertWellFormedXml(readFileSync(join(dir, 'cycle-1.svg'), 'utf8'));
    expect(readFileSync(join(dir, 'timeline.svg'), 'utf8')).toContain('G2-item');
  });
});
