// `set`: clients insert unique elements and read the whole set; the final read on every node shows
// which acknowledged inserts were lost, which unacknowledged ones landed, and whether nodes agree.
import type { Json } from '../src/history/types.js';
import type { Workload, WorkloadOptions } from './types.js';
import { setChecker } from '../checkers/set.js';
import { statsChecker } from '../checkers/stats.js';

const TABLE = 'faultline_set';

export function setWorkload(opts: WorkloadOptions = {}): Workload {
  const readFraction = opts.readFraction ?? 0.1;
  return {
    name: 'set',
    tables: [TABLE],
    model: 'set',
    async setup(db) {
      await db.query(`CREATE TABLE IF NOT EXISTS ${TABLE} (v bigint PRIMARY KEY)`);
    },
    generate: setOps(readFraction),
    async invoke(db, op) {
      if (op.f === 'add') {
        await db.query(`INSERT INTO ${TABLE} (v) VALUES ($1)`, [op.value]);
        return op.value;
      }
      return readAll(db);
    },
    final: readAll,
    checkers: () => ({ set: setChecker, stats: statsChecker }),
  };
}

/** Set-style ops: a read of the whole set with probability readFraction, else the add of a unique element. */
export function setOps(readFraction: number): Workload['generate'] {
  return (ctx) => (ctx.rng.chance(readFraction) ? { f: 'read', value: null, write: false } : { f: 'add', value: ctx.unique(), write: true });
}

async function readAll(db: Parameters<Workload['final']>[0]): Promise<Json> {
  const r = await db.query<{ v: string }>(`SELECT v FROM ${TABLE} ORDER BY v`);
  return r.rows.map((row) => Number(row.v));
}
