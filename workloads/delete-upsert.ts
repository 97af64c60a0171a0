// `delete-upsert`: clients on one side delete keys while clients on the other side upsert the same keys.
// Client i talks to node i mod n (fixed routing), so with 2 nodes even clients (n1) delete and odd ones (n2) upsert.
import type { Workload, WorkloadOptions } from './types.js';
import { finalStateChecker } from '../checkers/logical-final.js';
import { statsChecker } from '../checkers/stats.js';
import { kvSetup, readAllKeys, readKey, upsertKey } from './upsert.js';

export const DELETE_UPSERT_TABLE = 'faultline_delete_upsert';

export function deleteUpsertWorkload(opts: WorkloadOptions = {}): Workload {
  const keys = opts.keys ?? 3;
  const readFraction = opts.readFraction ?? 0.1;
  return {
    name: 'delete-upsert',
    tables: [DELETE_UPSERT_TABLE],
    setup: kvSetup(DELETE_UPSERT_TABLE),
    generate(ctx) {
      const key = ctx.rng.int(0, keys - 1);
      if (ctx.rng.chance(readFraction)) return { f: 'read', key, value: null, write: false };
      if (ctx.client % 2 === 0) return { f: 'delete', key, value: null, write: true };
      return { f: 'write', key, value: ctx.unique(), write: true };
    },
    async invoke(db, op) {
      if (op.f === 'write') return upsertKey(db, DELETE_UPSERT_TABLE, op.key as number, op.value);
      if (op.f === 'delete') {
        await db.query(`DELETE FROM ${DELETE_UPSERT_TABLE} WHERE k = $1`, [op.key]);
        return null;
      }
      return readKey(db, DELETE_UPSERT_TABLE, op.key as number);
    },
    final: readAllKeys(DELETE_UPSERT_TABLE),
    checkers: () => ({
      'final-state': finalStateChecker({
        isWrite: (op) => op.f === 'write' || op.f === 'delete',
        effect: (op) => (op.f === 'delete' ? null : op.invokeValue),
      }),
      stats: statsChecker,
    }),
  };
}
