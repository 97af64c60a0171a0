// Logical replication naming and the one statement every logical setup shares: the publication faultline creates,
// the subscription names (`<subscriber>_from_<publisher>`), and refreshing a node's subscriptions after new tables.
import type pg from 'pg';
import { withClient } from './sql.js';

export const PUBLICATION = 'faultline_pub';

export function subscriptionName(subscriber: string, publisher: string): string {
  return `${subscriber}_from_${publisher}`.replace(/[^a-z0-9_]/gi, '_').toLowerCase();
}

/** Every enabled subscription of the node picks up tables created since (no copy: both sides start empty). */
export async function refreshSubscriptions(config: pg.ClientConfig): Promise<string[]> {
  return withClient({ ...config, connectionTimeoutMillis: 5000, query_timeout: 30_000 }, async (db) => {
    const subs = (await db.query<{ subname: string }>('SELECT subname FROM pg_subscription WHERE subenabled ORDER BY 1')).rows.map((r) => r.subname);
    for (const s of subs) await db.query(`ALTER SUBSCRIPTION ${db.escapeIdentifier(s)} REFRESH PUBLICATION WITH (copy_data = false)`);
    return subs;
  });
}
