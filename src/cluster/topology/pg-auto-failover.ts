// `pg-auto-failover`: a pg_auto_failover monitor and 2–3 data nodes (Debian postgresql-15-auto-failover +
// pg-auto-failover-cli), each pg_autoctl running its postgres, synchronous by its defaults. Clients find the primary as
// its multi-host URI does (target_session_attrs=read-write: the first read-write node in list order).
import { join } from 'node:path';
import { AutoctlMember, AutoctlStack } from '../ha/autoctl.js';
import { postmasterPid, waitFor } from '../ha/member.js';
import { firstReadWrite, sqlProbe } from '../ha/multihost.js';
import { debianPgVersion, requirePackages, DEBIAN_PG_BIN } from '../ha/packages.js';
import { followPrimary } from '../ha/follow.js';
import { membersReplayed } from '../ha/replay.js';
import { ClusterOptionError } from '../option-error.js';
import { serverUser } from '../osuser.js';
import { assertReachable } from '../reach.js';
import type { FailoverResult } from '../types.js';
import { localNodes, planOf } from './plan.js';
import { defineTopology, type TopologyPlan } from './types.js';

const membersOf = (plan: TopologyPlan): AutoctlMember[] => (plan.data as { members: AutoctlMember[] }).members;

export const pgAutoFailover = defineTopology({
  name: 'pg-auto-failover',
  summary: 'pg_auto_failover (Debian packages): a monitor and 2–3 pg_autoctl data nodes on PostgreSQL 15, synchronous by default; clients use its multi-host read-write list',
  options: [],
  nodeCount: { default: 2, min: 2, max: 3 },
  multiWriter: false,
  routing: 'primary',
  checkers: ['split-brain', 'unavailability'],
  plan(opts, count) {
    if (opts.pgBin) throw new ClusterOptionError(`topology pg-auto-failover runs Debian's PostgreSQL 15 (${DEBIAN_PG_BIN}); --pg-bin does not apply`);
    if (opts.tls) throw new ClusterOptionError('topology pg-auto-failover does not support --tls yet');
    const members = localNodes(count, opts.sites).map((n) => ({ ...n, process: new AutoctlMember(n.name) }));
    return planOf('pg-auto-failover', members.map((m) => ({ name: m.name, site: m.site, attached: { endpoint: m.process.endpoint, process: m.process, role: 'standby' as const } })), [], {}, { members: members.map((m) => m.process) });
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
    requirePackages('pg-auto-failover');
    const user = serverUser(ctx.opts.osUser);
    assertReachable(user, ctx.dir, `the run directory ${ctx.dir}`, 'choose a directory below one that others can traverse');
    const stack = await AutoctlStack.start({ dir: ctx.dir, user, password: ctx.password, plane: ctx.plane, members: membersOf(plan) });
    const order = [...ctx.recs.keys()];
    const probe = sqlProbe(1500);
    const scan = (): Promise<string | null> => firstReadWrite(order, (n) => probe(ctx.adminConfig(n)));
    const first = await scan();
    if (!first) throw new Error('pg_auto_failover is healthy but no node is read-write');
    const primary = followPrimary(ctx, first, scan);
    const member = (n: string): AutoctlMember => {
      const m = stack.members.get(n);
      if (!m) throw new Error(`no pg_auto_failover node ${n}`);
      return m;
    };
    const monLinks = (node: string): string[] => ctx.plane.all().filter((l) => l.kind === 'dcs' && l.from === node).map((l) => l.name);
    return {
      pgVersion: debianPgVersion(),
      writable: async () => (primary.current ? [primary.current] : []),
      waitForReplication: (ms) => membersReplayed(ctx, ms),
      api: {
        manager: {
          kill: (n) => member(n).killManager(),
          async start(n) {
            const m = member(n);
            await m.resume();
            m.daemon!.start();
            await waitFor(`pg_autoctl on ${n} to run its postgres`, () => m.running || !m.daemon!.running, 60_000, 300);
          },
          running: (n) => member(n).daemon!.running,
        },
        dcs: {
          members: () => ['monitor'],
          async kill() {
            const d = stack.monitor!;
            await d.kill();
            const pm = join(ctx.dir, 'monitor', 'data');
            const pid = postmasterPid(pm);
            if (pid !== null) process.kill(pid, 'SIGKILL');
          },
          async start() {
            const d = stack.monitor!;
            d.useArgs(['run', '--pgdata', join(ctx.dir, 'monitor', 'data')]);
            d.start();
            await waitFor('the monitor back', async () => (await stack.states()).length > 0, 60_000, 300);
          },
          async cut(node) {
            const names = monLinks(node);
            await ctx.plane.cut(names, 'refuse');
            return names;
          },
          async heal(node) {
            const names = monLinks(node);
            await ctx.plane.heal(names);
            return names;
          },
        },
        'stack-switchover': {
          async switchover(o) {
            const from = primary.current;
            const command = await stack.switchover();
            let to: string | null = null;
            await waitFor('a new primary after the switchover', async () => {
              to = await scan();
              return to !== null && to !== from;
            }, o?.timeoutMs ?? 180_000, 300);
            primary.adopt(to!);
            return { from, to: to!, command };
          },
        },
        promote: {
          // site loss: the lost nodes' pg_autoctl die with their postgres; the monitor promotes a secondary itself
          async failover(o): Promise<FailoverResult> {
            const old = primary.current;
            const lost = [...stack.members.values()].filter((m) => !m.running || m.downReason === 'killed');
            for (const m of lost) {
              await m.killManager();
              await m.kill();
            }
            let p: string | null = null;
            await waitFor('the monitor to promote a new primary', async () => {
              p = await scan();
              return p !== null && !lost.some((m) => m.name === p);
            }, o?.timeoutMs ?? 180_000, 300);
            primary.adopt(p!);
            return { oldPrimary: old, newPrimary: p!, repointed: [], recloned: [], forkLsn: null, generation: ctx.generation };
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
