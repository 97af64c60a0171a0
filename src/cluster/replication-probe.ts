// Final probe of logical replication health (logical-bidir): per node its subscriptions (enabled, apply worker
// running steadily, pending SKIP, counters, published tables it does not subscribe), its logical slots and backlog,
// and the replication events of its server log. Also the offline variant from a run directory.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { parseReplicationLog } from './logical-log.js';
import type { LogEvent } from '../history/observations.js';
import { publisherOf, type MetricsSample, type ReplicationProbe, type SlotState, type SubscriptionState } from '../history/observations.js';
import type { Cluster } from './types.js';

const PUBLICATION = 'faultline_pub';

const SUBS_SQL = `SELECT s.subname, s.subenabled AS enabled, s.subskiplsn::text AS skip_lsn, 'pg_' || s.oid AS origin,
  (SELECT min(w.pid) FROM pg_stat_subscription w WHERE w.subid = s.oid AND w.relid IS NULL AND w.pid IS NOT NULL) AS pid,
  to_jsonb(st) - 'subid' - 'subname' - 'stats_reset' AS stats,
  coalesce((SELECT array_agg(n.nspname || '.' || c.relname ORDER BY 1) FROM pg_subscription_rel r JOIN pg_class c ON c.oid = r.srrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace WHERE r.srsubid = s.oid), '{}') AS tables
  FROM pg_subscription s LEFT JOIN pg_stat_subscription_stats st ON st.subid = s.oid ORDER BY s.subname`;

const SLOTS_SQL = `SELECT slot_name, active, pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::float8 AS backlog
  FROM pg_replication_slots WHERE slot_type = 'logical' ORDER BY slot_name`;

const PUBLISHED_SQL = `SELECT schemaname || '.' || tablename AS t FROM pg_publication_tables WHERE pubname = $1 ORDER BY 1`;

interface SubRow {
  subname: string;
  enabled: boolean;
  skip_lsn: string | null;
  origin: string;
  pid: number | null;
  stats: Record<string, number | null> | null;
  tables: string[];
}

async function withDb<T>(config: pg.ClientConfig, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ ...config, connectionTimeoutMillis: 3000, query_timeout: 10_000 });
  c.on('error', () => undefined);
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end().catch(() => undefined);
  }
}

function numbers(stats: Record<string, number | null> | null): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(stats ?? {})) if (typeof v === 'number') out[k] = v;
  return out;
}

/** A node the probe can query: how to connect (null when down) and its server log. */
export interface ProbeNode {
  name: string;
  config: pg.ClientConfig | null;
  logFile: string | null;
  /** why the node cannot be queried, when config is null */
  down?: string;
}

/** The cluster's nodes as probe targets. */
export function probeNodesOf(cluster: Cluster): ProbeNode[] {
  return cluster.nodes.map((n) => {
    const up = n.role === 'external' || n.state === 'running';
    return { name: n.name, config: up ? cluster.adminConfig(n.name) : null, logFile: n.logFile, down: up ? undefined : `node is ${n.state}` };
  });
}

export function probeReplication(cluster: Cluster, opts: { t0Ns?: bigint; steadyMs?: number } = {}): Promise<ReplicationProbe> {
  return probeNodes(probeNodesOf(cluster), opts);
}

/**
 * Probes every running node. An apply worker counts as running only when the same worker PID is seen twice
 * `steadyMs` apart (a worker that fails and restarts every retry interval is not running). `t0Ns`: the run's
 * process.hrtime.bigint() origin, so log lines can be placed on the run clock.
 */
export async function probeNodes(targets: readonly ProbeNode[], opts: { t0Ns?: bigint; steadyMs?: number } = {}): Promise<ReplicationProbe> {
  const steadyMs = opts.steadyMs ?? 1500;
  const unreachable: Record<string, string> = {};
  const subsByNode = new Map<string, SubRow[]>();
  const published = new Map<string, string[]>();
  const slots: SlotState[] = [];
  const configs = new Map(targets.filter((t) => t.config !== null).map((t) => [t.name, t.config as pg.ClientConfig]));
  await Promise.all(
    targets.map(async ({ name, config, down }) => {
      if (!config) {
        unreachable[name] = down ?? 'node is down';
        return;
      }
      try {
        await withDb(config, async (c) => {
          subsByNode.set(name, (await c.query<SubRow>(SUBS_SQL)).rows);
          published.set(name, (await c.query<{ t: string }>(PUBLISHED_SQL, [PUBLICATION])).rows.map((r) => r.t));
          if (!(await c.query<{ r: boolean }>('SELECT pg_is_in_recovery() AS r')).rows[0]?.r) {
            for (const s of (await c.query<{ slot_name: string; active: boolean; backlog: number | null }>(SLOTS_SQL)).rows) {
              slots.push({ node: name, slot: s.slot_name, active: s.active, backlogBytes: s.backlog });
            }
          }
        });
      } catch (err) {
        unreachable[name] = (err as Error).message || String(err);
      }
    }),
  );
  // second look: the worker must still be the same process
  await new Promise((r) => setTimeout(r, steadyMs));
  const steady = new Map<string, Set<string>>();
  await Promise.all(
    [...subsByNode.keys()].map(async (name) => {
      try {
        const rows = await withDb(configs.get(name) as pg.ClientConfig, async (c) => (await c.query<SubRow>(SUBS_SQL)).rows);
        const before = new Map((subsByNode.get(name) ?? []).map((r) => [r.subname, r.pid]));
        steady.set(name, new Set(rows.filter((r) => r.pid !== null && before.get(r.subname) === r.pid).map((r) => r.subname)));
        subsByNode.set(name, rows);
      } catch {
        steady.set(name, new Set());
      }
    }),
  );
  const subscriptions: SubscriptionState[] = [];
  const origins = new Map<string, Record<string, string>>();
  for (const [node, rows] of subsByNode) {
    const o: Record<string, string> = {};
    for (const r of rows) {
      o[r.origin] = r.subname;
      const publisher = publisherOf(r.subname);
      const have = new Set(r.tables);
      subscriptions.push({
        node,
        name: r.subname,
        publisher,
        enabled: r.enabled,
        workerRunning: steady.get(node)?.has(r.subname) ?? false,
        skipLsn: r.skip_lsn && r.skip_lsn !== '0/0' ? r.skip_lsn : null,
        origin: r.origin,
        stats: numbers(r.stats),
        tablesNotSubscribed: publisher ? (published.get(publisher) ?? []).filter((t) => !have.has(t)) : [],
      });
    }
    origins.set(node, o);
  }
  const log: LogEvent[] = [];
  for (const n of targets) {
    if (!n.logFile || !existsSync(n.logFile)) continue;
    try {
      log.push(...parseReplicationLog(n.name, readFileSync(n.logFile, 'utf8'), origins.get(n.name) ?? {}));
    } catch {
      // an unreadable log only means fewer named keys
    }
  }
  const takenAtNs = opts.t0Ns !== undefined ? Number(process.hrtime.bigint() - opts.t0Ns) : null;
  return { takenAtNs, wallMs: Date.now(), unreachable, subscriptions, slots, log };
}

/** metrics.jsonl → samples (a torn last line is skipped). */
export function readMetrics(file: string): MetricsSample[] {
  if (!existsSync(file)) return [];
  const out: MetricsSample[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      out.push(JSON.parse(line) as MetricsSample);
    } catch {
      // torn line
    }
  }
  return out;
}

/**
 * Offline probe from a finished run directory: the last metrics sample of each node stands in for the live
 * state (no enabled flag, slots or table lists), and nodes/*.log gives the conflicts. Log times are not placed.
 */
export function probeFromRunDir(dir: string): ReplicationProbe {
  const samples = readMetrics(join(dir, 'metrics.jsonl'));
  const last = new Map<string, MetricsSample>();
  for (const s of samples) if (s.error === undefined) last.set(s.node, s);
  const subscriptions: SubscriptionState[] = [];
  for (const [node, s] of last) {
    for (const sub of s.subscriptions ?? []) {
      if (subscriptions.some((x) => x.node === node && x.name === sub.subname)) continue;
      subscriptions.push({
        node,
        name: sub.subname,
        publisher: publisherOf(sub.subname),
        enabled: true,
        workerRunning: sub.pid !== null,
        skipLsn: null,
        origin: null,
        stats: numbers(sub.stats ?? null),
        tablesNotSubscribed: [],
      });
    }
  }
  const log: LogEvent[] = [];
  const logs = join(dir, 'nodes');
  if (existsSync(logs)) {
    for (const f of readdirSync(logs).filter((x) => x.endsWith('.log'))) log.push(...parseReplicationLog(f.replace(/\.log$/, ''), readFileSync(join(logs, f), 'utf8')));
  }
  return { takenAtNs: null, wallMs: Date.now(), unreachable: {}, subscriptions, slots: [], log };
}
