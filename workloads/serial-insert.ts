// `serial-insert`: every node inserts into a table keyed by a SERIAL column. On logical-bidir each node's
// sequence hands out the same ids, so replicated inserts collide (insert_exists) and the apply worker stops.
import type { Json } from '../src/history/types.js';
import type { Db, Workload, WorkloadOptions } from './types.js';
import { setChecker } from '../checkers/set.js';
import { setOps } from './set.js';
import { statsChecker } from '../checkers/stats.js';

export const SERIAL_TABLE = 'faultline_serial';

export function serialInsertWorkload(opts: WorkloadOptions = {}): Workload {
  const readFraction = opts.readFraction ?? 0.05;
  return {
    name: 'serial-insert',
    tables: [SERIAL_TABLE],
    model: 'set',
    async setup(db) {
      // origin: the inserting server's port, so conflicting rows in the server log show where each came from
      await db.query(
        `CREATE TABLE IF NOT EXISTS ${SERIAL_TABLE} (id serial PRIMARY KEY, tag bigint NOT NULL, origin int NOT NULL DEFAULT current_setting('port')::int)`,
      );
    },
    generate: setOps(readFraction),
    async invoke(db, op) {
      if (op.f === 'add') {
        await db.query(`INSERT INTO ${SERIAL_TABLE} (tag) VALUES ($1)`, [op.value]);
        return op.value;
      }
      return readTags(db);
    },
    final: readTags,
    // set: every acknowledged tag must be on every node (the final read per node names the missing ones)
    checkers: () => ({ set: setChecker, stats: statsChecker }),
  };
}

async function readTags(db: Db): Promise<Json> {
  const r = await db.query<{ tag: string }>(`SELECT tag FROM ${SERIAL_TABLE} ORDER BY tag`);
  return r.rows.map((row) => Number(row.tag));
}
