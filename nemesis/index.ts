// Nemesis registry: builds fault families from names (`--nemesis kill,partition`).
import { failoverNemesis } from './failover.js';
import { linkNemesis, type LinkFaultOptions } from './link.js';
import { PARTITION_MODES, partitionNemesis, type PartitionMode } from './partition.js';
import { killNemesis, pauseNemesis } from './process.js';
import { schemaChangeNemesis } from './schema-change.js';
import { switchoverNemesis } from './switchover.js';
import type { Nemesis } from './types.js';
import type { CutMode } from '../src/cluster/types.js';

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

export interface NemesisOptions extends LinkFaultOptions {
  partition?: PartitionMode;
  cut?: CutMode;
}

export function isNemesisName(s: string): s is NemesisName {
  return (NEMESIS_NAMES as readonly string[]).includes(s);
}

export function makeNemesis(name: NemesisName, opts: NemesisOptions = {}): Nemesis | null {
  switch (name) {
    case 'none':
      return null;
    case 'partition':
      return partitionNemesis(opts.partition ?? 'halves', opts.cut ?? 'blackhole');
    case 'kill':
      return killNemesis();
    case 'pause':
      return pauseNemesis();
    case 'latency':
    case 'jitter':
    case 'bandwidth':
      return linkNemesis(name, opts);
    case 'failover':
      return failoverNemesis();
    case 'switchover-readonly':
      return switchoverNemesis('readonly');
    case 'switchover-fence':
      return switchoverNemesis('fence');
    case 'schema-change':
      return schemaChangeNemesis(true);
    case 'schema-change-norefresh':
      return schemaChangeNemesis(false);
  }
}

export { PARTITION_MODES };
