// What the append and rw-register workloads share: Elle-style transactions (txn-gen.ts) run at the run's isolation
// level (txn-sql.ts), judged by the transactional checker against the expected consistency model.
import { statsChecker } from '../checkers/stats.js';
import { GARBAGE_READ, txnChecker, type TxnModel } from '../checkers/txn/index.js';
import type { Json } from '../src/history/types.js';
import type { Db, Workload, WorkloadOptions } from './types.js';
import { TxnGenerator, writesIn, type MicroOp } from './txn-gen.js';
import { EXPECTED_MODEL, setupTxnTables, TXN_TABLES, TxnRunner, type TxnSql } from './txn-sql.js';

export interface TxnWorkloadSpec {
  name: string;
  model: TxnModel;
  sql: TxnSql;
  /** a row's `val` as the final read reports it */
  finalValue(val: string | null): Json;
}

/** The consistency model a run's history is judged against: the one given, or the isolation level's. */
export function expectedModel(opts: WorkloadOptions): string {
  return opts.expectedConsistencyModel ?? EXPECTED_MODEL[opts.isolation ?? 'serializable'];
}

export function txnWorkload(spec: TxnWorkloadSpec, opts: WorkloadOptions): Workload {
  const gen = new TxnGenerator(spec.model === 'list-append' ? 'append' : 'w', {
    keyCount: opts.keys,
    readFraction: opts.readFraction,
    maxLength: opts.maxTxnLength,
    maxWritesPerKey: opts.maxWritesPerKey,
  });
  const runner = new TxnRunner(opts.isolation ?? 'serializable', spec.sql);
  const expected = expectedModel(opts);
  return {
    name: spec.name,
    tables: [...TXN_TABLES],
    model: spec.model,
    setup: setupTxnTables,
    generate(ctx) {
      const txn = gen.next(ctx.rng);
      return { f: 'txn', value: txn as Json, write: writesIn(txn) };
    },
    invoke: (db, op) => runner.run(db, op.value as MicroOp[], op.write),
    final: (db) => readAll(db, spec.finalValue),
    checkers: () => ({
      // garbage reads (an element nobody appended, a value nobody wrote) count: the tables start empty
      txn: txnChecker(spec.model, { consistencyModels: [expected], anomalies: [GARBAGE_READ] }),
      stats: statsChecker,
    }),
  };
}

/** Every row of the three tables: {key: value} (the final read of one node). */
async function readAll(db: Db, value: (val: string | null) => Json): Promise<Json> {
  const out: Record<string, Json> = {};
  for (const t of TXN_TABLES) {
    const r = await db.query<{ id: number; val: string | null }>(`SELECT id, val FROM ${t} ORDER BY id`);
    for (const row of r.rows) out[String(row.id)] = value(row.val);
  }
  return out;
}
