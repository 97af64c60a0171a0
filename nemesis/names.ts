// Nemesis names and the topology capabilities each needs (cheap to import: the CLI lists them and option
// validation refuses a nemesis its topology cannot carry, without loading the fault code).
import type { Capability } from '../src/cluster/topology/types.js';

export const NEMESIS_NAMES = [
  'none',
  'partition',
  'kill',
  'pause',
  'latency',
  'jitter',
  'bandwidth',
  'failover',
  'switchover-readonly',
  'switchover-fence',
  'schema-change',
  'schema-change-norefresh',
  'kill-manager',
  'partition-dcs',
  'kill-dcs',
  'switchover',
] as const;
export type NemesisName = (typeof NEMESIS_NAMES)[number];

export function isNemesisName(s: string): s is NemesisName {
  return (NEMESIS_NAMES as readonly string[]).includes(s);
}

/**
 * What each nemesis needs from the topology (src/cluster/topology/types.ts): a run whose topology lacks one is
 * refused before it starts, with the topology's reason (external: a node without the command).
 */
export const NEMESIS_NEEDS: Record<NemesisName, readonly Capability[]> = {
  none: [],
  partition: ['partition'],
  kill: ['kill'],
  pause: ['pause'],
  latency: ['link-faults'],
  jitter: ['link-faults'],
  bandwidth: ['link-faults'],
  failover: ['promote', 'kill', 'partition'],
  'switchover-readonly': ['stop'],
  'switchover-fence': ['stop'],
  'schema-change': ['subscriptions'],
  'schema-change-norefresh': ['subscriptions'],
  'kill-manager': ['manager'],
  'partition-dcs': ['dcs'],
  'kill-dcs': ['dcs'],
  switchover: ['stack-switchover'],
};
