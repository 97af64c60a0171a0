// The transactional workloads without a database: Elle-style transaction generation (lengths, skewed key pool,
// unique writes per key, fresh keys past the write limit), the ops append and rw-register make, their checker
// suite, and the statements one transaction sends with how far it got when it failed.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/util/rng.js';
import { classifyError } from '../../src/runner/classify.js';
import { appendWorkload, parseList } from '../../workloads/append.js';
import { makeWorkload } from '../../workloads/index.js';
import { parseRegister, rwRegisterWorkload } from '../../workloads/rw-register.js';
import { TxnGenerator, writesIn, type MicroOp } from '../../workloads/txn-gen.js';
import { AbortedBeforeCommit, RolledBack, tableOf, TxnRunner, type TxnSql } from '../../workloads/txn-sql.js';
import { expectedModel } from '../../workloads/txn-workload.js';
import type { Db, GenContext, WorkloadOptions } from '../../workloads/types.js';

function txns(n: number, writeF: 'append' | 'w' = 'append', o = {}, seed = 7): { gen: TxnGenerator; out: MicroOp[][] } {
  const gen = new TxnGenerator(writeF, o);
  const rng = new Rng(seed);
  return { gen, out: Array.from({ length: n }, () => gen.next(rng)) };
}

const writes = (out: MicroOp[][]): MicroOp[] => out.flat().filter((m) => m[0] !== 'r');

describe('TxnGenerator', () => {
  it('makes transactions of 1..maxLength micro-ops, every length about equally often', () => {
    const { out } = txns(8000, 'append', { maxLength: 4 });
    const lengths = [1, 2, 3, 4].map((l) => out.filter((t) => t.length === l).length / out.length);
    for (const share of lengths) expect(share).toBeCloseTo(0.25, 1);
    expect(out.every((t) => t.length >= 1 && t.length <= 4)).toBe(true);
  });

  it('reads ["r", k, null] at the read fraction; writes ["append", k, v]', () => {
    const { out } = txns(4000, 'append', { readFraction: 0.3 });
    const mops = out.flat();
    expect(mops.filter((m) => m[0] === 'r').length / mops.length).toBeCloseTo(0.3, 1);
    const bad = mops.filter((m) => !Number.isInteger(m[1]) || (m[0] === 'r' ? m[2] !== null : m[0] !== 'append' || !Number.isInteger(m[2])));
    expect(bad).toEqual([]);
  });

  it('writes each key 1, 2, 3… once each, at most maxWritesPerKey times, then moves to fresh keys', () => {
    const { gen, out } = txns(3000, 'w', { keyCount: 5, maxWritesPerKey: 8 });
    const byKey = new Map<number, number[]>();
    for (const [, k, v] of writes(out)) byKey.set(k, [...(byKey.get(k) ?? []), v as number]);
    for (const vs of byKey.values()) {
      expect(vs).toEqual(vs.map((_, i) => i + 1));
      expect(vs.length).toBeLessThanOrEqual(8);
    }
    // keys past the first pool appeared, and every retired key got all its writes
    expect(Math.max(...byKey.keys())).toBeGreaterThan(4);
    const active = new Set(gen.activeKeys());
    for (const [k, vs] of byKey) if (!active.has(k)) expect(vs.length).toBe(8);
    expect(gen.activeKeys()).toHaveLength(5);
  });

  it('skews keys: pool slot 0 about twice as often as slot 1 (base 2); base 1 is uniform', () => {
    const count = (o: object): number[] => {
      const { out } = txns(20000, 'append', { keyCount: 4, maxWritesPerKey: 1e9, ...o });
      const c = [0, 0, 0, 0];
      for (const [, k] of out.flat()) c[k]!++;
      return c;
    };
    const skewed = count({});
    expect(skewed[0]! / skewed[1]!).toBeGreaterThan(1.8);
    expect(skewed[0]! / skewed[1]!).toBeLessThan(2.2);
    expect(skewed[2]! / skewed[3]!).toBeGreaterThan(1.7);
    const uniform = count({ keyDistBase: 1 });
    expect(Math.max(...uniform) / Math.min(...uniform)).toBeLessThan(1.15);
  });

  it('is deterministic under one seed', () => {
    expect(txns(500).out).toEqual(txns(500).out);
    expect(txns(500, 'append', {}, 8).out).not.toEqual(txns(500).out);
  });

  it('refuses impossible options', () => {
    expect(() => new TxnGenerator('append', { keyCount: 0 })).toThrow(RangeError);
    expect(() => new TxnGenerator('append', { minLength: 3, maxLength: 2 })).toThrow(RangeError);
    expect(() => new TxnGenerator('append', { maxWritesPerKey: 0 })).toThrow(RangeError);
  });

  it('writesIn: a transaction of reads only writes nothing', () => {
    expect(writesIn([['r', 1, null], ['r', 2, null]])).toBe(false);
    expect(writesIn([['r', 1, null], ['append', 2, 1]])).toBe(true);
  });
});

/** ops as the runner's clients ask for them: several clients, one workload instance */
function ops(name: 'append' | 'rw-register', opts: WorkloadOptions = {}, n = 3000) {
  const w = makeWorkload(name, opts);
  const rngs = [0, 1, 2, 3].map((i) => new Rng(3).fork(`client-${i}`));
  let u = 0;
  return Array.from({ length: n }, (_, i) => {
    const ctx: GenContext = { rng: rngs[i % 4]!, client: i % 4, concurrency: 4, unique: () => u++ };
    return w.generate(ctx);
  });
}

describe('append and rw-register ops', () => {
  it.each(['append', 'rw-register'] as const)('%s: f "txn", a list of micro-ops, write = any micro-op writes', (name) => {
    const xs = ops(name);
    const wf = name === 'append' ? 'append' : 'w';
    const bad = xs.filter((o) => {
      const t = o.value as MicroOp[];
      return o.f !== 'txn' || o.key !== undefined || o.write !== t.some((m) => m[0] === wf) || !t.every((m) => m[0] === 'r' || m[0] === wf);
    });
    expect(bad).toEqual([]);
    // some read-only transactions (those may go to standbys)
    expect(xs.filter((o) => !o.write).length / xs.length).toBeGreaterThan(0.1);
  });

  it('values written to a key are unique across all clients (both workloads)', () => {
    for (const name of ['append', 'rw-register'] as const) {
      const seen = new Set<string>();
      let n = 0;
      for (const o of ops(name)) for (const m of (o.value as MicroOp[]).filter((x) => x[0] !== 'r')) {
        seen.add(`${m[1]}=${String(m[2])}`);
        n++;
      }
      expect(seen.size).toBe(n);
    }
  });

  it('keys and maxTxnLength are the generator options', () => {
    const xs = ops('append', { keys: 2, maxTxnLength: 1, maxWritesPerKey: 1e6 });
    expect(xs.every((o) => (o.value as MicroOp[]).length === 1)).toBe(true);
    expect(new Set(xs.flatMap((o) => (o.value as MicroOp[]).map((m) => m[1])))).toEqual(new Set([0, 1]));
  });

  it('the expected model follows the isolation level unless given', () => {
    expect(expectedModel({})).toBe('serializable');
    expect(expectedModel({ isolation: 'repeatable-read' })).toBe('snapshot-isolation');
    expect(expectedModel({ isolation: 'read-committed' })).toBe('read-committed');
    expect(expectedModel({ isolation: 'repeatable-read', expectedConsistencyModel: 'serializable' })).toBe('serializable');
  });

  it('their suites judge with the txn checker (expected model, garbage reads) and stats', () => {
    const w = appendWorkload({ isolation: 'repeatable-read' });
    expect(w.model).toBe('list-append');
    expect(Object.keys(w.checkers())).toEqual(['txn', 'stats']);
    expect(w.tables).toEqual(['txn0', 'txn1', 'txn2']);
    expect(rwRegisterWorkload().model).toBe('rw-register');
  });

  it('a key lives in table k mod 3; stored values parse back', () => {
    expect([0, 1, 2, 3, 7].map(tableOf)).toEqual(['txn0', 'txn1', 'txn2', 'txn0', 'txn1']);
    expect(parseList(null)).toEqual([]);
    expect(parseList('1,2,30')).toEqual([1, 2, 30]);
    expect(parseRegister(null)).toBeNull();
    expect(parseRegister('12')).toBe(12);
  });
});

/** A Db that records statements and answers from a script (errors by statement prefix). */
function scriptedDb(fail: Record<string, Error> = {}, commitTag = 'COMMIT'): { db: Db; sent: string[] } {
  const sent: string[] = [];
  const db = {
    async query(text: string) {
      sent.push(text);
      for (const [prefix, e] of Object.entries(fail)) if (text.startsWith(prefix)) throw e;
      if (text.startsWith('SELECT pg_is_in_recovery')) return { rows: [{ standby: text.includes('never') }], command: 'SELECT' };
      if (text === 'COMMIT') return { rows: [], command: commitTag };
      return { rows: [], command: text.split(' ')[0] };
    },
  } as unknown as Db;
  return { db, sent };
}

const sql: TxnSql = {
  read: async (db) => {
    await db.query('READ');
    return [];
  },
  write: async (db) => void (await db.query('WRITE')),
};
const pgError = (code: string, message: string): Error => Object.assign(new Error(message), { code });

describe('TxnRunner: one transaction per op', () => {
  it('sets the session level once, then BEGIN … COMMIT around several micro-ops', async () => {
    const { db, sent } = scriptedDb();
    const r = new TxnRunner('repeatable-read', sql);
    await r.run(db, [['r', 1, null], ['append', 2, 1]], true);
    await r.run(db, [['append', 2, 2], ['r', 1, null]], true);
    expect(sent).toEqual([
      'SELECT pg_is_in_recovery() AS standby',
      'SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL REPEATABLE READ',
      'BEGIN ISOLATION LEVEL REPEATABLE READ', 'READ', 'WRITE', 'COMMIT',
      'BEGIN ISOLATION LEVEL REPEATABLE READ', 'WRITE', 'READ', 'COMMIT',
    ]);
  });

  it('a single micro-op is one statement, no BEGIN (at the session level)', async () => {
    const { db, sent } = scriptedDb();
    await new TxnRunner('serializable', sql).run(db, [['append', 1, 1]], true);
    expect(sent.slice(2)).toEqual(['WRITE']);
    expect(sent[1]).toContain('SERIALIZABLE');
  });

  it('on a standby, serializable sessions run at REPEATABLE READ (PostgreSQL refuses SERIALIZABLE there)', () => {
    const r = new TxnRunner('serializable', sql);
    expect(r.levelOn(true)).toBe('repeatable-read');
    expect(r.levelOn(false)).toBe('serializable');
    expect(new TxnRunner('read-committed', sql).levelOn(true)).toBe('read-committed');
  });

  it('on a session begun on a standby, a serializable run looks again inside each txn: promoted, it starts over at SERIALIZABLE', async () => {
    const sent: string[] = [];
    let inRecovery = true;
    const db = {
      async query(text: string) {
        sent.push(text);
        if (text.startsWith('SELECT pg_is_in_recovery')) return { rows: [{ standby: inRecovery }], command: 'SELECT' };
        return { rows: [], command: text.split(' ')[0] };
      },
    } as unknown as Db;
    const r = new TxnRunner('serializable', sql);
    // still a standby: even one read runs in a REPEATABLE READ txn that checks first
    await r.run(db, [['r', 1, null]], false);
    expect(sent.splice(0)).toEqual([
      'SELECT pg_is_in_recovery() AS standby',
      'SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL REPEATABLE READ',
      'BEGIN ISOLATION LEVEL REPEATABLE READ', 'SELECT pg_is_in_recovery() AS standby', 'READ', 'COMMIT',
    ]);
    inRecovery = false;
    await r.run(db, [['r', 1, null], ['r', 2, null]], false);
    expect(sent.splice(0)).toEqual([
      'BEGIN ISOLATION LEVEL REPEATABLE READ', 'SELECT pg_is_in_recovery() AS standby', 'ROLLBACK',
      'SELECT pg_is_in_recovery() AS standby',
      'SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL SERIALIZABLE',
      'BEGIN ISOLATION LEVEL SERIALIZABLE', 'READ', 'READ', 'COMMIT',
    ]);
    // a primary session pays nothing more; at repeatable-read a standby session is not below the level asked
    await r.run(db, [['r', 1, null]], false);
    expect(sent.splice(0)).toEqual(['READ']);
    inRecovery = true;
    const rr = new TxnRunner('repeatable-read', sql);
    await rr.run(db, [['r', 1, null]], false);
    expect(sent.slice(2)).toEqual(['READ']);
  });

  it('an error before COMMIT rolls back and fails even a write, also when the connection was lost', async () => {
    for (const e of [pgError('40001', 'could not serialize access'), new Error('Connection terminated unexpectedly')]) {
      const { db, sent } = scriptedDb({ WRITE: e });
      const caught = await new TxnRunner('serializable', sql).run(db, [['r', 1, null], ['append', 1, 1]], true).catch((x: unknown) => x);
      expect(caught).toBeInstanceOf(AbortedBeforeCommit);
      expect((caught as AbortedBeforeCommit).cause).toBe(e);
      expect(sent.at(-1)).toBe('ROLLBACK');
      expect(classifyError(caught, { write: true, sent: true }).type).toBe('fail');
    }
    const lost = new AbortedBeforeCommit(new Error('Connection terminated unexpectedly'));
    expect(lost.code).toBeUndefined();
    expect(new AbortedBeforeCommit(pgError('40P01', 'deadlock detected')).code).toBe('40P01');
  });

  it('an error at COMMIT is classified as any: a lost connection is info, 40001 fails; ROLLBACK for COMMIT fails', async () => {
    const lost = await new TxnRunner('serializable', sql).run(scriptedDb({ COMMIT: new Error('Connection terminated unexpectedly') }).db, [['append', 1, 1], ['append', 2, 1]], true).catch((x: unknown) => x);
    expect(lost).not.toBeInstanceOf(AbortedBeforeCommit);
    expect(classifyError(lost, { write: true, sent: true }).type).toBe('info');
    const serial = await new TxnRunner('serializable', sql).run(scriptedDb({ COMMIT: pgError('40001', 'could not serialize access') }).db, [['append', 1, 1], ['r', 2, null]], true).catch((x: unknown) => x);
    expect(classifyError(serial, { write: true, sent: true }).type).toBe('fail');
    const rolled = await new TxnRunner('serializable', sql).run(scriptedDb({}, 'ROLLBACK').db, [['append', 1, 1], ['r', 2, null]], true).catch((x: unknown) => x);
    expect(rolled).toBeInstanceOf(RolledBack);
    expect(classifyError(rolled, { write: true, sent: true }).type).toBe('fail');
  });

  it('a lost connection in a single-statement write is info (the statement is its own commit)', async () => {
    const e = await new TxnRunner('serializable', sql).run(scriptedDb({ WRITE: new Error('Connection terminated unexpectedly') }).db, [['append', 1, 1]], true).catch((x: unknown) => x);
    expect(classifyError(e, { write: true, sent: true }).type).toBe('info');
  });
});
