// Convergence snapshot: per table, on every node, the row count and an order-independent checksum (sum of the
// first 64 bits of md5 of each row's text); when nodes disagree, the differing rows (capped).
import type pg from 'pg';
import { withClient } from './sql.js';
import type { TableSnapshot } from './types.js';

function qualified(c: pg.Client, table: string): string {
  return table
    .split('.')
    .map((p) => c.escapeIdentifier(p))
    .join('.');
}

export async function snapshotTables(
  nodes: readonly { name: string; config: pg.ClientConfig | null }[],
  tables: readonly string[],
  maxDiffering = 20,
): Promise<TableSnapshot[]> {
  const out: TableSnapshot[] = [];
  for (const table of tables) {
    const per: TableSnapshot['nodes'] = {};
    await Promise.all(
      nodes.map(async (n) => {
        if (!n.config) {
          per[n.name] = { error: 'node is down' };
          return;
        }
        try {
          per[n.name] = await withClient({ ...n.config, connectionTimeoutMillis: 5000, query_timeout: 60_000 }, async (c) => {
            const r = await c.query<{ n: string; s: string }>(
              `SELECT count(*)::text AS n, coalesce(sum(('x' || substr(md5(t::text), 1, 16))::bit(64)::bigint::numeric), 0)::text AS s FROM ${qualified(c, table)} t`,
            );
            return { rows: Number(r.rows[0]!.n), checksum: `${r.rows[0]!.n}:${r.rows[0]!.s}` };
          });
        } catch (err) {
          per[n.name] = { error: (err as Error).message };
        }
      }),
    );
    const sums = Object.values(per).map((v) => ('checksum' in v ? v.checksum : null));
    const answered = sums.filter((s): s is string => s !== null);
    const agree = answered.length === nodes.length && answered.every((s) => s === answered[0]);
    let differing: TableSnapshot['differing'] = [];
    let truncated = false;
    if (!agree && answered.length > 1) ({ differing, truncated } = await differingRows(nodes, per, table, maxDiffering));
    out.push({ table, nodes: per, agree, differing, differingTruncated: truncated });
  }
  return out;
}

/** Rows whose multiplicity is not the same on every answering node. */
async function differingRows(
  nodes: readonly { name: string; config: pg.ClientConfig | null }[],
  per: TableSnapshot['nodes'],
  table: string,
  max: number,
): Promise<{ differing: TableSnapshot['differing']; truncated: boolean }> {
  const counts = new Map<string, Map<string, number>>();
  const names: string[] = [];
  await Promise.all(
    nodes.map(async (n) => {
      const v = per[n.name];
      if (!n.config || !v || !('checksum' in v)) return;
      try {
        await withClient({ ...n.config, connectionTimeoutMillis: 5000, query_timeout: 120_000 }, async (c) => {
          const r = await c.query<{ t: string }>(`SELECT t::text AS t FROM ${qualified(c, table)} t LIMIT 1000000`);
          names.push(n.name);
          for (const row of r.rows) {
            let m = counts.get(row.t);
            if (!m) counts.set(row.t, (m = new Map()));
            m.set(n.name, (m.get(n.name) ?? 0) + 1);
          }
        });
      } catch {
        // the count query answered; a failed row fetch just shows fewer differences
      }
    }),
  );
  const differing: TableSnapshot['differing'] = [];
  let truncated = false;
  for (const [row, m] of [...counts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const ns = names.map((n) => m.get(n) ?? 0);
    if (ns.every((x) => x === ns[0])) continue;
    if (differing.length >= max) {
      truncated = true;
      break;
    }
    differing.push({ row, on: names.filter((n) => (m.get(n) ?? 0) > 0).sort() });
  }
  return { differing, truncated };
}
