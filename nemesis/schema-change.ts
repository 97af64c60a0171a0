// `schema-change` / `schema-change-norefresh`: while replicating, create a new table on every node, with or without
// ALTER SUBSCRIPTION … REFRESH PUBLICATION, write rows into it on every node, then count what arrived where.
// Without the refresh the rows are silently not replicated; the check is recorded for the replication checker.
// Needs the topology's subscriptions capability (refused before the run elsewhere).
import type pg from 'pg';
import { withClient } from '../src/cluster/sql.js';
import type { Cluster } from '../src/cluster/types.js';
import type { FaultRecord, Nemesis } from './types.js';

const ROWS = 5;

function onNode<T>(c: Cluster, node: string, fn: (db: pg.Client) => Promise<T>): Promise<T> {
  return withClient({ ...c.adminConfig(node), connectionTimeoutMillis: 5000, query_timeout: 30_000 }, fn);
}


/** rows of `table` on each node, by the node that wrote them */
async function census(c: Cluster, nodes: string[], table: string): Promise<Record<string, Record<string, number>>> {
  const seen: Record<string, Record<string, number>> = {};
  for (const n of nodes) {
    const rows = await onNode(c, n, async (db) => (await db.query<{ origin: string; n: string }>(`SELECT origin, count(*)::text AS n FROM ${table} GROUP BY origin`)).rows);
    seen[n] = Object.fromEntries(nodes.map((o) => [o, Number(rows.find((r) => r.origin === o)?.n ?? 0)]));
  }
  return seen;
}

export function schemaChangeNemesis(refresh: boolean): Nemesis {
  let round = 0;
  let inForce: { table: string; nodes: string[] } | null = null;
  const name = refresh ? 'schema-change' : 'schema-change-norefresh';
  return {
    name,
    names: ['schema-change', 'schema-change-check'],
    async start({ cluster }): Promise<FaultRecord> {
      const nodes = cluster.nodes.filter((n) => n.state === 'running').map((n) => n.name);
      const table = `faultline_ddl_${process.pid}_${++round}`;
      for (const n of nodes) await onNode(cluster, n, (db) => db.query(`CREATE TABLE ${table} (id text PRIMARY KEY, origin text NOT NULL)`));
      const refreshed: Record<string, string[]> = {};
      if (refresh) for (const n of nodes) refreshed[n] = await cluster.capability('subscriptions').refresh(n);
      for (const n of nodes) {
        await onNode(cluster, n, async (db) => {
          for (let i = 0; i < ROWS; i++) await db.query(`INSERT INTO ${table} (id, origin) VALUES ($1, $2)`, [`${n}-${i}`, n]);
        });
      }
      inForce = { table, nodes };
      return { f: 'schema-change', value: { table, refreshed: refresh, subscriptionsRefreshed: refreshed, rowsPerNode: ROWS, nodes } };
    },
    async stop({ cluster }): Promise<FaultRecord | null> {
      if (!inForce) return null;
      const { table, nodes } = inForce;
      inForce = null;
      const up = nodes.filter((n) => cluster.node(n).state === 'running');
      // give replication a moment: healthy logical replication delivers these rows within ~100 ms
      let seen = await census(cluster, up, table);
      for (let i = 0; i < 20 && !complete(seen, up); i++) {
        await new Promise((r) => setTimeout(r, 250));
        seen = await census(cluster, up, table);
      }
      const notReplicated: { from: string; to: string; rows: number }[] = [];
      for (const to of up) for (const from of up) if (from !== to && seen[to][from] < ROWS) notReplicated.push({ from, to, rows: ROWS - seen[to][from] });
      return { f: 'schema-change-check', value: { table, refreshed: refresh, seen, notReplicated } };
    },
  };
}

function complete(seen: Record<string, Record<string, number>>, nodes: string[]): boolean {
  return nodes.every((to) => nodes.every((from) => seen[to][from] >= ROWS));
}
