// `streaming-async` / `streaming-sync`: a primary (n1) and standbys cloned from it, each with its own physical slot
// and its replication through its own `repl-<standby>-<primary>` link; streaming-sync adds synchronous_standby_names
// (FIRST|ANY k over every other node, so it stays right after a failover) and synchronous_commit. Failover
// (the promote capability) is faultline's own: src/cluster/failover.ts.
import { oneOf, STRING, type OptionSpec } from '../../util/option-spec.js';
import { failover, rejoin } from '../failover.js';
import { ClusterOptionError } from '../option-error.js';
import { cloneStandby, primaryOf, startPrimary, waitReplayed, waitStreaming } from '../streaming.js';
import { localNodes, planOf } from './plan.js';
import { defineTopology, type Topology, type TopologyPlan } from './types.js';

export const SYNC_COMMITS = ['remote_write', 'on', 'remote_apply'] as const;
export type SyncCommit = (typeof SYNC_COMMITS)[number];

declare module '../types.js' {
  interface ClusterOptions {
    /** streaming-sync: synchronous_commit. Default 'on'. */
    syncCommit?: SyncCommit;
    /** streaming-sync: `FIRST k` or `ANY k` (the standby list is added). Default 'FIRST 1'. */
    syncStandbys?: string;
  }
}

const SYNC_OPTIONS: readonly OptionSpec[] = [
  { key: 'syncCommit', arg: 'mode', type: oneOf(SYNC_COMMITS), help: 'synchronous_commit of every node', default: 'on', cluster: true },
  { key: 'syncStandbys', arg: 'spec', type: STRING, help: "'FIRST k' or 'ANY k' (the list of the other nodes is added)", default: 'FIRST 1', cluster: true },
];

interface Sync {
  method: 'FIRST' | 'ANY';
  k: number;
  commit: SyncCommit;
}

/** synchronous_* settings: `FIRST|ANY k (all other nodes)`; null for streaming-async. */
function syncOf(plan: TopologyPlan): Sync | null {
  return (plan.data as { sync: Sync | null } | undefined)?.sync ?? null;
}

function quote(v: string): string {
  return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

function streaming<N extends 'streaming-async' | 'streaming-sync'>(name: N, sync: boolean): Topology<N> {
  return defineTopology({
    name,
    summary: sync
      ? 'the same, synchronous: synchronous_standby_names = FIRST k (…) or ANY k (…) over the other nodes'
      : 'a primary and N−1 standbys cloned without pg_basebackup, one physical slot each',
    options: sync ? SYNC_OPTIONS : [],
    nodeCount: { default: 3, min: 2, max: 26 },
    multiWriter: false,
    routing: 'primary',
    checkers: [],
    plan(opts, count) {
      let resolved: Sync | null = null;
      if (sync) {
        const commit = opts.syncCommit ?? 'on';
        if (!SYNC_COMMITS.includes(commit)) throw new ClusterOptionError(`--sync-commit must be one of ${SYNC_COMMITS.join(', ')}`);
        const m = /^\s*(FIRST|ANY)\s+([0-9]+)\s*$/i.exec(opts.syncStandbys ?? 'FIRST 1');
        if (!m) throw new ClusterOptionError(`--sync-standbys must look like 'FIRST 1' or 'ANY 2'`);
        const k = Number(m[2]);
        if (k < 1 || k > count - 1) throw new ClusterOptionError(`--sync-standbys: k must be from 1 to ${count - 1} (the number of standbys)`);
        resolved = { method: m[1]!.toUpperCase() as Sync['method'], k, commit };
      }
      const settings = { syncCommit: resolved?.commit ?? null, syncStandbys: resolved ? `${resolved.method} ${resolved.k}` : null };
      return planOf(name, localNodes(count, opts.sites), ['n1'], settings, { sync: resolved });
    },
    capabilities: () => ({
      kill: true,
      pause: true,
      stop: true,
      partition: true,
      'link-faults': true,
      promote: true,
      subscriptions: 'it replicates physically: there are no logical subscriptions',
      manager: 'it has no HA manager process: faultline runs the servers itself',
      dcs: 'it has no DCS or monitor',
      'stack-switchover': 'it has no HA stack with a switchover command of its own',
    }),
    nodeSettings(plan, node): Record<string, string> {
      const s = syncOf(plan);
      if (!s) return {};
      const others = plan.nodes.map((n) => n.name).filter((n) => n !== node);
      return { synchronous_standby_names: quote(`${s.method} ${s.k} (${others.join(', ')})`), synchronous_commit: s.commit };
    },
    async start(ctx, plan) {
      const [first, ...rest] = plan.nodes.map((n) => ctx.rec(n.name));
      await startPrimary(ctx, first!);
      await Promise.all(rest.map((s) => cloneStandby(ctx, s, first!.node.name)));
      const ok = await waitStreaming(ctx, first!.node.name, rest.map((s) => s.node.name), 60_000);
      if (!ok) throw new Error(`standbys did not start streaming from ${first!.node.name}`);
      return {
        writable: async () => primaryOf(ctx),
        waitForReplication: (ms) => waitReplayed(ctx, ms),
        rejoin: (rec) => rejoin(ctx, rec),
        api: { promote: { failover: (o) => failover(ctx, o) } },
      };
    },
  });
}

export const streamingAsync = streaming('streaming-async', false);
export const streamingSync = streaming('streaming-sync', true);
