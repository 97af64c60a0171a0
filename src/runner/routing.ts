// Routing: which node a client talks to. fixed: client i → node i mod n; any: the same, retrying on the
// next node after a failure; primary: the current primary, following failover. Read-only ops may go elsewhere:
// to the primary, to the standbys, or (both) half the clients' to the primary and the other half's to the standbys.
import type { WorkloadOp } from '../../workloads/types.js';

export type RoutingMode = 'fixed' | 'any' | 'primary';
export const ROUTING_MODES: readonly RoutingMode[] = ['fixed', 'any', 'primary'];
export type ReadFrom = 'same' | 'primary' | 'standbys' | 'both';
export const READ_FROM: readonly ReadFrom[] = ['same', 'primary', 'standbys', 'both'];

export interface Router {
  pick(client: number, op: WorkloadOp): string;
  /** where to retry after a failure on `failed` (undefined: no retry) */
  next(client: number, failed: string, op: WorkloadOp): string | undefined;
}

export interface RoutingView {
  /** every node clients may talk to, in a stable order */
  nodes(): string[];
  /** the current writable node, if the topology has one (streaming) */
  primary(): string | undefined;
  /** current standbys (streaming), empty otherwise */
  standbys(): string[];
  /** nodes drained by a nemesis (switchover): clients go elsewhere while there is elsewhere to go */
  drained?(): ReadonlySet<string>;
}

export function makeRouter(mode: RoutingMode, readFrom: ReadFrom, view: RoutingView): Router {
  const home = (client: number): string => {
    const nodes = view.nodes();
    if (mode === 'primary') return view.primary() ?? nodes[client % nodes.length];
    const h = nodes[client % nodes.length];
    const drained = view.drained?.();
    if (!drained || !drained.has(h)) return h;
    const live = nodes.filter((n) => !drained.has(n));
    return live.length > 0 ? live[client % live.length] : h;
  };
  return {
    pick(client, op) {
      if (op.write || readFrom === 'same') return home(client);
      // both: even clients read on the primary, odd ones on the standbys (as Jepsen's RDS test split its
      // processes between the writer and the reader endpoints)
      const toStandby = readFrom === 'standbys' || (readFrom === 'both' && client % 2 === 1);
      if (toStandby) {
        const s = view.standbys();
        if (s.length > 0) return s[(readFrom === 'both' ? client >> 1 : client) % s.length]!;
        if (readFrom === 'standbys') return home(client);
      }
      return view.primary() ?? home(client);
    },
    next(client, failed) {
      if (mode !== 'any') return undefined;
      const nodes = view.nodes();
      if (nodes.length < 2) return undefined;
      const i = nodes.indexOf(failed);
      return nodes[(i + 1) % nodes.length];
    },
  };
}
