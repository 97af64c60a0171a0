// Example property (4): a workload a user writes in ~30 lines — append to a per-key list (its own table and SQL,
// its own checker) — and the property "no acknowledged append is lost, every read is a prefix of the final list".
import { describe } from 'vitest';
import { setChecker } from '../../checkers/set.js';
import type { Checker } from '../../checkers/types.js';
import { allOf, checkerValid, faultPlan, noLostWrites, opMix, propertyTest, scenario, type Db, type Workload, type WorkloadOptions } from '../../src/properties/index.js';

const TABLE = 'lists';

async function readLists(db: Db): Promise<Record<string, number[]>> {
  const r = await db.query<{ k: number; vals: string[] }>(`SELECT k, vals FROM ${TABLE}`);
  return Object.fromEntries(r.rows.map((row) => [String(row.k), row.vals.map(Number)]));
}

/** Every ok read of a key is a prefix of that key's final list on every node (appends never reorder). */
const prefixChecker: Checker = (history, ctx) => {
  const bad = history.ops.filter((op) => op.f === 'read' && op.type === 'ok' && Object.values(ctx.final ?? {}).some((fin) => {
    const list = (fin as Record<string, number[]>)[String(op.key)] ?? [];
    return (op.value as number[]).some((v, i) => list[i] !== v);
  }));
  return { valid: bad.length === 0, reason: bad.length ? `${bad.length} read(s) not a prefix of the final list` : undefined, first: bad[0]?.invokeIndex };
};

export function listAppend(opts: WorkloadOptions): Workload {
  const keys = opts.keys ?? 3;
  return {
    name: 'list-append',
    tables: [TABLE],
    model: 'set',
    setup: async (db) => void (await db.query(`CREATE TABLE IF NOT EXISTS ${TABLE} (k int PRIMARY KEY, vals bigint[] NOT NULL)`)),
    generate: (ctx) => {
      const key = ctx.rng.int(0, keys - 1);
      if (ctx.rng.chance(opts.readFraction ?? 0.3)) return { f: 'read', key, value: null, write: false };
      return { f: 'add', key, value: ctx.unique(), write: true };
    },
    invoke: async (db, op) => {
      if (op.f === 'read') return (await readLists(db))[String(op.key)] ?? [];
      await db.query(`INSERT INTO ${TABLE} AS t VALUES ($1, ARRAY[$2::bigint]) ON CONFLICT (k) DO UPDATE SET vals = t.vals || $2::bigint`, [op.key, op.value]);
      return op.value;
    },
    final: readLists,
    checkers: () => ({ set: setChecker, prefix: prefixChecker }),
  };
}

describe('property: a user-written workload (list append)', () => {
  propertyTest('list-append on single + kill/partition: no append lost, reads are prefixes', {
    experiment: { topology: 'single', rate: 300, concurrency: 4, opTimeout: 2000, settle: 20 },
    workload: listAppend,
    cases: scenario({ faults: faultPlan({ nemeses: ['kill', 'partition'] }), ops: opMix({ readFraction: [0.1, 0.5], keys: [1, 4] }) }),
    property: allOf(noLostWrites, { ...checkerValid('prefix'), name: 'every read is a prefix of the final list' }),
  });
});
