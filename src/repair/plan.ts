// Repair planning (pure): for each subscription whose apply worker is stuck on a conflict, the SQL that unblocks
// it — SKIP the failed remote transaction (finished-at LSN from the log), or remove the conflicting local row under
// a replication origin so the fix itself is not replicated — and what each choice leaves diverged.
import type { LogEvent, SubscriptionState } from '../history/observations.js';

export type RepairStrategy = 'skip' | 'take-remote';
export const REPAIR_STRATEGIES: readonly RepairStrategy[] = ['skip', 'take-remote'];

/** The replication origin the repair session runs under (the peers subscribe with origin = none). */
export const REPAIR_ORIGIN = 'faultline_repair';

export interface RepairAction {
  /** node to run the SQL on (the subscriber) */
  node: string;
  subscription: string;
  conflict: string;
  relation: string | null;
  key: string | null;
  finishedAt: string | null;
  strategy: RepairStrategy;
  sql: string[];
  /** what stays wrong afterwards */
  consequence: string;
}

export interface RepairPlan {
  actions: RepairAction[];
  /** stuck subscriptions the plan cannot fix (no LSN or key in the log), with why */
  unresolved: { node: string; subscription: string; why: string }[];
  healthy: string[];
}

function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function literal(v: string): string {
  return `'${v.replace(/'/g, "''")}'`;
}

/** `public.kv` → `"public"."kv"` */
export function qualified(relation: string): string {
  return relation.split('.').map(ident).join('.');
}

/** The latest error a subscription's apply worker logged (the transaction it keeps failing on). */
function latestError(events: readonly LogEvent[], node: string, subscription: string): LogEvent | null {
  let last: LogEvent | null = null;
  for (const e of events) {
    if (e.node !== node || e.subscription !== subscription) continue;
    if ((e.kind === 'conflict' && e.level === 'ERROR') || e.kind === 'apply-error') last = e;
    // a completed skip or a successful restart after the error clears it only if no error follows
    if (e.kind === 'skip-done') last = null;
  }
  return last;
}

function skipSql(sub: string, lsn: string): string[] {
  return [`ALTER SUBSCRIPTION ${ident(sub)} SKIP (lsn = ${literal(lsn)})`];
}

function takeRemoteSql(relation: string, columns: string[], values: string[]): string[] {
  const where = columns.map((c, i) => `${ident(c)}::text = ${literal(values[i] ?? '')}`).join(' AND ');
  return [
    `SELECT pg_replication_origin_create(${literal(REPAIR_ORIGIN)}) WHERE NOT EXISTS (SELECT 1 FROM pg_replication_origin WHERE roname = ${literal(REPAIR_ORIGIN)})`,
    `SELECT pg_replication_origin_session_setup(${literal(REPAIR_ORIGIN)})`,
    `DELETE FROM ${qualified(relation)} WHERE ${where}`,
    'SELECT pg_replication_origin_session_reset()',
  ];
}

export function planRepair(subs: readonly SubscriptionState[], events: readonly LogEvent[], strategy: RepairStrategy, only?: string): RepairPlan {
  const plan: RepairPlan = { actions: [], unresolved: [], healthy: [] };
  for (const s of subs) {
    if (only !== undefined && s.name !== only) continue;
    const stuck = !s.enabled || !s.workerRunning;
    if (!stuck) {
      plan.healthy.push(`${s.node}/${s.name}`);
      continue;
    }
    const err = latestError(events, s.node, s.name);
    if (!err) {
      plan.unresolved.push({ node: s.node, subscription: s.name, why: s.enabled ? 'apply worker not running, but no apply error in the log (publisher down or unreachable?)' : 'disabled, no apply error in the log' });
      continue;
    }
    const base = {
      node: s.node,
      subscription: s.name,
      conflict: err.conflict ?? err.message,
      relation: err.relation ?? null,
      key: err.key ? `(${err.key.columns.join(', ')})=(${err.key.values.join(', ')})` : null,
      finishedAt: err.finishedAt ?? null,
    };
    const enable = s.enabled ? [] : [`ALTER SUBSCRIPTION ${ident(s.name)} ENABLE`];
    const canTakeRemote = strategy === 'take-remote' && err.relation && err.key && (err.conflict === 'insert_exists' || err.conflict === 'update_exists' || err.kind === 'apply-error');
    if (canTakeRemote && err.relation && err.key) {
      plan.actions.push({
        ...base,
        strategy: 'take-remote',
        sql: [...takeRemoteSql(err.relation, err.key.columns, err.key.values), ...enable],
        consequence: `${s.node} drops its own row ${base.key} (existing local row (${err.existing ?? '?'})) and applies the remote row (${err.remote ?? '?'}); the delete is made under origin ${REPAIR_ORIGIN}, so it is not replicated. If the local row was an acknowledged write, it is lost; the other direction still needs its own repair (skip there to converge on the remote row).`,
      });
      continue;
    }
    if (!err.finishedAt) {
      plan.unresolved.push({ node: s.node, subscription: s.name, why: `no "finished at" LSN in the log for: ${err.message}` });
      continue;
    }
    plan.actions.push({
      ...base,
      strategy: 'skip',
      sql: [...skipSql(s.name, err.finishedAt), ...enable],
      consequence: `${s.node} skips the whole remote transaction finished at ${err.finishedAt} (every change in it, not only ${base.key ?? 'the conflicting row'}); ${s.node} keeps its local row${err.existing ? ` (${err.existing})` : ''}${err.remote ? ` and never gets (${err.remote})` : ''}: the nodes stay diverged on it.`,
    });
  }
  return plan;
}
