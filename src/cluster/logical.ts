// logical-bidir: every node publishes all tables and subscribes to every other node (origin = none,
// copy_data = false), each subscription through its own `repl-<subscriber>-<publisher>` link.
import type { ClusterCtx } from './internal.js';
import { poll, query, withClient } from './sql.js';

export const PUBLICATION = 'faultline_pub';

export function subscriptionName(subscriber: string, publisher: string): string {
  return `${subscriber}_from_${publisher}`.replace(/[^a-z0-9_]/gi, '_').toLowerCase();
}

export async function setupLogical(ctx: ClusterCtx): Promise<void> {
  const recs = [...ctx.recs.values()];
  for (const r of recs) r.node.role = 'peer';
  await Promise.all(
    recs.map(async (r) => {
      await ctx.writeConfig(r, null);
      await ctx.startServer(r);
      await query(ctx.adminConfig(r.node.name), `CREATE PUBLICATION ${PUBLICATION} FOR ALL TABLES`);
    }),
  );
  await subscribeAll(ctx);
}

/**
 * Creates every missing subscription and refreshes the existing ones (picking up tables created since), then
 * waits until every apply worker runs. Call after the workload's tables exist on every node.
 */
export async function subscribeAll(ctx: ClusterCtx, timeoutMs = 60_000): Promise<void> {
  const names = [...ctx.recs.keys()];
  for (const sub of names) {
    for (const pub of names) {
      if (sub === pub) continue;
      const sname = subscriptionName(sub, pub);
      const conn = await ctx.replConninfo(sub, pub, 'postgres');
      await withClient(ctx.adminConfig(sub), async (c) => {
        const exists = await c.query('SELECT 1 FROM pg_subscription WHERE subname = $1', [sname]);
        if (exists.rowCount === 0) {
          await c.query(`CREATE SUBSCRIPTION ${sname} CONNECTION ${c.escapeLiteral(conn)} PUBLICATION ${PUBLICATION} WITH (origin = none, copy_data = false)`);
        } else {
          await c.query(`ALTER SUBSCRIPTION ${sname} CONNECTION ${c.escapeLiteral(conn)}`);
          await c.query(`ALTER SUBSCRIPTION ${sname} REFRESH PUBLICATION WITH (copy_data = false)`);
        }
      });
    }
  }
  const ok = await poll(async () => {
    for (const sub of names) {
      const rows = await query<{ n: string }>(ctx.adminConfig(sub), 'SELECT count(*) AS n FROM pg_stat_subscription WHERE pid IS NOT NULL AND relid IS NULL');
      if (Number(rows[0]!.n) < names.length - 1) return false;
    }
    return true;
  }, timeoutMs);
  if (!ok) throw new Error('logical replication apply workers did not start');
}
