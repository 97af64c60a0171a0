// Capabilities against nemeses: which capability a nemesis lacks on a topology under a plan, as the one-line refusal
// a run gets before it starts ("nemesis failover is not supported on topology single: it has no standby to promote").
import type { Capability, Topology, TopologyPlan } from './types.js';

/** What a capability is, for a refusal whose topology gives no reason of its own. */
const MEANS: Record<Capability, string> = {
  kill: 'it needs to kill and restart nodes',
  pause: 'it needs to pause and resume nodes',
  stop: 'it needs to stop and start nodes',
  partition: 'it needs links between nodes to cut',
  'link-faults': 'it needs links to put toxics on',
  promote: 'it needs a standby to promote',
  subscriptions: 'it needs logical subscriptions',
  manager: 'it needs an HA manager process (Patroni, pg_autoctl) beside each postgres',
  dcs: 'it needs a DCS or monitor (etcd, the pg_auto_failover monitor)',
  'stack-switchover': "it needs an HA stack whose own command line does switchovers",
};

/** Why the plan's topology cannot give one of `needs` (the first missing), or null when it gives them all. */
export function missing(t: Topology, plan: TopologyPlan, needs: readonly Capability[]): string | null {
  const report = t.capabilities(plan);
  for (const c of needs) {
    const r = report[c];
    if (r === true) continue;
    return r ?? MEANS[c];
  }
  return null;
}

/** The refusal for the first nemesis the topology cannot carry, or null. */
export function refusal(t: Topology, plan: TopologyPlan, nemeses: readonly { name: string; needs: readonly Capability[] }[]): string | null {
  for (const n of nemeses) {
    const why = missing(t, plan, n.needs);
    if (why !== null) return `nemesis ${n.name} is not supported on topology ${t.name}: ${why}`;
  }
  return null;
}
