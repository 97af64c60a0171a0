// `failover`: the site-loss drill for streaming topologies. The primary's site is cut off from the other
// site(s) (its clients still reach it), then every node of that site is killed and the most advanced
// surviving standby is promoted; clients routed to the primary follow. On heal the lost nodes come back as
// standbys of the new primary (re-cloned where they hold WAL past the fork point).
import type { Cluster } from '../src/cluster/types.js';
import { toJson, type Nemesis } from './types.js';

export interface FailoverOptions {
  /** how long the primary's site stays cut off (still taking local writes) before it is lost, ms */
  cutMs?: number;
}

/** The nodes lost with the primary: its whole site when the cluster spans sites, else the primary alone. */
export function lostWith(cluster: Cluster, primary: string): string[] {
  const site = cluster.node(primary).site;
  const sites = new Set(cluster.nodes.map((n) => n.site));
  if (sites.size < 2) return [primary];
  return cluster.nodes.filter((n) => n.site === site).map((n) => n.name);
}

export function failoverNemesis(opts: FailoverOptions = {}): Nemesis {
  const cutMs = opts.cutMs ?? 1000;
  let lost: string[] = [];
  return {
    name: 'failover',
    names: ['failover', 'rejoin'],
    async start({ cluster }) {
      const p = cluster.primary();
      if (!p) return { f: 'failover', value: { error: 'no primary' } };
      const nodes = lostWith(cluster, p.name);
      const survivors = cluster.nodes.map((n) => n.name).filter((n) => !nodes.includes(n));
      // 1. the site's links to the rest go dark: replication stops, local clients still write
      const between = { between: [nodes, survivors] as const };
      await cluster.cutLinks(between, 'blackhole');
      // on hosts: the packet-filter rules that cut the site off, by name
      const rules = cluster.filterRules?.() ?? [];
      await new Promise((r) => setTimeout(r, cutMs));
      // 2. the site is lost
      for (const n of nodes) if (cluster.node(n).state === 'running' || cluster.node(n).state === 'paused') await cluster.kill(n);
      lost = nodes;
      // the dead site's links carry nothing any more; healed now so the lost nodes can be re-cloned later
      await cluster.healLinks(between);
      // 3. promote the most advanced surviving standby, repoint the rest
      const r = await cluster.capability('promote').failover();
      return { f: 'failover', value: toJson({ site: p.site, lost: nodes, cutMs, ...(rules.length > 0 ? { rules } : {}), ...r }) };
    },
    async stop({ cluster }) {
      if (lost.length === 0) return null;
      const nodes = lost;
      lost = [];
      for (const n of nodes) if (cluster.node(n).state !== 'running') await cluster.start(n);
      return { f: 'rejoin', value: { nodes, roles: Object.fromEntries(nodes.map((n) => [n, cluster.node(n).role])) } };
    },
  };
}
