// Nemesis names alone (cheap to import: the CLI lists them without loading the fault code).
import type { ExternalCommand } from '../src/cluster/external.js';

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
] as const;
export type NemesisName = (typeof NEMESIS_NAMES)[number];

export function isNemesisName(s: string): s is NemesisName {
  return (NEMESIS_NAMES as readonly string[]).includes(s);
}

/**
 * The node commands (external topology: the nodes file's `commands`) each nemesis runs on the nodes it targets
 * and on heal; a run whose external nodes lack one is refused before it starts.
 */
export const NODE_COMMANDS: Partial<Record<NemesisName, readonly ExternalCommand[]>> = {
  kill: ['kill', 'start'],
  pause: ['pause', 'resume'],
  'switchover-readonly': ['stop', 'start'],
  'switchover-fence': ['stop', 'start'],
};
