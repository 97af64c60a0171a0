// Faults aimed at an HA stack's machinery rather than at PostgreSQL: `kill-manager` (SIGKILL of Patroni / pg_autoctl,
// postgres keeps running), `partition-dcs` (nodes cut from etcd / the monitor, nothing else), `kill-dcs` (DCS members
// killed) and `switchover` (the stack's own command: patronictl switchover). Each heals what it did.
import { chooseNodes } from './nodes.js';
import { toJson, type Nemesis, type NemesisContext } from './types.js';

const errorOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export function killManagerNemesis(): Nemesis {
  let killed: string[] = [];
  return {
    name: 'kill-manager',
    names: ['kill-manager', 'start-manager'],
    async start(ctx: NemesisContext) {
      const m = ctx.cluster.capability('manager');
      const nodes = chooseNodes(ctx.cluster, ctx.targets, ctx.rng).filter((n) => m.running(n));
      for (const n of nodes) await m.kill(n);
      killed = [...new Set([...killed, ...nodes])];
      return { f: 'kill-manager', value: { nodes } };
    },
    async stop(ctx) {
      if (killed.length === 0) return null;
      const m = ctx.cluster.capability('manager');
      const nodes = killed;
      killed = [];
      const errors: Record<string, string> = {};
      for (const n of nodes) await m.start(n).catch((err: unknown) => (errors[n] = errorOf(err)));
      return { f: 'start-manager', value: toJson(Object.keys(errors).length ? { nodes, errors } : { nodes }) };
    },
  };
}

export function partitionDcsNemesis(): Nemesis {
  let cut: string[] = [];
  return {
    name: 'partition-dcs',
    names: ['start-partition-dcs', 'stop-partition-dcs'],
    async start(ctx) {
      const dcs = ctx.cluster.capability('dcs');
      const nodes = chooseNodes(ctx.cluster, ctx.targets, ctx.rng);
      const links: string[] = [];
      for (const n of nodes) links.push(...(await dcs.cut(n)));
      cut = [...new Set([...cut, ...nodes])];
      return { f: 'start-partition-dcs', value: { nodes, links } };
    },
    async stop(ctx) {
      if (cut.length === 0) return null;
      const dcs = ctx.cluster.capability('dcs');
      const nodes = cut;
      cut = [];
      for (const n of nodes) await dcs.heal(n);
      return { f: 'stop-partition-dcs', value: { nodes } };
    },
  };
}

export function killDcsNemesis(): Nemesis {
  let killed: string[] = [];
  return {
    name: 'kill-dcs',
    names: ['kill-dcs', 'start-dcs'],
    async start(ctx) {
      const dcs = ctx.cluster.capability('dcs');
      const all = dcs.members();
      const n = all.length;
      // --targets picks DCS members: all / a majority (quorum lost) / one (quorum kept with 3)
      const members = ctx.targets === 'all' ? all : ctx.targets === 'majority' ? ctx.rng.sample(all, Math.floor(n / 2) + 1).sort() : [ctx.rng.pick(all)];
      for (const m of members) await dcs.kill(m);
      killed = [...new Set([...killed, ...members])];
      return { f: 'kill-dcs', value: { members } };
    },
    async stop(ctx) {
      if (killed.length === 0) return null;
      const dcs = ctx.cluster.capability('dcs');
      const members = killed;
      killed = [];
      const errors: Record<string, string> = {};
      for (const m of members) await dcs.start(m).catch((err: unknown) => (errors[m] = errorOf(err)));
      return { f: 'start-dcs', value: toJson(Object.keys(errors).length ? { members, errors } : { members }) };
    },
  };
}

export function stackSwitchoverNemesis(): Nemesis {
  return {
    name: 'switchover',
    names: ['switchover', 'switchover-done'],
    async start(ctx) {
      const standbys = ctx.cluster.nodes.filter((n) => n.role === 'standby' && n.state === 'running').map((n) => n.name);
      const candidate = standbys.length > 0 ? ctx.rng.pick(standbys) : undefined;
      try {
        const r = await ctx.cluster.capability('stack-switchover').switchover(candidate ? { candidate } : {});
        return { f: 'switchover', value: toJson(r) };
      } catch (err) {
        return { f: 'switchover', value: { error: errorOf(err), ...(candidate ? { candidate } : {}) } };
      }
    },
    // a switchover is done when it returns: nothing to heal
    stop: async () => null,
  };
}
