// The topology registry: every topology faultline knows, one line each. The CLI's choices, option validation,
// --help, the README's table and startCluster all read it; adding a topology is its module plus a line here.
import { closest } from '../../util/suggest.js';
import type { OptionSpec } from '../../util/option-spec.js';
import { external } from './external.js';
import { logicalBidir } from './logical-bidir.js';
import { patroni } from './patroni.js';
import { pgAutoFailover } from './pg-auto-failover.js';
import { pgpool } from './pgpool.js';
import { single } from './single.js';
import { streamingAsync, streamingSync } from './streaming.js';
import type { Topology } from './types.js';

export const TOPOLOGIES = [
  single,
  streamingAsync,
  streamingSync,
  logicalBidir,
  external,
  patroni,
  pgAutoFailover,
  pgpool,
] as const;

export type TopologyName = (typeof TOPOLOGIES)[number]['name'];
export const TOPOLOGY_NAMES: readonly TopologyName[] = TOPOLOGIES.map((t) => t.name);

export function isTopologyName(s: string): s is TopologyName {
  return (TOPOLOGY_NAMES as readonly string[]).includes(s);
}

/** The registered topology of that name, or undefined. */
export function findTopology(name: string): Topology | undefined {
  return (TOPOLOGIES as readonly Topology[]).find((t) => t.name === name);
}

/** " (did you mean …?)" for a mistyped topology name. */
export function nearTopology(name: string): string {
  const c = closest(name, TOPOLOGY_NAMES);
  return c ? ` (did you mean "${c}"?)` : '';
}

/**
 * Every topology's own options, once each (an option two topologies declare names both), stamped with the
 * topologies that read it: option validation refuses it on the others.
 */
export const TOPOLOGY_OPTIONS: readonly OptionSpec[] = (() => {
  const byKey = new Map<string, OptionSpec>();
  for (const t of TOPOLOGIES as readonly Topology[]) {
    for (const o of t.options) {
      const seen = byKey.get(o.key);
      byKey.set(o.key, { ...(seen ?? o), cluster: true, topologies: [...(seen?.topologies ?? []), t.name] });
    }
  }
  return [...byKey.values()];
})();

export type { Capability, CapabilityApi, CapabilityReport, Promoter, Subscriptions, Topology } from './types.js';
