// Convergence: after healing and settling, do all nodes hold the same rows?
// Judges a snapshot (per table: row count and checksum per node, differing rows) taken by the cluster and stored
// in snapshot.json, against the settlement: a node that had not caught up and differs is not converged (unknown),
// not diverged (invalid). Pure: the snapshot comes in through the context (ctx.snapshot), as the run stored it.
import { explained, type Explanation } from './explain.js';
import type { TableSnapshot } from '../src/history/observations.js';
import type { Json } from '../src/history/types.js';
import type { Anomaly, CheckContext, CheckResult, Checker, FinalSettlement } from './types.js';

/** Per table, what each node holds; `differing` names rows not identical everywhere (the cluster's snapshot shape). */
export type ConvergenceSnapshot = TableSnapshot;

/** The snapshot as a run stores it (snapshot.json): the tables, or why it could not be taken. */
export interface StoredSnapshot {
  tables: ConvergenceSnapshot[];
  /** the snapshot failed (no table then): why */
  error?: string;
}

/** A node that differs from the settled nodes but had not caught up: a replication finding, with why. */
export interface NotConverged {
  node: string;
  tables: string[];
  reason: string;
}

/** One table as judged: the snapshot's, with how many nodes answered and whether settled nodes disagree. */
export interface TableVerdict extends ConvergenceSnapshot {
  compared: number;
  unreadable: { node: string; error: string }[];
  diverged: boolean;
}

/** data of a `diverged` anomaly: the table settled nodes disagree on, and the first rows that differ. */
export interface DivergedTable {
  table: string;
  differing: { row: string; on: string[] }[];
  [extra: string]: Json;
}

/** The convergence checker's result. */
export interface ConvergenceResult extends CheckResult {
  /** every node had caught up when read */
  caughtUp: boolean;
  tables: TableVerdict[];
  /** `diverged`: settled nodes hold different rows in a table */
  anomalies: Anomaly<'diverged', DivergedTable>[];
  unsettled?: Record<string, string>;
  notConverged?: NotConverged[];
  /** fewer than two nodes could be read (the verdict is then unknown) */
  uncompared?: true;
  /** no snapshot: none stored, or it failed (why) */
  noSnapshot?: string;
  /** the settle step as stored (final.json), shown beside the verdict */
  settlement?: Json;
}

/**
 * Invalid when settled nodes that answered differ on a table. A node that had not caught up (the settlement's
 * `unsettled`) and differs makes the verdict "unknown", naming it and why (its lag); nodes that could not be
 * read are reported; if no node could be compared the verdict is "unknown". `settled` may be a plain boolean
 * (true: every node caught up) for callers without a settlement.
 */
export function checkConvergence(snapshot: readonly ConvergenceSnapshot[] | StoredSnapshot | undefined, settled: boolean | FinalSettlement = true): ConvergenceResult {
  const unsettled = typeof settled === 'boolean' ? {} : (settled.unsettled ?? {});
  const caughtUp = typeof settled === 'boolean' ? settled : Object.keys(unsettled).length === 0;
  const stored: StoredSnapshot | undefined = snapshot === undefined ? undefined : Array.isArray(snapshot) ? { tables: [...snapshot] } : (snapshot as StoredSnapshot);
  const out: ConvergenceResult = { valid: 'unknown', caughtUp, tables: [], anomalies: [] };
  if (typeof settled !== 'boolean' && settled.detail !== undefined) out.settlement = settled.detail;
  if (stored === undefined || stored.tables.length === 0) {
    out.noSnapshot = stored === undefined ? 'none stored (snapshot.json is missing)' : (stored.error ?? 'none was taken');
    return explained(out, explainConvergence);
  }
  const behind = new Map<string, string[]>();
  out.tables = stored.tables.map((t) => {
    const answered = Object.entries(t.nodes).flatMap(([n, v]) => ('checksum' in v ? [[n, v.checksum] as const] : []));
    const unreadable = Object.entries(t.nodes)
      .filter(([, v]) => 'error' in v)
      .map(([n, v]) => ({ node: n, error: (v as { error: string }).error }));
    const settledSums = new Set(answered.filter(([n]) => !(n in unsettled)).map(([, s]) => s));
    // the settled nodes' state, when they agree (else the table diverged among settled nodes)
    const reference = settledSums.size === 1 ? [...settledSums][0]! : null;
    const lagging = answered.filter(([n, s]) => n in unsettled && (reference === null ? new Set(answered.map(([, x]) => x)).size > 1 : s !== reference)).map(([n]) => n);
    for (const n of lagging) behind.set(n, [...(behind.get(n) ?? []), t.table]);
    return { ...t, compared: answered.length, unreadable, diverged: settledSums.size > 1 };
  });
  const diverged = out.tables.filter((t) => t.diverged);
  // a one-node cluster agrees with itself; with more nodes, at least two must answer
  const single = out.tables.every((t) => Object.keys(t.nodes).length === 1 && t.compared === 1);
  const comparable = single || out.tables.some((t) => t.compared >= 2);
  const notConverged: NotConverged[] = [...behind].map(([node, ts]) => ({ node, tables: ts, reason: unsettled[node]! }));
  out.valid = diverged.length > 0 ? false : notConverged.length > 0 ? 'unknown' : comparable ? true : 'unknown';
  for (const t of diverged) {
    const nodes = Object.keys(t.nodes).filter((n) => !(n in unsettled) && 'checksum' in (t.nodes[n] as object));
    out.anomalies.push({ type: 'diverged', ops: [], nodes, data: { table: t.table, differing: t.differing.slice(0, 20) } });
  }
  if (Object.keys(unsettled).length > 0) out.unsettled = unsettled;
  if (notConverged.length > 0) out.notConverged = notConverged;
  if (!comparable) out.uncompared = true;
  return explained(out, explainConvergence);
}

/** The convergence result in words, rendered from its data. */
export function explainConvergence(r: ConvergenceResult): Explanation {
  if (r.noSnapshot !== undefined) return { reason: `no convergence snapshot: ${r.noSnapshot}` };
  const reasons: string[] = [];
  if (r.anomalies.length > 0) reasons.push(`nodes disagree on ${r.anomalies.map((a) => a.data?.table ?? '?').join(', ')}`);
  for (const n of r.notConverged ?? []) reasons.push(`${n.node} not converged (differs on ${n.tables.join(', ')}): ${n.reason}`);
  if (reasons.length === 0 && r.uncompared) reasons.push('fewer than two nodes could be read');
  return { reason: reasons.length > 0 ? reasons.join('; ') : undefined };
}

/** The convergence checker under the seam: the stored snapshot and settlement come in through the context. */
export const convergenceChecker: Checker<ConvergenceResult> = (_history, ctx: CheckContext) => checkConvergence(ctx.snapshot, ctx.settlement ?? true);
