// metrics.jsonl sampler: once a second, one JSON line per node with role, LSNs, replication lag (pg_stat_replication,
// pg_stat_wal_receiver), the postmaster's start time and when the role was read (split-brain proof), replication slots (active, WAL held back) and subscription state/error/conflict counters.
// A node that does not answer gets `error`.
import { createWriteStream } from 'node:fs';
import type pg from 'pg';
import { withClient } from './sql.js';
import type { Sampler } from './types.js';

export interface SampledNode {
  name: string;
  role: string;
  config: pg.ClientConfig | null;
}

const NODE_SQL = `SELECT pg_is_in_recovery() AS in_recovery, pg_postmaster_start_time()::text AS postmaster_start,
  CASE WHEN pg_is_in_recovery() THEN NULL ELSE pg_current_wal_lsn()::text END AS current_lsn,
  pg_last_wal_receive_lsn()::text AS receive_lsn, pg_last_wal_replay_lsn()::text AS replay_lsn,
  (extract(epoch FROM now() - pg_last_xact_replay_timestamp()) * 1000)::float8 AS replay_age_ms`;

const REPL_SQL = `SELECT application_name AS name, pid, backend_start::text, state, sync_state,
  (extract(epoch FROM now() - reply_time) * 1000)::float8 AS reply_age_ms, sent_lsn::text, write_lsn::text, flush_lsn::text, replay_lsn::text,
  (extract(epoch FROM write_lag) * 1000)::float8 AS write_lag_ms, (extract(epoch FROM flush_lag) * 1000)::float8 AS flush_lag_ms,
  (extract(epoch FROM replay_lag) * 1000)::float8 AS replay_lag_ms,
  pg_wal_lsn_diff(CASE WHEN pg_is_in_recovery() THEN pg_last_wal_receive_lsn() ELSE pg_current_wal_lsn() END, replay_lsn)::float8 AS replay_lag_bytes
  FROM pg_stat_replication ORDER BY application_name`;

const RECEIVER_SQL = `SELECT status, received_tli, written_lsn::text, flushed_lsn::text, latest_end_lsn::text, slot_name, sender_port
  FROM pg_stat_wal_receiver`;

const SUBS_SQL = `SELECT s.subname, s.pid, s.received_lsn::text, s.latest_end_lsn::text,
  (extract(epoch FROM now() - s.last_msg_receipt_time) * 1000)::float8 AS last_msg_age_ms, to_jsonb(st) - 'subid' - 'subname' - 'stats_reset' AS stats
  FROM pg_stat_subscription s LEFT JOIN pg_stat_subscription_stats st ON st.subid = s.subid
  WHERE s.relid IS NULL ORDER BY s.subname`;

/** PostgreSQL 13+ columns only (--pg-bin may point at an older major than the embedded one). */
const SLOTS_SQL = `SELECT slot_name, slot_type, active, restart_lsn::text, confirmed_flush_lsn::text, wal_status,
  pg_wal_lsn_diff(CASE WHEN pg_is_in_recovery() THEN pg_last_wal_receive_lsn() ELSE pg_current_wal_lsn() END, restart_lsn)::float8 AS retained_bytes
  FROM pg_replication_slots ORDER BY slot_name`;

/** `answered`: ns since `t0Ns` when the node's role query returned (its state was read between `time` and then). */
async function sampleNode(n: SampledNode, t0Ns: bigint): Promise<Record<string, unknown>> {
  if (!n.config) return { error: 'node is down' };
  try {
    return await withClient({ ...n.config, connectionTimeoutMillis: 900, query_timeout: 900, statement_timeout: 900 }, async (c) => {
      const node = (await c.query(NODE_SQL)).rows[0] as Record<string, unknown>;
      const answered = Number(process.hrtime.bigint() - t0Ns);
      const replication = (await c.query(REPL_SQL)).rows;
      const receiver = (await c.query(RECEIVER_SQL)).rows[0] ?? null;
      const slots = (await c.query(SLOTS_SQL)).rows;
      const subscriptions = (await c.query(SUBS_SQL)).rows;
      return { ...node, answered, replication, receiver, slots, subscriptions };
    });
  } catch (err) {
    return { error: (err as Error).message || String(err) };
  }
}

/**
 * Starts sampling `nodes()` (re-read every tick, so role changes show) into `file`, once every `everyMs`.
 * `time` is nanoseconds since `t0Ns` on the process.hrtime.bigint() clock. Never throws.
 */
export function startSampler(file: string, t0Ns: bigint, nodes: () => SampledNode[], everyMs = 1000): Sampler {
  const out = createWriteStream(file, { flags: 'a' });
  out.on('error', () => undefined);
  let busy = false;
  let stopped = false;
  let current: Promise<void> = Promise.resolve();
  const tick = () => {
    if (busy || stopped) return;
    busy = true;
    current = (async () => {
      const time = Number(process.hrtime.bigint() - t0Ns);
      const list = nodes();
      const results = await Promise.all(list.map((n) => sampleNode(n, t0Ns)));
      if (stopped && out.writableEnded) return;
      list.forEach((n, i) => {
        out.write(JSON.stringify({ time, node: n.name, role: n.role, ...results[i] }) + '\n');
      });
    })()
      .catch(() => undefined)
      .finally(() => {
        busy = false;
      });
  };
  tick();
  const timer = setInterval(tick, everyMs);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await current;
      await new Promise<void>((r) => out.end(() => r()));
    },
  };
}
