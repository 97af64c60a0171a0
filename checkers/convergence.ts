// Convergence: after healing and settling, do all nodes hold the same rows?
// Judges a snapshot (per table: row count and checksum per node, differing rows) taken by the cluster, against
// the settlement: a node that had not caught up and differs is not converged (unknown), not diverged (invalid).
import type { TableSnapshot } from '../src/history/observations.js';
import type { CheckResult, Checker, FinalSettlement } from './types.js';

/** Per table, what each node holds; `differing` names rows not identical everywhere (the cluster's snapshot shape). */
export type ConvergenceSnapshot = TableSnapshot;

/** A node that differs from the settled nodes but had not caught up: a replication finding, with why. */
export interface NotConverged {
  node: string;
  tables: string[];
  reason: string;
}

/**
 * Invalid when settled nodes that answered differ on a table. A node that had not caught up (the settlement's
 * `unsettled`) and differs makes the verdict "unknown", naming it and why (its lag); nodes that could not be
 * read are reported; if no node could be compared the verdict is "unknown". `settled` may be a plain boolean
 * (true: every node caught up) for callers without a settlement.
 */
export function convergenceChecker(snapshot: readonly ConvergenceSnapshot[], settled: boolean | FinalSettlement): Checker {
  const unsettled = typeof settled === 'boolean' ? {} : (settled.unsettled ?? {});
  const caughtUp = typeof settled === 'boolean' ? settled : Object.keys(unsettled).length === 0;
  return (): CheckResult => {
    if (snapshot.length === 0) return { valid: 'unknown', reason: 'no convergence snapshot was taken', caughtUp };
    const behind = new Map<string, string[]>();
    const tables = snapshot.map((t) => {
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
    const diverged = tables.filter((t) => t.diverged);
    // a one-node cluster agrees with itself; with more nodes, at least two must answer
    const single = tables.every((t) => Object.keys(t.nodes).length === 1 && t.compared === 1);
    const comparable = single || tables.some((t) => t.compared >= 2);
    const notConverged: NotConverged[] = [...behind].map(([node, ts]) => ({ node, tables: ts, reason: unsettled[node]! }));
    const valid = diverged.length > 0 ? false : notConverged.length > 0 ? 'unknown' : comparable ? true : 'unknown';
    const out: CheckResult = { valid, caughtUp, tables };
    if (Object.keys(unsettled).length > 0) out.unsettled = unsettled;
    if (notConverged.length > 0) out.notConverged = notConverged;
    const reasons: string[] = [];
    if (diverged.length > 0) reasons.push(`nodes disagree on ${diverged.map((t) => t.table).join(', ')}`);
    for (const n of notConverged) reasons.push(`${n.node} not converged (differs on ${n.tables.join(', ')}): ${n.reason}`);
    if (reasons.length === 0 && !comparable) reasons.push('fewer than two nodes could be read');
    if (reasons.length > 0) out.reason = reasons.join('; ');
    return out;
  };
}
