// `logical-bidir`: every node publishes all tables (`faultline_pub`) and subscribes to every other node
// (`<sub>_from_<pub>`, origin = none, copy_data = false), each subscription through its own
// `repl-<subscriber>-<publisher>` link. Every node takes writes; the replication checker judges the directions.
import type pg from 'pg';
import type { ClusterCtx } from '../internal.js';
import { PUBLICATION, refreshSubscriptions, subscriptionName } from '../logical.js';
import { liveRecs } from '../streaming.js';
import { lsn, poll, query, withClient } from '../sql.js';
import { localNodes, planOf } from './plan.js';
import { defineTopology } from './types.js';

/**
 * Creates every missing subscription and refreshes the existing ones (picking up tables created since), then
 * waits until every apply worker runs. Called at start and after the workload's tables exist on every node.
 */
async function subscribeAll(ctx: ClusterCtx, timeoutMs = 60_000): Promise<void> {
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

/** Every logical slot of every running node confirmed its publisher's current WAL position. */
async function waitConfirmed(ctx: ClusterCtx, timeoutMs: number): Promise<boolean> {
  const recs = liveRecs(ctx);
  const targets = await Promise.all(
    recs.map(async (r) => ({ name: r.node.name, at: lsn((await query<{ l: string }>(ctx.adminConfig(r.node.name), 'SELECT pg_current_wal_lsn()::text AS l'))[0]!.l)! })),
  );
  return poll(async () => {
    for (const t of targets) {
      const rows = await query<{ l: string | null }>(ctx.adminConfig(t.name), "SELECT confirmed_flush_lsn::text AS l FROM pg_replication_slots WHERE slot_type = 'logical'");
      if (rows.some((row) => (lsn(row.l) ?? 0n) < t.at)) return false;
    }
    return true;
  }, timeoutMs, 100);
}

/** The incoming subscriptions of `node` from `from` that keep failing (apply errors) or have no worker. */
async function brokenSubscriptions(config: pg.ClientConfig, node: string, from: readonly string[]): Promise<string[]> {
  const names = from.map((p) => subscriptionName(node, p));
  const bounded = { ...config, connectionTimeoutMillis: 5000, query_timeout: 10_000, application_name: 'faultline-settle' };
  const rows = await withClient(bounded, async (c) =>
    (
      await c.query<{ subname: string; pid: number | null; errors: string | null }>(
        `SELECT s.subname, s.pid, st.apply_error_count::text AS errors FROM pg_stat_subscription s
           LEFT JOIN pg_stat_subscription_stats st ON st.subid = s.subid WHERE s.relid IS NULL AND s.subname = ANY($1::text[])`,
        [names],
      )
    ).rows,
  );
  return rows.filter((r) => r.pid === null || Number(r.errors ?? 0) > 0).map((r) => `${r.subname} (${r.pid === null ? 'no apply worker' : `${r.errors} apply errors`})`);
}

export const logicalBidir = defineTopology({
  name: 'logical-bidir',
  summary: 'two or more peers: each publishes all tables and subscribes to every other with origin = none, copy_data = false',
  options: [],
  nodeCount: { default: 2, min: 2, max: 26 },
  multiWriter: true,
  routing: 'fixed',
  checkers: ['replication'],
  plan: (opts, count) => {
    const nodes = localNodes(count, opts.sites);
    return planOf('logical-bidir', nodes, nodes.map((n) => n.name));
  },
  capabilities: () => ({
    kill: true,
    pause: true,
    stop: true,
    partition: true,
    'link-faults': true,
    promote: 'its nodes are peers: there is no standby to promote',
    subscriptions: true,
    manager: 'it has no HA manager process: faultline runs the servers itself',
    dcs: 'it has no DCS or monitor',
    'stack-switchover': 'it has no HA stack with a switchover command of its own',
  }),
  async start(ctx) {
    const recs = [...ctx.recs.values()];
    for (const r of recs) r.node.role = 'peer';
    await Promise.all(
      recs.map(async (r) => {
        await ctx.writeConfig(r, null);
        await ctx.startServer(r);
        // origin = none (no change sent back to where it came from) is PostgreSQL 16's: without it two peers loop
        const [v] = await query<{ n: string; v: string }>(ctx.adminConfig(r.node.name), "SELECT current_setting('server_version_num') AS n, current_setting('server_version') AS v");
        if (Number(v!.n) < 160000) throw new Error(`topology logical-bidir needs PostgreSQL 16 or later (subscriptions WITH (origin = none)); ${r.node.name} runs ${v!.v}`);
        await query(ctx.adminConfig(r.node.name), `CREATE PUBLICATION ${PUBLICATION} FOR ALL TABLES`);
      }),
    );
    await subscribeAll(ctx);
    return {
      writable: async () => [...ctx.recs.keys()],
      schemaReady: () => subscribeAll(ctx),
      waitForReplication: (ms) => waitConfirmed(ctx, ms),
      diagnose: (node, from) => brokenSubscriptions(ctx.adminConfig(node), node, from),
      api: {
        subscriptions: {
          subscribeAll: () => subscribeAll(ctx),
          refresh: (node) => refreshSubscriptions(ctx.adminConfig(node)),
        },
      },
    };
  },
});
