// Nemesis registry: builds fault families from names (`--nemesis kill,partition`).
import { failoverNemesis } from './failover.js';
import { killDcsNemesis, killManagerNemesis, partitionDcsNemesis, stackSwitchoverNemesis } from './ha.js';
import { linkNemesis, type LinkFaultOptions } from './link.js';
import { PARTITION_MODES, partitionNemesis, type PartitionMode } from './partition.js';
import { killNemesis, pauseNemesis } from './process.js';
import { schemaChangeNemesis } from './schema-change.js';
import { switchoverNemesis } from './switchover.js';
import type { Nemesis } from './types.js';
import type { NemesisName } from './names.js';

export { NEMESIS_NAMES, isNemesisName, type NemesisName } from './names.js';
import type { CutMode } from '../src/cluster/types.js';
export interface NemesisOptions extends LinkFaultOptions {
  partition?: PartitionMode;
  cut?: CutMode;
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
    case 'kill-manager':
      return killManagerNemesis();
    case 'partition-dcs':
      return partitionDcsNemesis();
    case 'kill-dcs':
      return killDcsNemesis();
    case 'switchover':
      return stackSwitchoverNemesis();
  }
}

export { PARTITION_MODES };
