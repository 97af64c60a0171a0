// Chooses node sets for faults (one, minority, majority, primary, all) with the run's seeded generator.
import type { Cluster } from '../src/cluster/types.js';
import type { Rng } from '../src/util/rng.js';
import type { NodeSetSpec } from './types.js';

export function chooseNodes(cluster: Cluster, spec: NodeSetSpec, rng: Rng): string[] {
  const names = cluster.nodes.map((n) => n.name);
  const n = names.length;
  switch (spec) {
    case 'one':
      return [rng.pick(names)];
    case 'minority':
      return rng.sample(names, Math.max(1, Math.floor((n - 1) / 2))).sort();
    case 'majority':
      return rng.sample(names, Math.floor(n / 2) + 1).sort();
    case 'primary': {
      const p = cluster.primary();
      return p ? [p.name] : [rng.pick(names)];
    }
    case 'all':
      return names.slice();
  }
}
