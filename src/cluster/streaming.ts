// Physical replication helpers shared by the single and streaming topologies and failover: (re)building a standby
// from a running primary (its own slot, its own `repl-<standby>-<primary>` link), waiting for standbys to stream,
// and the replay wait (every running standby received and replayed the primary's current WAL).
import type { ClusterCtx, NodeRec } from './internal.js';
import { lsn, poll, query } from './sql.js';

/** Configures and starts `rec` as the primary (its data directory initialised). */
export async function startPrimary(ctx: ClusterCtx, rec: NodeRec): Promise<void> {
  rec.node.role = 'primary';
  rec.upstream = null;
  await ctx.writeConfig(rec, null);
  await ctx.startServer(rec);
}

/** (Re)builds `rec` as a standby of `primary`: stop, clone through the backup API, configure, start. */
export async function cloneStandby(ctx: ClusterCtx, rec: NodeRec, primary: string): Promise<void> {
  const src = ctx.rec(primary);
  if (!src.process.running) throw new Error(`cannot clone ${rec.node.name}: ${primary} is not running`);
  if (!rec.managed) throw new Error(`${rec.node.name} is not run by faultline`);
  if (rec.process.running) await rec.process.stop();
  await rec.process.cloneFrom(src.process, ctx.adminConfig(primary), rec.node.name);
  await ctx.writeConfig(rec, primary);
  rec.node.role = 'standby';
  rec.upstream = primary;
  rec.needsReclone = false;
  await ctx.startServer(rec);
}

/** Waits until the primary reports every running standby in `names` as streaming. */
export async function waitStreaming(ctx: ClusterCtx, primary: string, names: readonly string[], timeoutMs: number): Promise<boolean> {
  if (names.length === 0) return true;
  return poll(async () => {
    const rows = await query<{ application_name: string; state: string }>(ctx.adminConfig(primary), 'SELECT application_name, state FROM pg_stat_replication');
    return names.every((n) => rows.some((r) => r.application_name === n && r.state === 'streaming'));
  }, timeoutMs);
}

/** The nodes faultline runs that are up and not paused. */
export function liveRecs(ctx: ClusterCtx): NodeRec[] {
  return [...ctx.recs.values()].filter((r) => r.managed && r.process.running && !r.process.paused);
}

/** Every running standby (not awaiting a re-clone) received and replayed the primary's current WAL position. */
export async function waitReplayed(ctx: ClusterCtx, timeoutMs: number): Promise<boolean> {
  const recs = liveRecs(ctx);
  const p = recs.find((r) => r.node.role === 'primary');
  if (!p) return false;
  // A transaction that committed while a standby was being cloned can stay invisible there until the next
  // running-xacts record (up to 15 s): log one now, so "replayed up to here" also means "sees it".
  await query(ctx.adminConfig(p.node.name), 'SELECT pg_log_standby_snapshot()').catch(() => query(ctx.adminConfig(p.node.name), 'CHECKPOINT'));
  const at = lsn((await query<{ l: string }>(ctx.adminConfig(p.node.name), 'SELECT pg_current_wal_lsn()::text AS l'))[0]!.l)!;
  const standbys = recs.filter((r) => r.node.role === 'standby' && !r.needsReclone);
  return poll(async () => {
    for (const s of standbys) {
      // both: right after a re-clone, pg_last_wal_replay_lsn() can already report the backup's end
      // (past what was received), so replay alone does not prove the standby holds the primary's WAL
      const rows = await query<{ rcv: string | null; rep: string | null }>(
        ctx.adminConfig(s.node.name),
        'SELECT pg_last_wal_receive_lsn()::text AS rcv, pg_last_wal_replay_lsn()::text AS rep',
      );
      if ((lsn(rows[0]!.rcv) ?? 0n) < at || (lsn(rows[0]!.rep) ?? 0n) < at) return false;
    }
    return true;
  }, timeoutMs, 50);
}

/** The current primary's name, as the topology's roles say (a list: what RunningTopology.writable returns). */
export function primaryOf(ctx: ClusterCtx): string[] {
  const p = [...ctx.recs.values()].find((r) => r.node.role === 'primary');
  return p ? [p.node.name] : [];
}
