// `versioned-command`: "deactivate the active row, insert the new active row" in one transaction, one active row
// per name. On logical-bidir two sites run it concurrently and a node can end with two active rows (or none).
import type { Json } from '../src/history/types.js';
import type { Db, Workload, WorkloadOptions } from './types.js';
import { oneActiveChecker } from '../checkers/logical-active.js';
import { statsChecker } from '../checkers/stats.js';

export const VERSIONED_TABLE = 'faultline_versioned';

export function versionedCommandWorkload(opts: WorkloadOptions = {}): Workload {
  const names = Array.from({ length: opts.keys ?? 3 }, (_, i) => `cmd${i}`);
  const readFraction = opts.readFraction ?? 0.1;
  return {
    name: 'versioned-command',
    tables: [VERSIONED_TABLE],
    async setup(db) {
      // no seed rows: setup runs node after node while replication already streams, so seed rows inserted on
      // every node would collide (insert_exists) when the other node's copies arrive
      await db.query(`CREATE TABLE IF NOT EXISTS ${VERSIONED_TABLE} (id bigint PRIMARY KEY, name text NOT NULL, active boolean NOT NULL)`);
    },
    generate(ctx) {
      const name = ctx.rng.pick(names);
      if (ctx.rng.chance(readFraction)) return { f: 'read', key: name, value: null, write: false };
      return { f: 'activate', key: name, value: ctx.unique(), write: true };
    },
    async invoke(db, op) {
      if (op.f === 'activate') {
        await activate(db, String(op.key), op.value as number);
        return op.value;
      }
      const r = await db.query<{ id: string }>(`SELECT id FROM ${VERSIONED_TABLE} WHERE name = $1 AND active ORDER BY id`, [op.key]);
      return r.rows.map((row) => Number(row.id));
    },
    final: readActive,
    checkers: () => ({ 'one-active': oneActiveChecker(names), stats: statsChecker }),
  };
}

/** The user's pattern: BEGIN; deactivate the active row; insert the new active row; COMMIT. */
async function activate(db: Db, name: string, id: number): Promise<void> {
  await db.query('BEGIN');
  try {
    await db.query(`UPDATE ${VERSIONED_TABLE} SET active = false WHERE name = $1 AND active`, [name]);
    await db.query(`INSERT INTO ${VERSIONED_TABLE} (id, name, active) VALUES ($1, $2, true)`, [id, name]);
  } catch (err) {
    await db.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
  await db.query('COMMIT');
}

async function readActive(db: Db): Promise<Json> {
  const r = await db.query<{ id: string; name: string }>(`SELECT id, name FROM ${VERSIONED_TABLE} WHERE active ORDER BY name, id`);
  const out: Record<string, Json[]> = {};
  for (const row of r.rows) (out[row.name] ??= []).push(Number(row.id));
  return out;
}
