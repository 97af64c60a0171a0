// Placement (--hosts FILE): which host of the hosts file each planned node runs on — one node per host, in the
// file's order, each node taking its host's site — and the cluster options that cannot apply on hosts. Pure
// apart from reading the file; errors a user can fix are ClusterOptionError (exit 64), a bad file exit 65/66.
import { readHostsFile, type HostSpec } from '../hosts/hosts-file.js';
import { ClusterOptionError } from './option-error.js';
import type { TopologyPlan } from './topology/types.js';
import type { ClusterOptions } from './types.js';

export interface HostPlacement {
  /** the hosts file */
  file: string;
  /** the hosts the cluster uses (one per planned node, in the file's order) */
  hosts: readonly HostSpec[];
  /** node name → its host */
  nodes: ReadonlyMap<string, HostSpec>;
}

/** Distinct sites, in first-seen order. */
function sitesOf(hosts: readonly HostSpec[]): string[] {
  return [...new Set(hosts.map((h) => h.site))];
}

/** The topologies whose every node faultline itself runs, and so can run on hosts (the HA stacks not yet). */
const ON_HOSTS: readonly string[] = ['single', 'streaming-async', 'streaming-sync', 'logical-bidir'];

/** Places the plan's nodes on the hosts of `opts.hosts` (null without --hosts). */
export function placeOnHosts(opts: ClusterOptions, plan: TopologyPlan): HostPlacement | null {
  if (opts.hosts === undefined) return null;
  if (!ON_HOSTS.includes(plan.topology)) {
    throw new ClusterOptionError(`--hosts runs ${ON_HOSTS.join(', ')}; topology ${plan.topology} does not run on hosts yet`);
  }
  if (plan.nodes.some((n) => n.attached)) {
    throw new ClusterOptionError(`--hosts does not apply to topology ${plan.topology}: faultline does not run its nodes`);
  }
  if (opts.tls) throw new ClusterOptionError('--tls is not supported with --hosts yet (the certificates would have to be made for the hosts\' addresses)');
  if (opts.pgBin !== undefined) throw new ClusterOptionError('--pg-bin does not apply with --hosts: each host\'s PostgreSQL is its "pgBin" in the hosts file');
  if ((opts.wanLatencyMs ?? 0) > 0) {
    throw new ClusterOptionError(
      '--wan-latency does not apply with --hosts: replication goes straight between the hosts, over their own network (faultline adds latency only on client links: -n latency)',
    );
  }
  const file = readHostsFile(opts.hosts);
  const count = plan.nodes.length;
  if (count > file.hosts.length) {
    throw new ClusterOptionError(
      `topology ${plan.topology} with ${count} nodes needs ${count} hosts (one node per host: a packet filter cannot cut two nodes of one host apart); ${file.file} has ${file.hosts.length}`,
    );
  }
  const hosts = file.hosts.slice(0, count);
  if (opts.sites !== undefined) {
    const sites = sitesOf(hosts);
    if (sites.length !== opts.sites) {
      throw new ClusterOptionError(
        `--sites ${opts.sites}: with --hosts the sites are the hosts file's (${sites.length} among the ${count} hosts used: ${sites.join(', ')}); drop --sites or change "site" in ${file.file}`,
      );
    }
  }
  return { file: file.file, hosts, nodes: new Map(plan.nodes.map((n, i) => [n.name, hosts[i]!])) };
}
