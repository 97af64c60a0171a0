// `upsert`: every node runs INSERT … ON CONFLICT DO UPDATE on the same few keys. On logical-bidir the first
// inserts of a key collide (insert_exists, apply stops) and racing updates overwrite each other (divergence).
import type { Json } from '../src/history/types.js';
import type { Db, Workload, WorkloadOptions } from './types.js';
import { finalStateChecker } from '../checkers/logical-final.js';
import { statsChecker } from '../checkers/stats.js';

export const UPSERT_TABLE = 'faultline_upsert';

/** key → value table shared by the upsert and delete-upsert workloads. */
export function kvSetup(table: string): (db: Db) => Promise<void> {
  return async (db) => {
    await db.query(`CREATE TABLE IF NOT EXISTS ${table} (k int PRIMARY KEY, v bigint NOT NULL)`);
  };
}

export async function upsertKey(db: Db, table: string, key: number, value: Json): Promise<Json> {
  await db.query(`INSERT INTO ${table} (k, v) VALUES ($1, $2) ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v`, [key, value]);
  return value;
}

export async function readKey(db: Db, table: string, key: number): Promise<Json> {
  const r = await db.query<{ v: string }>(`SELECT v FROM ${table} WHERE k = $1`, [key]);
  return r.rows.length === 0 ? null : Number(r.rows[0].v);
}

/** final read: {key: value} of every row */
export function readAllKeys(table: string): (db: Db) => Promise<Json> {
  return async (db) => {
    const r = await db.query<{ k: number; v: string }>(`SELECT k, v FROM ${table} ORDER BY k`);
    const out: Record<string, Json> = {};
    for (const row of r.rows) out[String(row.k)] = Number(row.v);
    return out;
  };
}

export function upsertWorkload(opts: WorkloadOptions = {}): Workload {
  const keys = opts.keys ?? 3;
  const readFraction = opts.readFraction ?? 0.1;
  return {
    name: 'upsert',
    tables: [UPSERT_TABLE],
    // no model: its run judges final states per node (a logical-bidir upsert is not meant to be linearizable),
    // and `faultline check` has no pure checker for that yet
    setup: kvSetup(UPSERT_TABLE),
    generate(ctx) {
      const key = ctx.rng.int(0, keys - 1);
      if (ctx.rng.chance(readFraction)) return { f: 'read', key, value: null, write: false };
      // unique values: the final state names which write won on each node
      return { f: 'write', key, value: ctx.unique(), write: true };
    },
    async invoke(db, op) {
      if (op.f === 'write') return upsertKey(db, UPSERT_TABLE, op.key as number, op.value);
      return readKey(db, UPSERT_TABLE, op.key as number);
    },
    final: readAllKeys(UPSERT_TABLE),
    checkers: () => ({
      'final-state': finalStateChecker({ isWrite: (op) => op.f === 'write', effect: (op) => op.invokeValue }),
      stats: statsChecker,
    }),
  };
}
