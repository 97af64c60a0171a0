// Failover for the streaming topologies: promote the most advanced reachable standby, repoint the standbys that
// are behind the fork point, re-clone those past it (and the old primary): there is no pg_rewind.
import type { ClusterCtx, NodeRec } from './internal.js';
import { lsn, query, withClient } from './sql.js';
import { cloneStandby, waitStreaming } from './streaming.js';
import type { FailoverResult } from './types.js';

interface Position {
  name: string;
  receive: bigint | null;
  replay: bigint | null;
}

/** Most advanced WAL position a node holds (received or replayed), or null if it does not answer. */
async function position(ctx: ClusterCtx, rec: NodeRec): Promise<Position | null> {
  if (!rec.process.running || rec.process.paused) return null;
  try {
    const rows = await query<{ receive: string | null; replay: string | null; rec: boolean }>(
      { ...ctx.adminConfig(rec.node.name), connectionTimeoutMillis: 3000, query_timeout: 3000 },
      'SELECT pg_is_in_recovery() AS rec, pg_last_wal_receive_lsn()::text AS receive, pg_last_wal_replay_lsn()::text AS replay',
    );
    const r = rows[0]!;
    if (!r.rec) return null;
    return { name: rec.node.name, receive: lsn(r.receive), replay: lsn(r.replay) };
  } catch {
    return null;
  }
}

function furthest(p: Position): bigint {
  const a = p.receive ?? 0n;
  const b = p.replay ?? 0n;
  return a > b ? a : b;
}

/** The LSN where the current timeline of `node` forked off its parent (from the timeline history file). */
async function forkPoint(ctx: ClusterCtx, node: string): Promise<bigint | null> {
  return withClient(ctx.adminConfig(node), async (c) => {
    const w = await c.query<{ f: string }>('SELECT pg_walfile_name(pg_current_wal_lsn()) AS f');
    const tli = w.rows[0]!.f.slice(0, 8);
    if (tli === '00000001') return null;
    const h = await c.query<{ t: string }>('SELECT pg_read_file($1) AS t', [`pg_wal/${tli}.history`]);
    const lines = h.rows[0]!.t.split('\n').filter((l) => /^\s*[0-9]/.test(l));
    const last = lines[lines.length - 1];
    return last ? lsn(last.split(/\s+/)[1]) : null;
  });
}

function fmt(v: bigint): string {
  return `${(v >> 32n).toString(16).toUpperCase()}/${(v & 0xffffffffn).toString(16).toUpperCase()}`;
}

/** Points a running standby at `primary` (slot, ALTER SYSTEM primary_conninfo, reload). */
async function repoint(ctx: ClusterCtx, rec: NodeRec, primary: string): Promise<void> {
  const name = rec.node.name;
  await withClient(ctx.adminConfig(primary), async (c) => {
    const r = await c.query('SELECT 1 FROM pg_replication_slots WHERE slot_name = $1', [name]);
    if (r.rowCount === 0) await c.query('SELECT pg_create_physical_replication_slot($1, true)', [name]);
  });
  const conn = await ctx.replConninfo(name, primary);
  await withClient(ctx.adminConfig(name), async (c) => {
    await c.query(`ALTER SYSTEM SET primary_conninfo = ${c.escapeLiteral(conn)}`);
    await c.query(`ALTER SYSTEM SET primary_slot_name = ${c.escapeLiteral(name)}`);
    await c.query('SELECT pg_reload_conf()');
  });
  rec.upstream = primary;
}

export async function failover(ctx: ClusterCtx, opts: { candidate?: string; timeoutMs?: number } = {}): Promise<FailoverResult> {
  const recs = [...ctx.recs.values()];
  const old = recs.find((r) => r.node.role === 'primary') ?? null;
  const positions = (await Promise.all(recs.filter((r) => r.node.role === 'standby' && !r.needsReclone).map((r) => position(ctx, r)))).filter(
    (p): p is Position => p !== null,
  );
  let chosen: Position | undefined;
  if (opts.candidate) {
    chosen = positions.find((p) => p.name === opts.candidate);
    if (!chosen) throw new Error(`failover: ${opts.candidate} is not a reachable standby`);
  } else {
    positions.sort((a, b) => {
      const d = furthest(b) - furthest(a);
      if (d !== 0n) return d > 0n ? 1 : -1;
      const e = (b.replay ?? 0n) - (a.replay ?? 0n);
      if (e !== 0n) return e > 0n ? 1 : -1;
      return a.name.localeCompare(b.name);
    });
    chosen = positions[0];
  }
  if (!chosen) throw new Error('failover: no reachable standby to promote');
  const next = ctx.rec(chosen.name);

  // fence the old primary: it must not take writes once another node is promoted
  if (old?.process.running) await old.process.stop();

  const promoted = await query<{ ok: boolean }>(ctx.adminConfig(next.node.name), 'SELECT pg_promote(true, 60) AS ok');
  if (!promoted[0]?.ok) throw new Error(`failover: ${next.node.name} did not promote within 60 s`);
  next.node.role = 'primary';
  next.upstream = null;
  if (old) {
    old.node.role = 'standby';
    old.needsReclone = true;
  }
  ctx.primaryChanged(next.node.name);
  const fork = await forkPoint(ctx, next.node.name);

  const repointed: string[] = [];
  const recloned: string[] = [];
  for (const r of recs) {
    if (r === next || r === old || r.node.role !== 'standby') continue;
    const pos = await position(ctx, r);
    if (!pos) {
      r.needsReclone = true; // down or paused: its WAL position is unknown
      continue;
    }
    if (fork !== null && furthest(pos) > fork) {
      await cloneStandby(ctx, r, next.node.name);
      recloned.push(r.node.name);
    } else {
      await repoint(ctx, r, next.node.name);
      repointed.push(r.node.name);
    }
  }
  if (old?.managed) {
    await cloneStandby(ctx, old, next.node.name);
    recloned.push(old.node.name);
  }
  // a repointed standby that does not stream on the new timeline after all is re-cloned
  const timeoutMs = opts.timeoutMs ?? 15_000;
  for (const name of repointed) {
    if (!(await waitStreaming(ctx, next.node.name, [name], timeoutMs))) {
      await cloneStandby(ctx, ctx.rec(name), next.node.name);
      recloned.push(name);
    }
  }
  await waitStreaming(ctx, next.node.name, recloned, timeoutMs);
  ctx.persist();
  return {
    oldPrimary: old?.node.name ?? null,
    newPrimary: next.node.name,
    repointed: repointed.filter((n) => !recloned.includes(n)),
    recloned,
    forkLsn: fork === null ? null : fmt(fork),
    generation: ctx.generation,
  };
}

/** Re-clones a node flagged by failover before it runs again (from the current primary). */
export async function rejoin(ctx: ClusterCtx, rec: NodeRec): Promise<void> {
  const primary = [...ctx.recs.values()].find((r) => r.node.role === 'primary');
  if (!primary) throw new Error(`cannot rejoin ${rec.node.name}: no primary`);
  await cloneStandby(ctx, rec, primary.node.name);
}

