// `patroni`: Patroni 3 + etcd 3.4 from Debian's packages on Debian's PostgreSQL 15: Patroni bootstraps, clones,
// restarts and fails over the members itself; faultline watches it (roles from GET /primary), and its faults aim at
// the manager (kill-manager), the DCS (partition-dcs, kill-dcs) and the stack's own switchover (patronictl).
import { debianPgVersion, requirePackages, DEBIAN_PG_BIN } from '../ha/packages.js';
import { followPrimary } from '../ha/follow.js';
import { PATRONI_DEFAULT_TIMINGS, type DcsTimings } from '../ha/patroni-config.js';
import { PatroniMember, PatroniStack, waitFor } from '../ha/patroni.js';
import { ClusterOptionError } from '../option-error.js';
import { serverUser } from '../osuser.js';
import { assertReachable } from '../reach.js';
import { membersReplayed } from '../ha/replay.js';
import type { FailoverResult } from '../types.js';
import { BOOLEAN, int, type OptionSpec } from '../../util/option-spec.js';
import { localNodes, planOf } from './plan.js';
import { defineTopology, type TopologyPlan } from './types.js';

declare module '../types.js' {
  interface ClusterOptions {
    /** patroni: leader key TTL in seconds (Patroni's default 30) */
    ttl?: number;
    /** patroni: seconds between HA loop runs (default 10) */
    loopWait?: number;
    /** patroni: DCS / PostgreSQL retry timeout in seconds (default 10) */
    retryTimeout?: number;
    /** patroni: synchronous_mode (commits wait for a synchronous standby Patroni picks) */
    synchronousMode?: boolean;
    /** patroni: etcd members (1 or 3) */
    etcdNodes?: number;
  }
}

const OPTIONS: readonly OptionSpec[] = [
  { key: 'ttl', arg: 's', type: int(5, 3600), help: "leader key TTL (Patroni's ttl)", default: PATRONI_DEFAULT_TIMINGS.ttl, cluster: true },
  { key: 'loopWait', arg: 's', type: int(1, 3600), help: "seconds between Patroni's HA loop runs (loop_wait)", default: PATRONI_DEFAULT_TIMINGS.loopWait, cluster: true },
  { key: 'retryTimeout', arg: 's', type: int(1, 3600), help: 'DCS and PostgreSQL retry timeout (retry_timeout)', default: PATRONI_DEFAULT_TIMINGS.retryTimeout, cluster: true },
  { key: 'synchronousMode', type: BOOLEAN, help: "Patroni's synchronous_mode: a commit waits for the synchronous standby Patroni picks", cluster: true },
  { key: 'etcdNodes', arg: 'n', type: int(1, 3), help: 'etcd members of the DCS (1 or 3)', default: 1, cluster: true },
];

interface PatroniData {
  timings: DcsTimings;
  synchronous: boolean;
  etcdNodes: number;
  members: PatroniMember[];
}

const dataOf = (plan: TopologyPlan): PatroniData => plan.data as PatroniData;

/** How often faultline asks the members' REST APIs who leads. */

export const patroni = defineTopology({
  name: 'patroni',
  summary: 'Patroni 3 + etcd 3.4 (Debian packages) managing Debian PostgreSQL 15 members: async, or --synchronous-mode; roles from its REST API',
  options: OPTIONS,
  nodeCount: { default: 3, min: 2, max: 9 },
  multiWriter: false,
  routing: 'primary',
  checkers: ['split-brain', 'unavailability'],
  plan(opts, count) {
    const timings: DcsTimings = { ttl: opts.ttl ?? PATRONI_DEFAULT_TIMINGS.ttl, loopWait: opts.loopWait ?? PATRONI_DEFAULT_TIMINGS.loopWait, retryTimeout: opts.retryTimeout ?? PATRONI_DEFAULT_TIMINGS.retryTimeout };
    // Patroni refuses configurations breaking this rule (ha.py: loop_wait + 2 * retry_timeout <= ttl)
    if (timings.loopWait + 2 * timings.retryTimeout > timings.ttl) {
      throw new ClusterOptionError(`--loop-wait + 2 × --retry-timeout must not exceed --ttl (${timings.loopWait} + 2 × ${timings.retryTimeout} > ${timings.ttl}); Patroni would override them`);
    }
    const etcdNodes = opts.etcdNodes ?? 1;
    if (etcdNodes !== 1 && etcdNodes !== 3) throw new ClusterOptionError('--etcd-nodes must be 1 or 3');
    if (opts.pgBin) throw new ClusterOptionError(`topology patroni runs Debian's PostgreSQL 15 (${DEBIAN_PG_BIN}: Patroni needs pg_basebackup and pg_rewind); --pg-bin does not apply`);
    if (opts.tls) throw new ClusterOptionError('topology patroni does not support --tls yet');
    const members = localNodes(count, opts.sites).map((n) => ({ ...n, process: new PatroniMember(n.name) }));
    const nodes = members.map((n) => ({ name: n.name, site: n.site, attached: { endpoint: n.process.endpoint, process: n.process, role: 'standby' as const } }));
    const synchronous = opts.synchronousMode === true;
    return planOf('patroni', nodes, [], { ttl: timings.ttl, loopWait: timings.loopWait, retryTimeout: timings.retryTimeout, synchronousMode: synchronous, etcdNodes }, {
      timings,
      synchronous,
      etcdNodes,
      members: members.map((m) => m.process),
    } satisfies PatroniData);
  },
  capabilities: () => ({
    kill: true,
    pause: true,
    stop: true,
    partition: true,
    'link-faults': true,
    promote: true,
    subscriptions: 'it replicates physically: there are no logical subscriptions',
    manager: true,
    dcs: true,
    'stack-switchover': true,
  }),
  async start(ctx, plan) {
    requirePackages('patroni');
    const d = dataOf(plan);
    const user = serverUser(ctx.opts.osUser);
    assertReachable(user, ctx.dir, `the run directory ${ctx.dir}`, 'choose a directory below one that others can traverse');
    const stack = await PatroniStack.start({
      dir: ctx.dir,
      user,
      password: ctx.password,
      plane: ctx.plane,
      members: d.members.map((m) => ({ process: m, site: ctx.rec(m.name).node.site })),
      etcdNodes: d.etcdNodes,
      timings: d.timings,
      synchronous: d.synchronous,
      pgBin: DEBIAN_PG_BIN,
    });
    // roles from the stack: the member whose REST API says it leads is the primary; the last one known stays
    // primary while none does (clients keep going there and see what the stack does)
    const primary = followPrimary(ctx, (await stack.leader()) ?? (await stack.waitHealthy(60_000)), () => stack.leader());
    const member = (n: string): PatroniMember => {
      const m = stack.members.get(n);
      if (!m) throw new Error(`no Patroni member ${n}`);
      return m;
    };
    const dcsLinks = (node: string): string[] => ctx.plane.all().filter((l) => l.kind === 'dcs' && l.from === node).map((l) => l.name);
    return {
      pgVersion: debianPgVersion(),
      writable: async () => (primary.current ? [primary.current] : []),
      waitForReplication: (ms) => membersReplayed(ctx, ms),
      api: {
        manager: {
          kill: (n) => member(n).daemon!.kill(),
          async start(n) {
            const m = member(n);
            await m.resume();
            m.daemon!.start();
            await waitFor(`Patroni on ${n} to answer`, async () => (await m.rest('/health', 1000)).status !== 0 || !m.daemon!.running, 60_000, 300);
          },
          running: (n) => member(n).daemon!.running,
        },
        dcs: {
          members: () => stack.etcd.map((e) => e.spec.name),
          async kill(name) {
            const e = stack.etcd.find((x) => x.spec.name === name);
            if (!e) throw new Error(`no etcd member ${name}`);
            await e.daemon.kill();
          },
          async start(name) {
            const e = stack.etcd.find((x) => x.spec.name === name);
            if (!e) throw new Error(`no etcd member ${name}`);
            e.daemon.start();
            await waitFor(`etcd ${name} to be healthy`, () => e.healthy(), 60_000, 200);
          },
          async cut(node) {
            const names = dcsLinks(node);
            await ctx.plane.cut(names, 'refuse');
            return names;
          },
          async heal(node) {
            const names = dcsLinks(node);
            await ctx.plane.heal(names);
            return names;
          },
        },
        'stack-switchover': {
          async switchover(o) {
            const r = await stack.switchover(o?.candidate);
            await waitFor(`${r.to} to lead after the switchover`, async () => (await stack.leader()) === r.to, o?.timeoutMs ?? 120_000, 200);
            primary.adopt(r.to);
            return r;
          },
        },
        promote: {
          // site loss, the stack's way: the lost nodes' managers die with their postgres, and Patroni elects a new
          // leader by itself once the old one's key expires; faultline only waits for it
          async failover(o): Promise<FailoverResult> {
            const old = primary.current;
            const lost = [...stack.members.values()].filter((m) => !m.running || m.downReason === 'killed');
            for (const m of lost) {
              await m.daemon!.kill();
              await m.kill();
            }
            let leader: string | null = null;
            await waitFor('Patroni to elect a new leader', async () => {
              leader = await stack.leader();
              return leader !== null && leader !== old && !lost.some((m) => m.name === leader);
            }, o?.timeoutMs ?? (d.timings.ttl + d.timings.loopWait * 2 + 60) * 1000, 200);
            primary.adopt(leader!);
            return { oldPrimary: old, newPrimary: leader!, repointed: [], recloned: [], forkLsn: null, generation: ctx.generation };
          },
        },
      },
      async stop() {
        await primary.stop();
        await stack.stop();
      },
    };
  },
});
