// Implementation of `faultline cluster up` and `faultline cluster status` (definitions in ./commands/cluster.ts):
// the command line's side of the cluster (flags → ClusterOptions, exit codes, printing); the cluster knows no CLI.
import { join } from 'node:path';
import { EXIT, UsageError, UserError } from '../util/exit.js';
import type { ClusterStatusOptions, ClusterUpOptions } from './commands/cluster.js';
import { startCluster } from '../cluster/cluster.js';
import { ClusterOptionError } from '../cluster/options.js';
import { query } from '../cluster/sql.js';
import { readStoredCluster, storedAdminConfig } from '../cluster/stored.js';
import type { ClusterOptions, TopologyName } from '../cluster/types.js';
import { CLUSTER_OPTIONS } from '../cluster/option-table.js';
import { fieldOf } from '../util/option-spec.js';

export async function clusterUp(o: ClusterUpOptions): Promise<number> {
  const opts = { topology: o.topology as TopologyName } as ClusterOptions;
  const fields = opts as unknown as Record<string, unknown>;
  for (const spec of CLUSTER_OPTIONS) if (o[spec.key] !== undefined) fields[fieldOf(spec)] = o[spec.key];
  if (o.dir !== undefined) opts.dir = o.dir;
  if (opts.wanLatencyMs && (opts.sites ?? 1) < 2) throw new UsageError('--wan-latency needs --sites 2 or more');
  let cluster;
  try {
    cluster = await startCluster(opts);
  } catch (err) {
    if (err instanceof ClusterOptionError) throw new UsageError(err.message);
    throw new UserError(`cannot start the cluster: ${(err as Error).message}`, EXIT.UNAVAILABLE);
  }
  process.stdout.write(JSON.stringify(cluster.describe(), null, 2) + '\n');
  process.stderr.write(`faultline: cluster running in ${cluster.dir} (password in ${cluster.describe().passfile}, mode 0600; the URLs name it); Ctrl-C stops it\n`);
  // Runs until a signal: the process registry (src/util/processes.ts) then stops the cluster and exits 130/143.
  setInterval(() => undefined, 1 << 30);
  return new Promise<number>(() => undefined);
}

interface NodeStatus {
  node: string;
  site: string;
  role: string;
  ok: boolean;
  error?: string;
  inRecovery?: boolean;
  lsn?: string | null;
  /** primary: one entry per connected standby */
  replicas?: { name: string; state: string; sync: string; replayLagBytes: number | null; replayLagMs: number | null }[];
  /** standby: wal receiver status */
  receiver?: string | null;
  subscriptions?: { name: string; running: boolean; applyErrors: number }[];
}

export async function clusterStatus(o: ClusterStatusOptions): Promise<number> {
  const stored = readStoredCluster(join(o.dir, 'cluster.json'));
  const rows: NodeStatus[] = await Promise.all(
    stored.nodes.map(async (n): Promise<NodeStatus> => {
      const config = { ...storedAdminConfig(stored, n.port), connectionTimeoutMillis: 2000, query_timeout: 3000 };
      try {
        const [base] = await query<{ rec: boolean; lsn: string | null }>(
          config,
          'SELECT pg_is_in_recovery() AS rec, CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END::text AS lsn',
        );
        const replicas = await query<{ name: string; state: string; sync: string; bytes: number | null; ms: number | null }>(
          config,
          `SELECT application_name AS name, state, sync_state AS sync,
             pg_wal_lsn_diff(CASE WHEN pg_is_in_recovery() THEN pg_last_wal_receive_lsn() ELSE pg_current_wal_lsn() END, replay_lsn)::float8 AS bytes,
             (extract(epoch FROM replay_lag) * 1000)::float8 AS ms FROM pg_stat_replication ORDER BY 1`,
        );
        const receiver = await query<{ status: string }>(config, 'SELECT status FROM pg_stat_wal_receiver');
        const subs = await query<{ name: string; running: boolean; errors: string | null }>(
          config,
          `SELECT s.subname AS name, s.pid IS NOT NULL AS running, st.apply_error_count::text AS errors
             FROM pg_stat_subscription s LEFT JOIN pg_stat_subscription_stats st ON st.subid = s.subid WHERE s.relid IS NULL ORDER BY 1`,
        );
        return {
          node: n.name,
          site: n.site,
          role: base!.rec ? 'standby' : n.role === 'peer' ? 'peer' : 'primary',
          ok: true,
          inRecovery: base!.rec,
          lsn: base!.lsn,
          replicas: replicas.map((r) => ({ name: r.name, state: r.state, sync: r.sync, replayLagBytes: r.bytes, replayLagMs: r.ms })),
          receiver: receiver[0]?.status ?? null,
          subscriptions: subs.map((s) => ({ name: s.name, running: s.running, applyErrors: Number(s.errors ?? 0) })),
        };
      } catch (err) {
        return { node: n.name, site: n.site, role: n.role, ok: false, error: (err as Error).message || String(err) };
      }
    }),
  );
  if (o.json) {
    process.stdout.write(JSON.stringify({ topology: stored.topology, nodes: rows }, null, 2) + '\n');
  } else {
    process.stdout.write(`${stored.topology} (PostgreSQL ${stored.pgVersion}) in ${o.dir}\n`);
    for (const r of rows) {
      if (!r.ok) {
        process.stdout.write(`${r.node}  site ${r.site}  ${r.role}  DOWN: ${r.error}\n`);
        continue;
      }
      const parts = [`${r.node}  site ${r.site}  ${r.role}  lsn ${r.lsn ?? '-'}`];
      if (r.receiver) parts.push(`receiver ${r.receiver}`);
      for (const x of r.replicas ?? []) parts.push(`→${x.name} ${x.state}/${x.sync} lag ${x.replayLagBytes ?? '?'} B${x.replayLagMs !== null ? ` ${x.replayLagMs.toFixed(1)} ms` : ''}`);
      for (const s of r.subscriptions ?? []) parts.push(`sub ${s.name} ${s.running ? 'running' : 'STOPPED'} errors ${s.applyErrors}`);
      process.stdout.write(parts.join('  ') + '\n');
    }
  }
  return rows.every((r) => r.ok) ? EXIT.OK : EXIT.UNAVAILABLE;
}
