// Unit tests of the transactional checker: the lattice's walks, cycle naming, the result's data (invoke indexes,
// typed steps), the explanation text, the search budget turning into "unknown", and malformed histories.
import { describe, expect, it } from 'vitest';
import { classifyCycle } from '../../../checkers/txn/cycles.js';
import { checkTxn, explainAnomaly, historyProblem, type TxnStep } from '../../../checkers/txn/index.js';
import { anomaliesProhibitedBy, boundary, canonicalModel, impossibleModels, weakestModels } from '../../../checkers/txn/lattice.js';
import { pairHistory } from '../../../src/history/pair.js';
import type { Json } from '../../../src/history/types.js';
import { rng, sequentialTxns, simulateTxns } from '../../support/txn-sim.js';

const WW = 0;
const WR = 1;
const RW = 2;
const RT = 4;

const seq = (txns: Array<[number, Json[][], ('ok' | 'fail' | 'info')?]>) => pairHistory(sequentialTxns(txns));

describe('the consistency-model lattice', () => {
  it('names the weakest models an anomaly rules out, as Elle does', () => {
    expect(boundary(['G-single']).not).toEqual(['consistent-view']);
    expect(boundary(['G-single']).alsoNot).toEqual(expect.arrayContaining(['snapshot-isolation', 'serializable', 'strict-serializable', 'update-serializable']));
    expect(boundary(['internal']).not).toEqual(['read-atomic']);
    expect(boundary(['cyclic-versions']).not).toEqual(['read-uncommitted']);
    expect(boundary(['G1a']).not).toEqual(['read-committed']);
    expect(boundary(['lost-update', 'G2-item']).not).toEqual(['cursor-stability', 'update-atomic']);
    expect(boundary([])).toEqual({ not: [], alsoNot: [] });
  });

  it('read committed proscribes G1 and everything implying it, and what every model proscribes', () => {
    expect([...anomaliesProhibitedBy(['read-committed'])].sort()).toEqual(
      ['G0', 'G1', 'G1a', 'G1b', 'G1c', 'cyclic-versions', 'dirty-update', 'duplicate-elements', 'future-read', 'incompatible-order'].sort(),
    );
  });

  it('friendly and canonical names are one model', () => {
    expect(canonicalModel('serializable')).toBe('PL-3');
    expect([...weakestModels(new Set(['PL-3', 'PL-SS']))]).toEqual(['PL-3']);
    expect(impossibleModels(['G2-item']).has('PL-SS')).toBe(true);
  });
});

describe('cycle names', () => {
  it('follow the rw edges, then wr, then order edges', () => {
    expect(classifyCycle([WW, WW])).toBe('G0');
    expect(classifyCycle([WW, WR])).toBe('G1c');
    expect(classifyCycle([WR, RW])).toBe('G-single-item');
    expect(classifyCycle([WR, RW, WR, RW])).toBe('G-nonadjacent-item');
    expect(classifyCycle([RW, WR, RW])).toBe('G2-item'); // the last and first rw are adjacent
    expect(classifyCycle([RT, RW])).toBe('G-single-item-realtime');
  });
});

describe('results as data', () => {
  // Elle's README example: x's order 1, 2 comes from the third txn's read
  const h = seq([
    [0, [['append', 'x', 1], ['r', 'y', [1]]]],
    [0, [['append', 'x', 2], ['append', 'y', 1]]],
    [0, [['r', 'x', [1, 2]]]],
  ]);

  it('a G1c cycle: ops are invoke indexes, steps are typed, keys collected', () => {
    const r = checkTxn('list-append', h, { consistencyModels: [], anomalies: ['G2'] });
    expect(r.valid).toBe(true); // G1c does not imply G2
    const rc = checkTxn('list-append', h, { consistencyModels: ['read-committed'] });
    expect(rc).toMatchObject({ valid: false, anomalyTypes: ['G1c'], not: ['read-committed'], anomalyCounts: { G1c: 1 } });
    const a = rc.anomalies[0];
    expect(a?.ops).toEqual([0, 2]);
    expect(a?.keys).toEqual(['x', 'y']);
    const steps = (a?.data as unknown as { steps: TxnStep[] }).steps;
    expect(steps).toEqual([
      { from: 0, to: 2, type: 'ww', key: 'x', value: 1, nextValue: 2 },
      { from: 2, to: 0, type: 'wr', key: 'y', value: 1 },
    ]);
  });

  it('renders the explanation from the data', () => {
    const rc = checkTxn('list-append', h, { consistencyModels: ['read-committed'] });
    expect(explainAnomaly('list-append', rc.anomalies[0] as never)).toBe(
      [
        'Let:',
        '  T1 = #0 p0 ok [append "x" 1] [r "y" [1]]',
        '  T2 = #2 p0 ok [append "x" 2] [append "y" 1]',
        '',
        'Then:',
        '  - T1 < T2, because T2 appended 2 after T1 appended 1 to "x".',
        '  - However, T2 < T1, because T1 observed T2\'s append of 1 to key "y": a contradiction!',
      ].join('\n'),
    );
  });

  it('realtime steps name the indexes and the gap; rw steps the initial state', () => {
    const r = checkTxn('list-append', seq([
      [0, [['append', 'x', 1]]],
      [1, [['r', 'x', null]]],
    ]));
    expect(r.anomalyTypes).toEqual(['G-single-item-realtime']);
    const text = explainAnomaly('list-append', r.anomalies[0] as never);
    expect(text).toContain('T1 < T2, because T1 completed at index 1, 0.000 s before the invocation of T2, at index 2');
    expect(text).toContain('T2 observed the initial (empty) state of "x", which T1 created by appending 1: a contradiction!');
  });
});

describe('the search budget', () => {
  // write skew: a two-txn component with one G2-item cycle
  const skew = pairHistory([
    { index: 0, time: 0, process: 0, type: 'invoke', f: 'txn', value: [['r', 'x', null], ['r', 'y', null], ['append', 'x', 1]] },
    { index: 1, time: 1, process: 1, type: 'invoke', f: 'txn', value: [['r', 'x', null], ['r', 'y', null], ['append', 'y', 1]] },
    { index: 2, time: 2, process: 0, type: 'ok', f: 'txn', value: [['r', 'x', null], ['r', 'y', null], ['append', 'x', 1]] },
    { index: 3, time: 3, process: 1, type: 'ok', f: 'txn', value: [['r', 'x', null], ['r', 'y', null], ['append', 'y', 1]] },
  ]);

  it('an exhausted search is cycle-search-timeout, with a fallback cycle so the component is not silent', () => {
    const r = checkTxn('list-append', skew, { consistencyModels: ['serializable'], cycleSearchSteps: 1 });
    expect(r.anomalyTypes).toEqual(['G2-item', 'cycle-search-timeout']);
    expect(r.valid).toBe(false);
    const t = r.anomalies.find((a) => a.type === 'cycle-search-timeout');
    expect(t?.data).toMatchObject({ sccSize: 2, searching: 'G0' });
  });

  it('is unknown when what the fallback found is allowed', () => {
    const r = checkTxn('list-append', skew, { consistencyModels: ['snapshot-isolation'], cycleSearchSteps: 1 });
    expect(r.valid).toBe('unknown');
    expect(r.anomalyTypes).toEqual(['cycle-search-timeout']);
    expect(r.otherAnomalyTypes).toEqual(['G2-item']);
    expect(checkTxn('list-append', skew, { consistencyModels: ['snapshot-isolation'] }).valid).toBe(true);
  });
});

describe('side analyses', () => {
  it('garbage reads are found, and fail a check only when asked for', () => {
    const h = seq([[0, [['r', 'x', [7]]]]]);
    const r = checkTxn('list-append', h);
    expect(r).toMatchObject({ valid: 'unknown', anomalyTypes: ['empty-transaction-graph'], otherAnomalyTypes: ['garbage-read'] });
    expect(checkTxn('list-append', h, { anomalies: ['garbage-read'] })).toMatchObject({ valid: false, anomalyTypes: ['empty-transaction-graph', 'garbage-read'] });
  });

  it('an info txn whose append was read is treated as committed; one never read adds nothing', () => {
    const h = seq([
      [0, [['append', 'x', 1]], 'info'],
      [1, [['append', 'x', 2]], 'info'],
      [2, [['r', 'x', [1]]]],
    ]);
    const r = checkTxn('list-append', h);
    expect(r.valid).toBe(true);
    expect(r.edges).toBeGreaterThan(0);
  });

  it('internal: a read that disagrees with the txn\'s own appends (rw-register: own writes)', () => {
    expect(checkTxn('list-append', seq([[0, [['append', 'x', 1], ['r', 'x', [2]]]]]), { consistencyModels: [], anomalies: ['internal'] }).anomalyTypes).toContain('internal');
    expect(checkTxn('rw-register', seq([[0, [['w', 'x', 1], ['r', 'x', 2]]]]), { consistencyModels: [], anomalies: ['internal'] }).anomalyTypes).toContain('internal');
  });
});

describe('malformed histories', () => {
  it('names the first bad op and what was expected', () => {
    expect(historyProblem('list-append', seq([[0, [['w', 'x', 1]]]]))).toBe('op invoked at index 0: expected micro-op 0 to be a read "r" or a write "append" (model list-append); got "w"');
    expect(historyProblem('list-append', seq([[0, [['r', 'x', 3]]]]))).toBe('op invoked at index 0: expected read 0 to return a list of elements or null; got 3');
    expect(historyProblem('list-append', seq([[0, [['append', 'x', 1]]], [1, [['append', 'x', 1]]]]))).toBe(
      'op invoked at index 2: expected each value to be appended once per key; 1 was already appended to key "x" by the op invoked at index 0',
    );
    expect(checkTxn('rw-register', seq([[0, [['w', 'x', [1]]]]]))).toMatchObject({ valid: 'unknown', error: expect.stringContaining('expected the value of micro-op 0 (w) to be a number or a string') });
    // an element inside a list read: the checker finds it where it compares the read with the longest one
    const h = seq([[0, [['append', 'x', 1]]], [0, [['append', 'x', 2]]], [1, [['r', 'x', [1, 2]]]], [1, [['r', 'x', [{ no: 1 }, 2]]]]]);
    expect(checkTxn('list-append', h)).toMatchObject({ valid: 'unknown', error: 'op invoked at index 6: expected the elements read by micro-op 0 to be numbers or strings; got {"no":1}' });
    expect(historyProblem('list-append', h)).toBe('op invoked at index 6: expected the elements read by micro-op 0 to be numbers or strings; got {"no":1}');
  });
});

describe('a broken database', () => {
  // a serial history whose reads come back stale a third of the time: one component of nearly every txn
  const h = simulateTxns({ model: 'list-append', seed: 5, txns: 3000, processes: 10, mops: 4, keys: 5, maxWritesPerKey: 200 });
  const r = rng(9);
  for (const op of h.ops) {
    if (op.type !== 'ok') continue;
    for (const m of op.value as Json[][]) if (m[0] === 'r' && Array.isArray(m[2]) && r() < 0.33) m[2] = m[2].slice(0, Math.floor(r() * m[2].length));
  }

  it('one big component: its cycles are named, and the search ends', () => {
    const res = checkTxn('list-append', h);
    expect(res.valid).toBe(false);
    expect(res.largestScc).toBeGreaterThan(1000);
    expect(res.anomalyTypes).toContain('G-single-item');
  });

  it('a small budget ends the search with cycle-search-timeout, keeping what was found', () => {
    const res = checkTxn('list-append', h, { cycleSearchSteps: 2000 });
    expect(res.anomalyTypes).toContain('cycle-search-timeout');
    expect(res.anomalies.filter((a) => a.type.startsWith('G-') || a.type.startsWith('G0') || a.type.startsWith('G1c') || a.type.startsWith('G2')).length).toBeGreaterThan(0);
  });
});
