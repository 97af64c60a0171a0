// Helpers every topology module plans with: node names and sites for servers faultline runs, and a plan object.
import type { PlannedNode, TopologyPlan } from './types.js';

/** Site of the i-th node: round-robin a, b, … */
export function siteName(i: number, sites: number): string {
  return String.fromCharCode(97 + (i % sites));
}

/** `count` nodes n1…nK, round-robin over `sites` sites (a, b, …). */
export function localNodes(count: number, sites = 1): PlannedNode[] {
  return Array.from({ length: count }, (_, i) => ({ name: `n${i + 1}`, site: siteName(i, sites) }));
}

export function planOf(topology: string, nodes: PlannedNode[], initdb: readonly string[], settings: TopologyPlan['settings'] = {}, data?: unknown): TopologyPlan {
  return { topology, nodes, initdb, settings, ...(data !== undefined ? { data } : {}) };
}
