// Replication caught up on an HA stack's members (postgres run by the manager, not by faultline): every running
// standby received and replayed the primary's WAL position taken now. False after the timeout or without a primary.
import type { ClusterCtx } from '../internal.js';
import { lsn, poll, query } from '../sql.js';

export async function membersReplayed(ctx: ClusterCtx, timeoutMs: number): Promise<boolean> {
  const recs = [...ctx.recs.values()].filter((r) => r.process.running && !r.process.paused);
  const p = recs.find((r) => r.node.role === 'primary');
  if (!p) return false;
  try {
    await query(ctx.adminConfig(p.node.name), 'CHECKPOINT');
    const at = lsn((await query<{ l: string }>(ctx.adminConfig(p.node.name), 'SELECT pg_current_wal_lsn()::text AS l'))[0]!.l)!;
    const standbys = recs.filter((r) => r !== p);
    return await poll(async () => {
      for (const s of standbys) {
        const rows = await query<{ rcv: string | null; rep: string | null }>(ctx.adminConfig(s.node.name), 'SELECT pg_last_wal_receive_lsn()::text AS rcv, pg_last_wal_replay_lsn()::text AS rep').catch(() => null);
        if (!rows || (lsn(rows[0]!.rcv) ?? 0n) < at || (lsn(rows[0]!.rep) ?? 0n) < at) return false;
      }
      return true;
    }, timeoutMs, 100);
  } catch {
    return false;
  }
}
