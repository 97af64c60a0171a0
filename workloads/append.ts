// `append`: Elle's list-append on Jepsen's PostgreSQL schema. A key's list is a comma-separated text row; an append
// is INSERT … ON CONFLICT DO UPDATE SET val = CONCAT(t.val, ',', v), a read SELECT val; judged by checkers/txn.
import type { Json } from '../src/history/types.js';
import type { Workload, WorkloadOptions } from './types.js';
import { tableOf } from './txn-sql.js';
import { txnWorkload } from './txn-workload.js';

/** A stored list ("1,2,3", or no row) as the elements read; an element that is not an integer stays text. */
export function parseList(val: string | null): Json[] {
  if (val === null || val === '') return [];
  return val.split(',').map((e) => (/^-?\d+$/.test(e) ? Number(e) : e));
}

export function appendWorkload(opts: WorkloadOptions = {}): Workload {
  return txnWorkload(
    {
      name: 'append',
      model: 'list-append',
      sql: {
        async read(db, k) {
          const r = await db.query<{ val: string | null }>(`SELECT val FROM ${tableOf(k)} WHERE id = $1`, [k]);
          return parseList(r.rows[0]?.val ?? null);
        },
        async write(db, k, v) {
          await db.query(
            `INSERT INTO ${tableOf(k)} AS t (id, sk, val) VALUES ($1, $1, $2::text) ON CONFLICT (id) DO UPDATE SET val = CONCAT(t.val, ',', $2::text)`,
            [k, String(v)],
          );
        },
      },
      finalValue: parseList,
    },
    opts,
  );
}
