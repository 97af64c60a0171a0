// Cluster options: what every topology shares is checked here, then the topology resolves its own (a plan);
// errors a user can fix are ClusterOptionError. Also where temporary run directories go.
import { accessSync, constants as fsConstants, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fieldOf, flagOf } from '../util/option-spec.js';
import { ClusterOptionError } from './option-error.js';
import { findTopology, nearTopology, TOPOLOGY_NAMES, TOPOLOGY_OPTIONS } from './topology/index.js';
import { placeOnHosts, type HostPlacement } from './placement.js';
import type { Topology, TopologyPlan } from './topology/types.js';
import type { ClusterOptions } from './types.js';

export { ClusterOptionError };

const TMPFS_MAGIC = 0x01021994;
const RAM_DIR = '/dev/shm';
const RAM_MIN_FREE = 4 * 1024 ** 3;

/**
 * Where temporary run directories go: $FAULTLINE_TMPDIR if set; else /dev/shm when it is a writable tmpfs with at
 * least 4 GiB free (creating ~1000 files per data directory is 10× faster there than on this machine's ext4, and
 * process kills — the faults faultline injects — behave the same); else the OS temp dir.
 */
export function defaultRunBase(): string {
  if (process.env.FAULTLINE_TMPDIR) return process.env.FAULTLINE_TMPDIR;
  try {
    const st = statfsSync(RAM_DIR);
    accessSync(RAM_DIR, fsConstants.W_OK);
    if (st.type === TMPFS_MAGIC && st.bavail * st.bsize >= RAM_MIN_FREE) return RAM_DIR;
  } catch {
    // no /dev/shm
  }
  return tmpdir();
}

export { siteName } from './topology/plan.js';

/** A cluster's options checked and resolved: its topology, node count and the topology's plan. */
export interface ResolvedCluster {
  topology: Topology;
  count: number;
  plan: TopologyPlan;
  /** --hosts: the host each node runs on (null: this machine) */
  placement: HostPlacement | null;
}

/**
 * Checks what every topology shares (node count against the topology's bounds, sites, WAN latency), refuses a
 * topology's own option given to another, then lets the topology plan (its own options). Throws ClusterOptionError.
 */
export function resolveCluster(opts: ClusterOptions): ResolvedCluster {
  const t = findTopology(String(opts.topology));
  if (!t) throw new ClusterOptionError(`unknown topology ${String(opts.topology)} (one of ${TOPOLOGY_NAMES.join(', ')})${nearTopology(String(opts.topology))}`);
  const given = opts as unknown as Record<string, unknown>;
  for (const o of TOPOLOGY_OPTIONS) {
    if (o.topologies?.includes(t.name) || given[fieldOf(o)] === undefined) continue;
    throw new ClusterOptionError(`${flagOf(o.key)} applies to topology ${o.topologies!.join(', ')} only`);
  }
  const sites = opts.sites ?? 1;
  if (!Number.isInteger(sites) || sites < 1 || sites > 26) throw new ClusterOptionError('--sites must be an integer from 1 to 26');
  if (opts.wanLatencyMs !== undefined && (!Number.isFinite(opts.wanLatencyMs) || opts.wanLatencyMs < 0)) throw new ClusterOptionError('--wan-latency must be a non-negative number of ms');
  let count = 0;
  if (t.nodeCount === 'from its file') {
    if (opts.nodes !== undefined) throw new ClusterOptionError(`--nodes does not apply to topology ${t.name}: its nodes come from its file`);
  } else {
    const { min, max } = t.nodeCount;
    count = opts.nodes ?? t.nodeCount.default;
    if (!Number.isInteger(count) || count < 1 || count > 26) throw new ClusterOptionError(`--nodes must be an integer from 1 to 26`);
    if (min === max && count !== min) throw new ClusterOptionError(`topology ${t.name} has exactly ${min} node${min === 1 ? '' : 's'}`);
    if (count < min) throw new ClusterOptionError(`topology ${t.name} needs at least ${min} nodes`);
    if (count > max) throw new ClusterOptionError(`topology ${t.name} has at most ${max} nodes`);
    if (sites > count) throw new ClusterOptionError(`--sites ${sites} needs at least ${sites} nodes (one per site); got ${count}`);
  }
  const plan = t.plan(opts, count);
  return { topology: t, count: plan.nodes.length, plan, placement: placeOnHosts(opts, plan) };
}
