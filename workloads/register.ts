// `register`: keyed read / write / compare-and-set registers, judged for linearizability per key.
import type { Json } from '../src/history/types.js';
import type { Db, Workload, WorkloadOptions } from './types.js';
import { linearizabilityChecker } from '../checkers/linearizability-explain.js';
import { getModel } from '../checkers/models.js';
import { statsChecker } from '../checkers/stats.js';

const TABLE = 'faultline_register';

export function registerWorkload(opts: WorkloadOptions = {}): Workload {
  const keys = opts.keys ?? 8;
  const readFraction = opts.readFraction ?? 0.5;
  return {
    name: 'register',
    tables: [TABLE],
    model: 'cas-register',
    async setup(db) {
      await db.query(`CREATE TABLE IF NOT EXISTS ${TABLE} (k int PRIMARY KEY, v int)`);
    },
    generate(ctx) {
      const key = ctx.rng.int(0, keys - 1);
      const r = ctx.rng.next();
      if (r < readFraction) return { f: 'read', key, value: null, write: false };
      if (r < readFraction + (1 - readFraction) / 2) return { f: 'write', key, value: ctx.rng.int(0, 4), write: true };
      return { f: 'cas', key, value: [ctx.rng.int(0, 4), ctx.rng.int(0, 4)], write: true };
    },
    async invoke(db, op) {
      if (op.f === 'read') {
        const r = await db.query<{ v: number | null }>(`SELECT v FROM ${TABLE} WHERE k = $1`, [op.key]);
        return r.rows.length === 0 ? null : r.rows[0].v;
      }
      if (op.f === 'write') {
        await db.query(
          `INSERT INTO ${TABLE} (k, v) VALUES ($1, $2) ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v`,
          [op.key, op.value],
        );
        return op.value;
      }
      const [expected, next] = op.value as [number, number];
      const r = await db.query(`UPDATE ${TABLE} SET v = $3 WHERE k = $1 AND v = $2`, [op.key, expected, next]);
      if (r.rowCount !== 1) throw CAS_MISMATCH;
      return op.value;
    },
    final: (db) => readRegisters(db),
    checkers: () => ({
      linearizability: linearizabilityChecker(getModel('cas-register')),
      stats: statsChecker,
    }),
  };
}

/** A cas whose expected value did not match: certainly no effect, so the op fails. */
export class CasMismatch extends Error {
  readonly code = 'CAS_MISMATCH';
  readonly definite = true;
  constructor() {
    super('cas: expected value did not match');
  }
}

/** One shared instance: a mismatch is routine, and building an Error (its stack) per op is not free. */
const CAS_MISMATCH = new CasMismatch();

async function readRegisters(db: Db): Promise<Json> {
  const r = await db.query<{ k: number; v: number | null }>(`SELECT k, v FROM ${TABLE} ORDER BY k`);
  const out: Record<string, Json> = {};
  for (const row of r.rows) out[String(row.k)] = row.v;
  return out;
}
