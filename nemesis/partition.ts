// `partition`: cuts node-to-node links through the proxies, or on hosts with their packet filters (replication
// stops as in a real partition; the history names the rules).
// Modes: isolate-one, halves, site-split, bridge. The fault is recorded as a grudge (node → unreachable nodes).
// A one-node cluster is cut from its clients instead (its client link).
import type { Cluster, CutMode, LinkSelector } from '../src/cluster/types.js';
import type { Rng } from '../src/util/rng.js';
import type { Grudge, Nemesis } from './types.js';

export type PartitionMode = 'isolate-one' | 'halves' | 'site-split' | 'bridge';
export const PARTITION_MODES: readonly PartitionMode[] = ['isolate-one', 'halves', 'site-split', 'bridge'];
/** How a partition cuts a link: black hole (data vanishes, connections hang) or refuse (closed, refused). */
export const CUT_MODES: readonly CutMode[] = ['blackhole', 'refuse'];

/** Pairs of node sets that must not reach each other. */
export type Cut = Array<[string[], string[]]>;

/** The pseudo-node on the clients' side of a partition (a one-node cluster can only be cut from its clients). */
export const CLIENTS = 'clients';

export function planPartition(cluster: Cluster, mode: PartitionMode, rng: Rng): Cut {
  const names = cluster.nodes.map((n) => n.name);
  if (names.length === 1) return [[[CLIENTS], names]];
  const others = (xs: string[]): string[] => names.filter((n) => !xs.includes(n));
  switch (mode) {
    case 'isolate-one': {
      const one = [rng.pick(names)];
      return [[one, others(one)]];
    }
    case 'halves': {
      const shuffled = rng.sample(names, names.length);
      const a = shuffled.slice(0, Math.floor(names.length / 2)).sort();
      return [[a, others(a)]];
    }
    case 'site-split': {
      const sites = [...new Set(cluster.nodes.map((n) => n.site))].sort();
      if (sites.length < 2) return planPartition(cluster, 'halves', rng);
      const a = cluster.nodes.filter((n) => n.site === sites[0]).map((n) => n.name);
      return [[a, others(a)]];
    }
    case 'bridge': {
      // one node (the bridge) sees both halves; the halves do not see each other
      if (names.length < 3) return planPartition(cluster, 'halves', rng);
      const shuffled = rng.sample(names, names.length);
      const bridge = shuffled[0];
      const rest = shuffled.slice(1);
      const a = rest.slice(0, Math.floor(rest.length / 2)).sort();
      const b = rest.filter((n) => !a.includes(n) && n !== bridge).sort();
      return [[a, b]];
    }
  }
}

function selectors(cut: Cut): LinkSelector[] {
  return cut.map(([a, b]): LinkSelector => {
    if (a.length === 1 && a[0] === CLIENTS) return { links: b.map((n) => `client-${n}`) };
    return { between: [a, b] };
  });
}

export function grudgeOf(cut: Cut): Grudge {
  const g: Grudge = {};
  for (const [a, b] of cut) {
    for (const x of a) g[x] = [...(g[x] ?? []), ...b].sort();
    for (const y of b) g[y] = [...(g[y] ?? []), ...a].sort();
  }
  return g;
}

export function partitionNemesis(mode: PartitionMode = 'halves', cutMode: CutMode = 'blackhole'): Nemesis {
  let inForce: Cut | null = null;
  return {
    name: 'partition',
    names: ['start-partition', 'stop-partition'],
    async start({ cluster, rng, partitionMode }) {
      const m = partitionMode ?? mode;
      const cut = planPartition(cluster, m, rng);
      const links: string[] = [];
      for (const sel of selectors(cut)) links.push(...(await cluster.cutLinks(sel, cutMode)));
      inForce = cut;
      // on hosts the cut is packet-filter rules: recorded by name, as installed
      const rules = cluster.filterRules?.() ?? [];
      return { f: 'start-partition', value: { mode: m, cut: cutMode, grudge: grudgeOf(cut), links, ...(rules.length > 0 ? { rules } : {}) } };
    },
    async stop({ cluster }) {
      if (!inForce) return null;
      const before = cluster.filterRules?.() ?? [];
      const links: string[] = [];
      for (const sel of selectors(inForce)) links.push(...(await cluster.healLinks(sel)));
      inForce = null;
      const removed = before.filter((r) => !(cluster.filterRules?.() ?? []).includes(r));
      return { f: 'stop-partition', value: { links, ...(removed.length > 0 ? { rulesRemoved: removed } : {}) } };
    },
  };
}

