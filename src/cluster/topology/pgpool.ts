// `pgpool`: pgpool-II 4.3 (Debian pgpool2) in front of faultline's async streaming nodes; clients reach pgpool only
// (every client link leads to it), pgpool reaches each backend through a `pool-nK` link and load-balances reads.
// Without --failover-command pgpool promotes nothing when the primary dies; with it, it promotes its new main node.
import { chownSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Daemon } from '../ha/daemon.js';
import { Guard } from '../ha/guard.js';
import { waitFor } from '../ha/member.js';
import { DEBIAN_PG_BIN, requirePackages } from '../ha/packages.js';
import { followPrimary } from '../ha/follow.js';
import { failoverScript, pcpConf, pgpoolConf, poolHba, poolPasswd } from '../ha/pgpool-config.js';
import { ClusterOptionError } from '../option-error.js';
import { serverUser } from '../osuser.js';
import { query } from '../sql.js';
import { cloneStandby, startPrimary, waitReplayed, waitStreaming } from '../streaming.js';
import { BOOLEAN, type OptionSpec } from '../../util/option-spec.js';
import { freePort } from '../../util/ports.js';
import { localNodes, planOf } from './plan.js';
import { defineTopology } from './types.js';

declare module '../types.js' {
  interface ClusterOptions {
    /** pgpool: give pgpool a failover_command that promotes its new main node when the primary fails */
    failoverCommand?: boolean;
  }
}

const OPTIONS: readonly OptionSpec[] = [
  { key: 'failoverCommand', type: BOOLEAN, help: "give pgpool a failover_command that promotes its new main node when the primary fails (pgpool alone promotes nothing)", cluster: true },
];


export const pgpool = defineTopology({
  name: 'pgpool',
  summary: 'pgpool-II (Debian pgpool2) in front of async streaming nodes, load-balancing reads; clients reach pgpool only; pgpool promotes nothing unless given a failover_command',
  options: OPTIONS,
  nodeCount: { default: 3, min: 2, max: 9 },
  multiWriter: false,
  routing: 'fixed',
  // a write's node is the client's link (all lead to pgpool), not the backend: two primaries from the sampler alone
  checkers: ['split-brain-samples', 'unavailability'],
  plan(opts, count) {
    if (opts.tls) throw new ClusterOptionError('topology pgpool does not support --tls yet');
    return planOf('pgpool', localNodes(count, opts.sites), ['n1'], { failoverCommand: opts.failoverCommand === true }, { failoverCommand: opts.failoverCommand === true });
  },
  capabilities: () => ({
    kill: true,
    pause: true,
    stop: true,
    partition: true,
    'link-faults': true,
    promote: 'pgpool decides who is primary: faultline does not promote behind its back',
    subscriptions: 'it replicates physically: there are no logical subscriptions',
    manager: 'pgpool is a pooler, not a per-node manager',
    dcs: 'pgpool (without its watchdog) has no DCS',
    'stack-switchover': 'pgpool has no switchover command of its own',
  }),
  async start(ctx, plan) {
    requirePackages('pgpool');
    const withFailover = (plan.data as { failoverCommand: boolean }).failoverCommand;
    const [first, ...rest] = plan.nodes.map((n) => ctx.rec(n.name));
    await startPrimary(ctx, first!);
    await Promise.all(rest.map((s) => cloneStandby(ctx, s, first!.node.name)));
    if (!(await waitStreaming(ctx, first!.node.name, rest.map((s) => s.node.name), 60_000))) throw new Error(`standbys did not start streaming from ${first!.node.name}`);
    const user = serverUser(ctx.opts.osUser);
    const own = (p: string): void => (user.self ? undefined : chownSync(p, user.uid, user.gid));
    const dir = join(ctx.dir, 'pgpool');
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    own(dir);
    const gdir = join(ctx.dir, 'guard');
    mkdirSync(gdir, { recursive: true, mode: 0o700 });
    const guard = new Guard(gdir);
    guard.start();
    const recs = plan.nodes.map((n) => ctx.rec(n.name));
    const backends: { name: string; port: number }[] = [];
    for (const r of recs) {
      const l = await ctx.plane.ensure({ name: `pool-${r.node.name}`, kind: 'pooler', from: 'pgpool', to: r.node.name, upstreamHost: '127.0.0.1', upstreamPort: r.endpoint.port, wan: false });
      backends.push({ name: r.node.name, port: l.listenPort });
    }
    const port = await freePort();
    const pcpPort = await freePort();
    const pgUser = 'postgres';
    const put = (name: string, text: string, mode: number): string => {
      const f = join(dir, name);
      writeFileSync(f, text, { mode });
      own(f);
      return f;
    };
    put('pgpass', `*:*:*:${pgUser}:${ctx.password}\n`, 0o600);
    const script = withFailover ? put('failover.sh', failoverScript(`${DEBIAN_PG_BIN}/psql`, join(dir, 'pgpass'), pgUser), 0o755) : null;
    const conf = put('pgpool.conf', pgpoolConf({ dir, port, pcpPort, backends, user: pgUser, password: ctx.password, children: 32, failoverScript: script }), 0o600);
    const hba = put('pool_hba.conf', poolHba(), 0o600);
    put('pool_passwd', poolPasswd(pgUser, ctx.password), 0o600);
    const pcp = put('pcp.conf', pcpConf(pgUser, ctx.password), 0o600);
    const daemon = new Daemon({ name: 'pgpool', command: '/usr/sbin/pgpool', args: ['-n', '-f', conf, '-a', hba, '-F', pcp], cwd: dir, logFile: join(dir, 'pgpool.log'), user, env: { PGPASSFILE: join(dir, 'pgpass') } }, guard);
    daemon.start();
    const direct = { host: '127.0.0.1', port, user: pgUser, password: ctx.password, database: 'postgres', connectionTimeoutMillis: 2000 };
    try {
      await waitFor('pgpool to accept connections', async () => {
        if (daemon.lastExit) throw new Error(`pgpool exited (${JSON.stringify(daemon.lastExit)}); see ${join(dir, 'pgpool.log')}`);
        return query(direct, 'SELECT 1').then(() => true).catch(() => false);
      }, 60_000, 300);
      // clients reach pgpool only: every client link now leads to it (same listening ports)
      for (const r of recs) await ctx.plane.ensure({ name: `client-${r.node.name}`, kind: 'client', from: 'client', to: r.node.name, upstreamHost: '127.0.0.1', upstreamPort: port, wan: false, listenPort: r.node.clientPort });
    } catch (err) {
      await daemon.stop(5000, 'SIGINT');
      guard.close();
      throw err;
    }
    const mainNode = async (): Promise<string | null> => {
      const rows = await query<{ node_id: string; role: string; status: string }>(direct, 'SHOW pool_nodes').catch(() => null);
      const p = rows?.find((x) => x.role === 'primary' && x.status !== 'down');
      return p ? recs[Number(p.node_id)]?.node.name ?? null : null;
    };
    // roles as pgpool sees them (SHOW pool_nodes): the primary it routes writes to
    const primary = followPrimary(ctx, first!.node.name, mainNode, { announceFirst: false });
    return {
      writable: async () => (primary.current ? [primary.current] : []),
      waitForReplication: (ms) => waitReplayed(ctx, ms),
      api: {},
      async stop() {
        await primary.stop();
        await daemon.stop(10_000, 'SIGINT');
        guard.close();
      },
    };
  },
});
