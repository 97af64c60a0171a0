// `kill` (SIGKILL every process of a node, restart on heal) and `pause` (SIGSTOP, SIGCONT on heal).
import { toJson, type Nemesis, type NemesisContext } from './types.js';
import { chooseNodes } from './nodes.js';

export function killNemesis(): Nemesis {
  let killed: string[] = [];
  return {
    name: 'kill',
    names: ['kill', 'restart'],
    async start(ctx: NemesisContext) {
      const nodes = chooseNodes(ctx.cluster, ctx.targets, ctx.rng).filter((n) => ctx.cluster.node(n).state === 'running');
      for (const n of nodes) await ctx.cluster.kill(n);
      killed = [...new Set([...killed, ...nodes])];
      return { f: 'kill', value: { nodes } };
    },
    async stop(ctx) {
      if (killed.length === 0) return null;
      const nodes = killed;
      killed = [];
      const restarted: string[] = [];
      const errors: Record<string, string> = {};
      for (const n of nodes) {
        try {
          await ctx.cluster.start(n);
          restarted.push(n);
        } catch (err) {
          errors[n] = err instanceof Error ? err.message : String(err);
        }
      }
      return { f: 'restart', value: toJson(Object.keys(errors).length ? { nodes: restarted, errors } : { nodes: restarted }) };
    },
  };
}

export function pauseNemesis(): Nemesis {
  let paused: string[] = [];
  return {
    name: 'pause',
    names: ['pause', 'resume'],
    async start(ctx) {
      const nodes = chooseNodes(ctx.cluster, ctx.targets, ctx.rng).filter((n) => ctx.cluster.node(n).state === 'running');
      for (const n of nodes) await ctx.cluster.pause(n);
      paused = [...new Set([...paused, ...nodes])];
      return { f: 'pause', value: { nodes } };
    },
    async stop(ctx) {
      if (paused.length === 0) return null;
      const nodes = paused;
      paused = [];
      for (const n of nodes) await ctx.cluster.resume(n);
      return { f: 'resume', value: { nodes } };
    },
  };
}
