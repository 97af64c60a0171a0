// Streaming topologies: a primary (n1) and standbys cloned from it, each with its own physical slot and its
// replication through its own `repl-<standby>-<primary>` link; synchronous_standby_names for streaming-sync.
import { cloneInto } from './clone.js';
import type { ClusterCtx, NodeRec } from './internal.js';
import { poll, query } from './sql.js';

/** (Re)builds `rec` as a standby of `primary`: stop, clone through the backup API, configure, start. */
export async function cloneStandby(ctx: ClusterCtx, rec: NodeRec, primary: string): Promise<void> {
  const src = ctx.rec(primary);
  if (!src.server || !src.server.running) throw new Error(`cannot clone ${rec.node.name}: ${primary} is not running`);
  if (!rec.server) throw new Error(`${rec.node.name} is not a local node`);
  if (rec.server.running) await rec.server.stop();
  await cloneInto(src.server, ctx.adminConfig(primary), rec.server, rec.node.name);
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

/** Expects n1 initialised (initdb done by startCluster). */
export async function setupStreaming(ctx: ClusterCtx): Promise<void> {
  const recs = [...ctx.recs.values()];
  const primary = recs[0]!;
  primary.node.role = 'primary';
  await ctx.writeConfig(primary, null);
  await ctx.startServer(primary);
  const standbys = recs.slice(1);
  await Promise.all(standbys.map((s) => cloneStandby(ctx, s, primary.node.name)));
  const ok = await waitStreaming(ctx, primary.node.name, standbys.map((s) => s.node.name), 60_000);
  if (!ok) throw new Error(`standbys did not start streaming from ${primary.node.name}`);
}

export async function setupSingle(ctx: ClusterCtx): Promise<void> {
  const rec = [...ctx.recs.values()][0]!;
  rec.node.role = 'primary';
  await ctx.writeConfig(rec, null);
  await ctx.startServer(rec);
}
