// `faultline check --model list-append|rw-register` through the built CLI: verdict lines and exit statuses,
// --json with Elle's fields, EDN input, malformed micro-ops (65, file:line), and bad option usage (64).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HistoryEvent, Json } from '../../src/history/types.js';
import { ensureBuilt, faultline } from '../support/built-cli.js';
import { sequentialTxns } from '../support/txn-sim.js';

const dir = mkdtempSync(join(tmpdir(), 'faultline-check-txn-'));
const jsonl = (events: HistoryEvent[]): string => events.map((e) => JSON.stringify(e)).join('\n') + '\n';
const file = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

const lostUpdate = sequentialTxns([
  [0, [['append', 'x', 0]]],
  [0, [['r', 'x', [0]], ['append', 'x', 1]]],
  [0, [['r', 'x', [0]], ['append', 'x', 2]]],
]);
const serial = sequentialTxns([
  [0, [['append', 'x', 1], ['append', 'y', 1]]],
  [1, [['r', 'x', [1]], ['append', 'x', 2]]],
  [0, [['r', 'x', [1, 2]], ['r', 'y', [1]]]],
]);

beforeAll(() => ensureBuilt(), 300_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('faultline check --model list-append', () => {
  it('exits 0 for a serial history', () => {
    const p = file('serial.jsonl', jsonl(serial));
    const r = faultline(['check', '--model', 'list-append', p]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`${p}: valid — model list-append, 3 ops\n`);
    expect(r.status).toBe(0);
  });

  it('exits 1 naming the anomalies and the weakest models ruled out', () => {
    const p = file('lost.jsonl', jsonl(lostUpdate));
    const r = faultline(['check', '--model', 'list-append', p]);
    expect(r.stdout).toBe(`${p}: INVALID — model list-append, 3 ops, G2-item (1), lost-update (1); not cursor-stability, update-atomic\n`);
    expect(r.status).toBe(1);
  });

  it('--json: valid, anomalyTypes, anomalies as data, not / alsoNot, stats', () => {
    const p = file('lost2.jsonl', jsonl(lostUpdate));
    const r = faultline(['check', '--model', 'list-append', '--json', p]);
    const o = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(o).toMatchObject({ file: p, model: 'list-append', valid: false, status: 1, ops: 3, anomalyTypes: ['G2-item', 'lost-update'], not: ['cursor-stability', 'update-atomic'] });
    expect(o.alsoNot).toContain('serializable');
    const g2 = (o.anomalies as Array<{ type: string; ops: number[]; data: { steps: Array<{ type: string }> } }>).find((a) => a.type === 'G2-item');
    expect(g2?.ops).toEqual([2, 4]);
    expect(g2?.data.steps.map((s) => s.type)).toEqual(['rw', 'rw']);
    expect(o.stats).toMatchObject({ valid: true, count: 3 });
  });

  it('--consistency-models and --anomalies choose what fails', () => {
    const p = file('lost3.jsonl', jsonl(lostUpdate));
    expect(faultline(['check', '--model', 'list-append', '--consistency-models', 'read-committed', p]).status).toBe(0);
    expect(faultline(['check', '--model', 'list-append', '--consistency-models', 'none', '--anomalies', 'lost-update', p]).status).toBe(1);
    expect(faultline(['check', '--model', 'list-append', '--consistency-models', 'none', '--anomalies', 'G0', p]).status).toBe(0);
  });

  it('--explain prints each anomaly explained under the line', () => {
    const p = file('lost4.jsonl', jsonl(lostUpdate));
    const r = faultline(['check', '--model', 'list-append', '--explain', p]);
    expect(r.stdout).toContain('G2-item:\n    Let:\n      T1 = #2 p0 ok [r "x" [0]] [append "x" 1]\n');
    expect(r.stdout).toContain('      - However, T2 < T1, because T2 did not observe T1\'s append of 1 to "x": a contradiction!\n');
    expect(r.stdout).toContain('lost-update:\n    T1 (#2 p0 ok');
    expect(r.status).toBe(1);
  });

  it('exits 2 when no dependency can be inferred (empty transaction graph)', () => {
    const p = file('one.jsonl', jsonl(sequentialTxns([[0, [['append', 'x', 1]]]])));
    const r = faultline(['check', '--model', 'list-append', p]);
    expect(r.stdout).toBe(`${p}: UNKNOWN — model list-append, 1 ops, empty-transaction-graph (1)\n`);
    expect(r.status).toBe(2);
  });

  it('reads Jepsen history.edn with :f :txn', () => {
    const edn = [
      '{:index 0 :type :invoke :process 0 :f :txn :value [[:append :x 1] [:r :y nil]]}',
      '{:index 1 :type :ok :process 0 :f :txn :value [[:append :x 1] [:r :y nil]]}',
      '{:index 2 :type :invoke :process 1 :f :txn :value [[:append :y 1] [:r :x nil]]}',
      '{:index 3 :type :ok :process 1 :f :txn :value [[:append :y 1] [:r :x nil]]}',
    ].join('\n');
    const p = file('skew.edn', edn);
    const r = faultline(['check', '--model', 'list-append', '--consistency-models', 'serializable', '--json', p]);
    expect(JSON.parse(r.stdout)).toMatchObject({ valid: false, anomalyTypes: ['G2-item'], not: ['repeatable-read'] });
  });
});

describe('faultline check --model rw-register', () => {
  it('version-order options: --wfr-keys finds the G-single-item that the default misses', () => {
    const h = sequentialTxns([
      [0, [['w', 'y', 1]]],
      [0, [['r', 'y', 1], ['w', 'x', 1], ['w', 'y', 2]]],
      [0, [['r', 'x', 1], ['r', 'y', 1]]],
    ]);
    const p = file('wfr.jsonl', jsonl(h));
    expect(faultline(['check', '--model', 'rw-register', '--consistency-models', 'serializable', p]).status).toBe(0);
    const r = faultline(['check', '--model', 'rw-register', '--consistency-models', 'serializable', '--wfr-keys', '--json', p]);
    expect(JSON.parse(r.stdout)).toMatchObject({ valid: false, anomalyTypes: ['G-single-item'] });
  });

  it('--transaction-order gives writes a commit order', () => {
    const h = sequentialTxns([
      [0, [['r', 'x', null], ['w', 'y', 2]]],
      [0, [['w', 'x', 3], ['w', 'y', 4]]],
    ]);
    const p = file('order.jsonl', jsonl(h));
    const r = faultline(['check', '--model', 'rw-register', '--consistency-models', 'serializable', '--transaction-order', '{"1": 2, "3": 1}', '--json', p]);
    expect(JSON.parse(r.stdout)).toMatchObject({ valid: false, anomalyTypes: ['G-single-item'] });
  });
});

describe('malformed txn histories: exit 65 with file:line', () => {
  const bad = (name: string, events: Array<Record<string, Json>>): string => file(name, events.map((e, index) => JSON.stringify({ index, time: index, process: 0, f: 'txn', ...e })).join('\n') + '\n');

  it('a micro-op of another model, at its invoke', () => {
    const p = bad('w.jsonl', [{ type: 'invoke', value: [['w', 'x', 1]] }, { type: 'ok', value: [['w', 'x', 1]] }]);
    const r = faultline(['check', '--model', 'list-append', p]);
    expect(r.status).toBe(65);
    expect(r.stderr).toBe(`faultline: ${p}:1: expected micro-op 0 to be a read "r" or a write "append" (model list-append); got "w"\n`);
  });

  it('a read result of the wrong shape, at the completion', () => {
    const p = bad('read.jsonl', [{ type: 'invoke', value: [['r', 'x', null]] }, { type: 'ok', value: [['r', 'x', 'oops']] }]);
    const r = faultline(['check', '--model', 'list-append', p]);
    expect(r.status).toBe(65);
    expect(r.stderr).toBe(`faultline: ${p}:2: expected read 0 to return a list of elements or null; got "oops"\n`);
  });

  it('a value appended twice to one key', () => {
    const p = bad('dup.jsonl', [
      { type: 'invoke', value: [['append', 'x', 1]] },
      { type: 'ok', value: [['append', 'x', 1]] },
      { type: 'invoke', value: [['append', 'x', 1]] },
      { type: 'ok', value: [['append', 'x', 1]] },
    ]);
    const r = faultline(['check', '--model', 'list-append', p]);
    expect(r.status).toBe(65);
    expect(r.stderr).toBe(`faultline: ${p}:3: expected each value to be appended once per key; 1 was already appended to key "x" by the op invoked at index 0\n`);
  });

  it('a txn op that is not f "txn"', () => {
    const p = bad('f.jsonl', [{ type: 'invoke', f: 'read', value: null }, { type: 'ok', f: 'read', value: 1 }]);
    expect(faultline(['check', '--model', 'rw-register', p]).stderr).toBe(`faultline: ${p}:1: expected "f" of a rw-register op to be "txn"; got "read"\n`);
  });
});

describe('bad usage: exit 64', () => {
  const p = file('u.jsonl', jsonl(serial));
  it.each([
    [['--model', 'list-append', '--consistency-models', 'serialisable'], '--consistency-models: unknown model "serialisable"'],
    [['--model', 'list-append', '--anomalies', 'G9'], '--anomalies: unknown anomaly "G9"'],
    [['--model', 'list-append', '--wfr-keys'], '--wfr-keys applies to --model rw-register only'],
    [['--model', 'counter', '--consistency-models', 'serializable'], '--consistency-models applies to --model list-append and rw-register only'],
    [['--model', 'rw-register', '--transaction-order', '[1]'], '--transaction-order: expected a JSON object'],
  ])('%j', (args, message) => {
    const r = faultline(['check', ...args, p]);
    expect(r.status).toBe(64);
    expect(r.stderr).toContain(message);
  });
});
