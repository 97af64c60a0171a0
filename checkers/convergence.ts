// Convergence: after healing and waiting for replication, do all nodes hold the same rows?
// Judges a snapshot (per table: row count and checksum per node, differing rows) taken by the cluster.
import type { TableSnapshot } from '../src/cluster/types.js';
import type { CheckResult, Checker } from './types.js';

/** Per table, what each node holds; `differing` names rows not identical everywhere (the cluster's snapshot shape). */
export type ConvergenceSnapshot = TableSnapshot;

/**
 * Invalid when any table differs between nodes that answered. Nodes that could not be read are
 * reported; if no node could be compared the verdict is "unknown". `caughtUp` false (replication did not
 * catch up within the settle time) is reported with the verdict, since lagging replicas also differ.
 */
export function convergenceChecker(snapshot: readonly ConvergenceSnapshot[], caughtUp: boolean): Checker {
  return (): CheckResult => {
    if (snapshot.length === 0) return { valid: 'unknown', reason: 'no convergence snapshot was taken', caughtUp };
    const tables = snapshot.map((t) => {
      const answered = Object.entries(t.nodes).filter(([, v]) => !('error' in v));
      const unreadable = Object.entries(t.nodes)
        .filter(([, v]) => 'error' in v)
        .map(([n, v]) => ({ node: n, error: (v as { error: string }).error }));
      return { ...t, compared: answered.length, unreadable };
    });
    const diverged = tables.filter((t) => t.compared >= 2 && !t.agree);
    // a one-node cluster agrees with itself; with more nodes, at least two must answer
    const single = tables.every((t) => Object.keys(t.nodes).length === 1 && t.compared === 1);
    const comparable = single || tables.some((t) => t.compared >= 2);
    const valid = diverged.length > 0 ? false : comparable ? true : 'unknown';
    const out: CheckResult = { valid, caughtUp, tables };
    if (diverged.length > 0) out.reason = `nodes disagree on ${diverged.map((t) => t.table).join(', ')}`;
    else if (!comparable) out.reason = 'fewer than two nodes could be read';
    return out;
  };
}
