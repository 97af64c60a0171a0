// `latency`, `jitter` and `bandwidth`: degrade every link to and from the chosen nodes with a proxy toxic.
import type { LinkToxic } from '../src/cluster/types.js';
import type { Nemesis } from './types.js';
import { chooseNodes } from './nodes.js';

export interface LinkFaultOptions {
  latencyMs?: number;
  jitterMs?: number;
  /** KB/s */
  rate?: number;
}

export function linkNemesis(kind: 'latency' | 'jitter' | 'bandwidth', opts: LinkFaultOptions = {}): Nemesis {
  const toxic: LinkToxic =
    kind === 'bandwidth'
      ? { type: 'bandwidth', attributes: { rate: opts.rate ?? 50 }, name: 'nemesis-bandwidth' }
      : {
          type: 'latency',
          attributes: {
            latency: opts.latencyMs ?? (kind === 'jitter' ? 50 : 200),
            jitter: opts.jitterMs ?? (kind === 'jitter' ? 50 : 0),
          },
          name: `nemesis-${kind}`,
        };
  let inForce: string[] | null = null;
  return {
    name: kind,
    names: [`start-${kind}`, `stop-${kind}`],
    async start(ctx) {
      const nodes = chooseNodes(ctx.cluster, ctx.targets, ctx.rng);
      // every link into or out of the chosen nodes, client links included
      const names = ctx.cluster.links.filter((l) => nodes.includes(l.from) || nodes.includes(l.to)).map((l) => l.name);
      const links = await ctx.cluster.addToxic({ links: names }, toxic);
      inForce = links;
      return { f: `start-${kind}`, value: { nodes, toxic: toxic.type, attributes: toxic.attributes, links } };
    },
    async stop(ctx) {
      if (!inForce) return null;
      const links = inForce;
      inForce = null;
      await ctx.cluster.removeToxic({ links }, toxic.name ?? toxic.type);
      return { f: `stop-${kind}`, value: { links } };
    },
  };
}
