// Hand-written linearizability cases: the classic anomalies, info ops, keys, limits and the anomaly report.
import { describe, expect, it } from 'vitest';
import { checkLinearizability } from '../../checkers/linearizability.js';
import { getModel, type ModelName } from '../../checkers/models.js';
import { pairHistory } from '../../src/history/pair.js';
import type { HistoryEvent, Json, Key } from '../../src/history/types.js';

type Row = [process: number, type: HistoryEvent['type'], f: string, value: Json, key?: Key];

/** Events from rows, indexed and timed in order. */
function history(rows: Row[]): HistoryEvent[] {
  return rows.map(([process, type, f, value, key], index) => {
    const e: HistoryEvent = { index, time: index * 10, process, type, f, value };
    if (key !== undefined) e.key = key;
    return e;
  });
}

function check(model: ModelName, rows: Row[], ctx = {}) {
  return checkLinearizability(pairHistory(history(rows)), getModel(model), ctx);
}

describe('register', () => {
  it('accepts an empty history', () => {
    const r = check('register', []);
    expect(r).toMatchObject({ valid: true, model: 'register', ops: 0, keys: 0 });
  });

  it('accepts sequential write then read', () => {
    const r = check('register', [
      [0, 'invoke', 'write', 1],
      [0, 'ok', 'write', 1],
      [1, 'invoke', 'read', null],
      [1, 'ok', 'read', 1],
    ]);
    expect(r.valid).toBe(true);
    expect(r.ops).toBe(2);
  });

  it('reads null as the initial value', () => {
    expect(check('register', [[1, 'invoke', 'read', null], [1, 'ok', 'read', null]]).valid).toBe(true);
  });

  it('rejects a stale read and names it', () => {
    const r = check('register', [
      [0, 'invoke', 'write', 1],
      [0, 'ok', 'write', 1],
      [0, 'invoke', 'write', 2],
      [0, 'ok', 'write', 2],
      [1, 'invoke', 'read', null],
      [1, 'ok', 'read', 1],
    ]);
    expect(r.valid).toBe(false);
    expect(r.anomaly).toMatchObject({
      key: null,
      prefixLength: 2,
      op: { process: 1, f: 'read', value: 1, invokeIndex: 4, completeIndex: 5, text: 'p1 read → 1' },
      states: ['2'],
    });
    expect(r.anomaly!.prefix.map((o) => o.text)).toEqual(['p0 write 1', 'p0 write 2']);
    expect(r.anomaly!.window.map((o) => o.invokeIndex)).toEqual([4]);
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });

  it('accepts a read concurrent with a write seeing either value', () => {
    for (const seen of [null, 1]) {
      const r = check('register', [
        [0, 'invoke', 'write', 1],
        [1, 'invoke', 'read', null],
        [1, 'ok', 'read', seen],
        [0, 'ok', 'write', 1],
      ]);
      expect(r.valid).toBe(true);
    }
  });

  it('rejects the Knossos "rethink-fail-minimal" case and blames the concurrent read', () => {
    const r = check('register', [
      [0, 'invoke', 'write', 0],
      [0, 'ok', 'write', 0],
      [1, 'invoke', 'read', null],
      [2, 'invoke', 'write', 4],
      [1, 'ok', 'read', 3],
      [2, 'ok', 'write', 4],
      [3, 'invoke', 'read', null],
      [3, 'ok', 'read', 4],
    ]);
    expect(r.valid).toBe(false);
    expect(r.anomaly!.op.invokeIndex).toBe(2);
    expect(r.anomaly!.states).toEqual(['4', '0']);
    expect(r.anomaly!.window.map((o) => o.text)).toEqual(['p1 read → 3', 'p2 write 4']);
  });

  it('info write: either took effect or not, both fine', () => {
    for (const seen of [null, 1]) {
      const r = check('register', [
        [0, 'invoke', 'write', 1],
        [0, 'info', 'write', 1],
        [1, 'invoke', 'read', null],
        [1, 'ok', 'read', seen],
      ]);
      expect(r.valid).toBe(true);
      expect(r.infoOps).toBe(1);
    }
  });

  it('info write may take effect long after its completion, but only once', () => {
    const rows: Row[] = [
      [0, 'invoke', 'write', 1],
      [0, 'info', 'write', 1],
      [1, 'invoke', 'read', null],
      [1, 'ok', 'read', null],
      [1, 'invoke', 'write', 2],
      [1, 'ok', 'write', 2],
      [1, 'invoke', 'read', null],
      [1, 'ok', 'read', 1],
    ];
    expect(check('register', rows).valid).toBe(true);
    rows.push([1, 'invoke', 'read', null], [1, 'ok', 'read', 2], [1, 'invoke', 'read', null], [1, 'ok', 'read', 1]);
    expect(check('register', rows).valid).toBe(false);
  });

  it('an invoke never completed counts as info', () => {
    const r = check('register', [
      [0, 'invoke', 'write', 7],
      [1, 'invoke', 'read', null],
      [1, 'ok', 'read', 7],
    ]);
    expect(r).toMatchObject({ valid: true, infoOps: 1 });
  });

  it('a failed write has no effect', () => {
    const r = check('register', [
      [0, 'invoke', 'write', 1],
      [0, 'fail', 'write', 1],
      [1, 'invoke', 'read', null],
      [1, 'ok', 'read', 1],
    ]);
    expect(r.valid).toBe(false);
    expect(r.dropped).toEqual({ fail: 1, infoReads: 0 });
  });

  it('drops info reads', () => {
    const r = check('register', [
      [1, 'invoke', 'read', null],
      [1, 'info', 'read', null],
    ]);
    expect(r).toMatchObject({ valid: true, ops: 0, dropped: { fail: 0, infoReads: 1 } });
  });

  it('throws on an op the model does not know', () => {
    expect(() => check('register', [[0, 'invoke', 'cas', [1, 2]], [0, 'ok', 'cas', [1, 2]]])).toThrow(/unknown f "cas"/);
  });
});

describe('cas-register', () => {
  it('lost update: two cas from the same value both succeed', () => {
    const r = check('cas-register', [
      [0, 'invoke', 'write', 0],
      [0, 'ok', 'write', 0],
      [1, 'invoke', 'cas', [0, 1]],
      [2, 'invoke', 'cas', [0, 2]],
      [1, 'ok', 'cas', [0, 1]],
      [2, 'ok', 'cas', [0, 2]],
    ]);
    expect(r.valid).toBe(false);
    expect([2, 3]).toContain(r.anomaly!.op.invokeIndex);
    expect(r.anomaly!.op.text).toMatch(/^p[12] cas 0→[12]$/);
  });

  it('a cas that matched', () => {
    const r = check('cas-register', [
      [0, 'invoke', 'write', 0],
      [0, 'ok', 'write', 0],
      [1, 'invoke', 'cas', [0, 1]],
      [1, 'ok', 'cas', [0, 1]],
      [2, 'invoke', 'read', null],
      [2, 'ok', 'read', 1],
    ]);
    expect(r.valid).toBe(true);
  });
});

describe('counter, set, kv', () => {
  it('counter: concurrent adds and reads', () => {
    const rows: Row[] = [
      [0, 'invoke', 'add', 1],
      [1, 'invoke', 'add', 2],
      [2, 'invoke', 'read', null],
      [2, 'ok', 'read', 2],
      [0, 'ok', 'add', 1],
      [1, 'ok', 'add', 2],
      [2, 'invoke', 'read', null],
      [2, 'ok', 'read', 3],
    ];
    expect(check('counter', rows).valid).toBe(true);
    rows[7] = [2, 'ok', 'read', 4];
    expect(check('counter', rows).valid).toBe(false);
  });

  it('set: reads compare as sets; a lost element or a duplicate is invalid', () => {
    const rows = (read: Json): Row[] => [
      [0, 'invoke', 'add', 'a'],
      [0, 'ok', 'add', 'a'],
      [1, 'invoke', 'add', 'b'],
      [1, 'ok', 'add', 'b'],
      [2, 'invoke', 'read', null],
      [2, 'ok', 'read', read],
    ];
    expect(check('set', rows(['b', 'a'])).valid).toBe(true);
    expect(check('set', rows(['a'])).valid).toBe(false);
    expect(check('set', rows(['a', 'b', 'a'])).valid).toBe(false);
  });

  it('kv: keys are independent strings starting ""', () => {
    const r = check('kv', [
      [0, 'invoke', 'append', 'x', 'k1'],
      [0, 'ok', 'append', 'x', 'k1'],
      [1, 'invoke', 'get', null, 'k2'],
      [1, 'ok', 'get', '', 'k2'],
      [1, 'invoke', 'put', 'p', 'k2'],
      [1, 'ok', 'put', 'p', 'k2'],
      [0, 'invoke', 'append', 'y', 'k1'],
      [0, 'ok', 'append', 'y', 'k1'],
      [2, 'invoke', 'get', null, 'k1'],
      [2, 'ok', 'get', 'xy', 'k1'],
      [2, 'invoke', 'get', null, 'k2'],
      [2, 'ok', 'get', 'p', 'k2'],
    ]);
    expect(r).toMatchObject({ valid: true, keys: 2, ops: 6 });
  });

  it('keyed register: the anomaly names its key, other keys stay valid', () => {
    const r = check('register', [
      [0, 'invoke', 'write', 1, 'a'],
      [0, 'ok', 'write', 1, 'a'],
      [1, 'invoke', 'read', null, 'b'],
      [1, 'ok', 'read', 1, 'b'],
      [1, 'invoke', 'read', null, 'a'],
      [1, 'ok', 'read', 1, 'a'],
    ]);
    expect(r).toMatchObject({ valid: false, keys: 2, invalidKeys: ['b'], anomaly: { key: 'b', op: { key: 'b' } } });
  });
});

describe('limits', () => {
  /** Many concurrent info writes and no reads to prune them: the search space explodes. */
  function hard(n: number): Row[] {
    const rows: Row[] = [];
    for (let p = 0; p < n; p++) rows.push([p, 'invoke', 'write', p]);
    for (let p = 0; p < n; p++) rows.push([p, 'info', 'write', p]);
    for (let i = 0; i < n; i++) rows.push([n + i, 'invoke', 'read', null], [n + i, 'ok', 'read', -1]);
    return rows;
  }

  it('answers "unknown" when the state budget runs out', () => {
    const r = check('register', hard(16), { maxStates: 1000 });
    expect(r).toMatchObject({ valid: 'unknown', unknownReason: 'state-limit', unknownKeys: [null] });
  });

  it('answers "unknown" when the time limit runs out', () => {
    const r = check('register', hard(22), { timeLimitMs: 1 });
    expect(r).toMatchObject({ valid: 'unknown', unknownReason: 'time-limit' });
  });

  it('is deterministic', () => {
    const rows = hard(8);
    expect(check('register', rows)).toEqual(check('register', rows));
  });
});

describe('models', () => {
  const op = (f: string, invokeValue: Json, value: Json = invokeValue, type: 'ok' | 'info' = 'ok', key?: Key) => ({
    process: 3, f, type, invokeValue, value, invokeIndex: 0, completeIndex: 1, invokeTime: 0, completeTime: 1, ...(key === undefined ? {} : { key }),
  });

  it('describe states and ops in short strings', () => {
    const cas = getModel('cas-register');
    expect(cas.describeOp(op('cas', [1, 2]))).toBe('p3 cas 1→2');
    expect(cas.describeOp(op('read', null, 5, 'ok', 'k'))).toBe('[k] p3 read → 5');
    expect(cas.describeOp(op('write', 4, 4, 'info'))).toBe('p3 write 4 (info)');
    expect(cas.describeState(cas.init())).toBe('null');
    const set = getModel('set');
    const s = set.step(set.step(set.init(), op('add', 'b')).state, op('add', 'a')).state;
    expect(set.describeState(s)).toBe('#{"a" "b"}');
    expect(getModel('kv').describeState('ab')).toBe('"ab"');
    expect(getModel('counter').describeOp(op('add', 2))).toBe('p3 add 2');
  });

  it('steps never mutate a state', () => {
    const set = getModel('set');
    const s0 = set.init();
    const s1 = set.step(s0, op('add', 1)).state;
    expect(set.hash(s0)).toBe('');
    expect(set.hash(s1)).toBe('1');
    expect(set.step(s1, op('add', 1)).state).toBe(s1);
  });

  it('rejects malformed values as bad input, not anomalies', () => {
    expect(() => getModel('cas-register').step(null, op('cas', 5))).toThrow(/cas value must be \[expected, new\]/);
    expect(() => getModel('counter').step(0, op('add', 'x'))).toThrow(/add value must be a number/);
    expect(() => getModel('kv').step('', op('put', 1))).toThrow(/put value must be a string/);
    expect(() => getModel('nope' as ModelName)).toThrow(/unknown model/);
  });
});
