// `counter-shared` (everybody increments one int) and `counter-own` (each client its own int):
// are the final counts exact, and does every read lie within the acknowledged bounds?
import type { Json } from '../src/history/types.js';
import type { Db, Workload, WorkloadOptions } from './types.js';
import { counterChecker } from '../checkers/counter.js';
import { statsChecker } from '../checkers/stats.js';

const TABLE = 'faultline_counter';

export function counterWorkload(mode: 'shared' | 'own', opts: WorkloadOptions = {}): Workload {
  const readFraction = opts.readFraction ?? 0.2;
  return {
    name: `counter-${mode}`,
    tables: [TABLE],
    model: 'counter',
    async setup(db) {
      await db.query(`CREATE TABLE IF NOT EXISTS ${TABLE} (k int PRIMARY KEY, v bigint NOT NULL DEFAULT 0)`);
    },
    generate(ctx) {
      // literals, not spreads: this runs once per op (see bench/runner.bench.ts)
      const key = mode === 'shared' ? undefined : ctx.client;
      if (ctx.rng.chance(readFraction)) return { key, f: 'read', value: null, write: false };
      return { key, f: 'add', value: 1, write: true };
    },
    async invoke(db, op) {
      const k = op.key ?? 0;
      if (op.f === 'add') {
        await db.query(
          `INSERT INTO ${TABLE} (k, v) VALUES ($1, $2) ON CONFLICT (k) DO UPDATE SET v = ${TABLE}.v + EXCLUDED.v`,
          [k, op.value],
        );
        return op.value;
      }
      const r = await db.query<{ v: string }>(`SELECT v FROM ${TABLE} WHERE k = $1`, [k]);
      return r.rows.length === 0 ? 0 : Number(r.rows[0].v);
    },
    final: (db) => readCounters(db, mode),
    checkers: () => ({ counter: counterChecker, stats: statsChecker }),
  };
}

async function readCounters(db: Db, mode: 'shared' | 'own'): Promise<Json> {
  const r = await db.query<{ k: number; v: string }>(`SELECT k, v FROM ${TABLE} ORDER BY k`);
  if (mode === 'shared') return r.rows.length === 0 ? 0 : Number(r.rows[0].v);
  const out: Record<string, Json> = {};
  for (const row of r.rows) out[String(row.k)] = Number(row.v);
  return out;
}
