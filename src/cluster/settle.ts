// The settled moment a run's final reads are taken at: a marker row written on every writable node after healing,
// then every node must have replayed the primary's position and show every marker; a node that does not within
// the time is reported with how far it got (never read as if it had caught up).
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { lsn, withClient } from './sql.js';
import type { NodeSettlement, NodeState, Settlement } from './types.js';

/** The marker table: created beside the workload's tables on every writable node (logical-bidir publishes it). */
export const MARKER_TABLE = 'faultline_settle';
export const MARKER_DDL = `CREATE TABLE IF NOT EXISTS ${MARKER_TABLE} (id text PRIMARY KEY, at timestamptz NOT NULL DEFAULT now())`;

export interface SettleNode {
  name: string;
  state: NodeState;
  config: pg.ClientConfig;
}

export interface SettleView {
  nodes: SettleNode[];
  /** several nodes take writes (peers: the topology says so): every one gets a marker and no node is the primary */
  multiWriter: boolean;
  /**
   * the topology's reason a node that does not show the markers of `from` will not catch up (logical-bidir: its
   * subscriptions keep failing): the node is `broken`, its state final
   */
  diagnose?(node: string, from: readonly string[]): Promise<string[]>;
}

/** A short-lived connection that cannot hang the settle on a node that stopped answering. */
function bounded(config: pg.ClientConfig): pg.ClientConfig {
  return { ...config, connectionTimeoutMillis: 5000, query_timeout: 10_000, application_name: 'faultline-settle' };
}

function fmt(v: bigint): string {
  return `${(v >> 32n).toString(16).toUpperCase()}/${(v & 0xffffffffn).toString(16).toUpperCase()}`;
}

function message(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]!;
}

interface Writer {
  name: string;
  /** the node's WAL position after its marker (and a running-xacts record); null when it could not be written */
  at: bigint | null;
  /** the marker row's id; null when it could not be written (then nobody settles against this node) */
  id: string | null;
  error?: string;
}

/** Writes `id` on a writable node (never waiting for a synchronous standby), then logs a standby snapshot. */
async function writeMarker(node: SettleNode, id: string): Promise<bigint> {
  return withClient(bounded(node.config), async (c) => {
    await c.query("SET synchronous_commit = 'local'");
    await c.query(MARKER_DDL);
    await c.query(`INSERT INTO ${MARKER_TABLE} (id) VALUES ($1)`, [id]);
    // a transaction that committed while a standby was being cloned can stay invisible there until the next
    // running-xacts record: log one after the marker, so "replayed up to here" also means "sees it"
    await c.query('SELECT pg_log_standby_snapshot()').catch(() => c.query('CHECKPOINT'));
    const r = await c.query<{ l: string }>('SELECT pg_current_wal_lsn()::text AS l');
    return lsn(r.rows[0]!.l)!;
  });
}

interface Observed {
  inRecovery: boolean;
  receive: bigint | null;
  replay: bigint | null;
  seen: Set<string>;
}

async function observe(node: SettleNode, ids: readonly string[]): Promise<Observed> {
  return withClient(bounded(node.config), async (c) => {
    const r = await c.query<{ rec: boolean; rcv: string | null; rep: string | null; t: string | null }>(
      `SELECT pg_is_in_recovery() AS rec, pg_last_wal_receive_lsn()::text AS rcv, pg_last_wal_replay_lsn()::text AS rep, to_regclass('${MARKER_TABLE}')::text AS t`,
    );
    const row = r.rows[0]!;
    const seen = new Set<string>();
    if (row.t !== null && ids.length > 0) {
      const m = await c.query<{ id: string }>(`SELECT id FROM ${MARKER_TABLE} WHERE id = ANY($1::text[])`, [ids]);
      for (const x of m.rows) seen.add(x.id);
    }
    return { inRecovery: row.rec, receive: lsn(row.rcv), replay: lsn(row.rep), seen };
  });
}

/**
 * Settles the cluster (see the header). Down and paused nodes are reported as such at once; every live node is
 * polled until it has caught up with every writable node, or `timeoutMs` runs out.
 */
export async function settle(view: SettleView, timeoutMs: number, everyMs = 100): Promise<Settlement> {
  const started = Date.now();
  const deadline = started + timeoutMs;
  const marker = `settle-${randomBytes(6).toString('hex')}`;
  const nodes: Record<string, NodeSettlement> = {};
  const live: SettleNode[] = [];
  for (const n of view.nodes) {
    if (n.state === 'paused') nodes[n.name] = { state: 'paused', role: null, reason: 'paused (SIGSTOP) when the final reads were taken' };
    else if (n.state !== 'running') nodes[n.name] = { state: 'down', role: null, reason: `${n.state} when the final reads were taken` };
    else live.push(n);
  }

  // which live nodes take writes (the primary, or every peer); retried until the deadline for nodes that do not answer
  const recovery = new Map<string, boolean>();
  const lastError = new Map<string, string>();
  for (;;) {
    await Promise.all(
      live
        .filter((n) => !recovery.has(n.name))
        .map(async (n) => {
          try {
            const o = await observe(n, []);
            recovery.set(n.name, o.inRecovery);
          } catch (err) {
            lastError.set(n.name, message(err));
          }
        }),
    );
    if (recovery.size === live.length || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  const writable = live.filter((n) => recovery.get(n.name) === false);
  const peers = view.multiWriter || writable.length > 1;
  const writers: Writer[] = [];
  for (const w of writable) {
    const id = `${marker}-${w.name}`;
    try {
      writers.push({ name: w.name, id, at: await writeMarker(w, id) });
    } catch (err) {
      writers.push({ name: w.name, id: null, at: null, error: message(err) });
    }
  }
  const primary = !peers && writers.length === 1 ? writers[0]! : null;

  const pending = new Set(live.filter((n) => recovery.has(n.name)).map((n) => n.name));
  const last = new Map<string, Observed>();
  for (const n of live) if (!recovery.has(n.name)) nodes[n.name] = { state: 'unreachable', role: null, reason: `did not answer: ${lastError.get(n.name) ?? 'no reply'}` };
  const needs = (n: SettleNode): Writer[] => writers.filter((w) => w.name !== n.name);
  const caughtUp = (n: SettleNode, o: Observed): boolean => {
    if (!needs(n).every((w) => w.id !== null && o.seen.has(w.id))) return false;
    if (!o.inRecovery) return true;
    if (writers.length === 0) return false; // nothing to settle against
    if (!primary) return true; // peers: the markers are all there is to see
    // a physical standby: both, since right after a re-clone replay can already report the backup's end
    return primary.at !== null && (o.receive ?? 0n) >= primary.at && (o.replay ?? 0n) >= primary.at;
  };
  for (;;) {
    await Promise.all(
      live
        .filter((n) => pending.has(n.name))
        .map(async (n) => {
          try {
            const o = await observe(n, needs(n).flatMap((w) => (w.id === null ? [] : [w.id])));
            last.set(n.name, o);
            lastError.delete(n.name);
            if (caughtUp(n, o)) pending.delete(n.name);
          } catch (err) {
            lastError.set(n.name, message(err));
          }
        }),
    );
    if (pending.size === 0 || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, everyMs));
  }

  const waitedS = ((Date.now() - started) / 1000).toFixed(1);
  for (const n of live) {
    if (!recovery.has(n.name)) continue;
    const o = last.get(n.name);
    const inRecovery = recovery.get(n.name)!;
    const role: NodeSettlement['role'] = inRecovery ? 'standby' : peers ? 'peer' : 'primary';
    const rec: NodeSettlement = { state: pending.has(n.name) ? 'behind' : 'settled', role };
    const missing = needs(n)
      .filter((w) => !o || w.id === null || !o.seen.has(w.id))
      .map((w) => w.name);
    if (inRecovery && primary && primary.at !== null) {
      rec.targetLsn = fmt(primary.at);
      if (o) {
        rec.receiveLsn = o.receive === null ? null : fmt(o.receive);
        rec.replayLsn = o.replay === null ? null : fmt(o.replay);
        rec.lagBytes = o.replay === null || o.replay >= primary.at ? 0 : Number(primary.at - o.replay);
      }
    }
    if (missing.length > 0) rec.markersMissing = missing;
    if (rec.state === 'behind') {
      const why: string[] = [];
      if (!o) why.push(`did not answer: ${lastError.get(n.name) ?? 'no reply'}`);
      else if (inRecovery && primary && primary.at !== null && rec.lagBytes !== undefined && (rec.lagBytes > 0 || (o.receive ?? 0n) < primary.at)) {
        why.push(`replayed ${rec.replayLsn ?? 'nothing'} of ${rec.targetLsn} on ${primary.name} (${rec.lagBytes} bytes behind; received ${rec.receiveLsn ?? 'nothing'})`);
      }
      const failed = needs(n).filter((w) => w.id === null);
      const unseen = missing.filter((m) => !failed.some((w) => w.name === m));
      if (writers.length === 0) why.push(`no writable node to settle against${markerless(live, recovery)}`);
      if (failed.length > 0) why.push(`no marker could be written on ${failed.map((w) => `${w.name} (${w.error})`).join(', ')}`);
      if (unseen.length > 0) why.push(`does not show the marker written on ${unseen.join(', ')} after healing`);
      rec.reason = `not caught up after ${waitedS} s: ${why.join('; ') || 'still behind'}`;
      if (view.diagnose && o && missing.length > 0) {
        const broken = await view.diagnose(n.name, missing).catch((): string[] => []);
        if (broken.length > 0) {
          rec.state = 'broken';
          rec.reason = `replication into it is broken: ${broken.join(', ')}`;
        }
      }
    }
    nodes[n.name] = rec;
  }
  const ordered: Record<string, NodeSettlement> = {};
  for (const n of view.nodes) ordered[n.name] = nodes[n.name]!;
  return {
    settled: Object.values(ordered).every((r) => r.state === 'settled'),
    primary: primary?.name ?? null,
    marker,
    timeoutMs,
    waitedMs: Date.now() - started,
    nodes: ordered,
  };
}

/** Why no node took the marker: the live nodes that answered were all in recovery. */
function markerless(live: readonly SettleNode[], recovery: ReadonlyMap<string, boolean>): string {
  const standbys = live.filter((n) => recovery.get(n.name) === true).map((n) => n.name);
  return standbys.length > 0 ? ` (${standbys.join(', ')} in recovery)` : '';
}

/** The nodes whose final reads are not the settled state, with why (what the checkers take: FinalSettlement). */
export function unsettledNodes(s: Settlement): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, n] of Object.entries(s.nodes)) if (n.state !== 'settled' && n.state !== 'broken') out[name] = n.reason ?? n.state;
  return out;
}
