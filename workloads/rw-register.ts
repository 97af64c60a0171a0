// `rw-register`: Elle's read-write registers on the append workload's schema: a write stores its value (unique per
// key) with INSERT … ON CONFLICT DO UPDATE SET val = v, a read returns it (null: never written); judged by checkers/txn.
import type { Json } from '../src/history/types.js';
import type { Workload, WorkloadOptions } from './types.js';
import { tableOf } from './txn-sql.js';
import { txnWorkload } from './txn-workload.js';

/** A stored register value: the integer written, null for no row. */
export function parseRegister(val: string | null): Json {
  if (val === null) return null;
  return /^-?\d+$/.test(val) ? Number(val) : val;
}

export function rwRegisterWorkload(opts: WorkloadOptions = {}): Workload {
  return txnWorkload(
    {
      name: 'rw-register',
      model: 'rw-register',
      sql: {
        async read(db, k) {
          const r = await db.query<{ val: string | null }>(`SELECT val FROM ${tableOf(k)} WHERE id = $1`, [k]);
          return parseRegister(r.rows[0]?.val ?? null);
        },
        async write(db, k, v) {
          await db.query(`INSERT INTO ${tableOf(k)} AS t (id, sk, val) VALUES ($1, $1, $2::text) ON CONFLICT (id) DO UPDATE SET val = EXCLUDED.val`, [k, String(v)]);
        },
      },
      finalValue: parseRegister,
    },
    opts,
  );
}
