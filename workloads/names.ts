// Workload names and the options workloads read (cheap to import: the CLI lists them without loading the workloads).
import { int, num, type OptionSpec } from '../src/util/option-spec.js';

export const WORKLOAD_NAMES = [
  'set',
  'register',
  'counter-shared',
  'counter-own',
  'serial-insert',
  'upsert',
  'delete-upsert',
  'versioned-command',
] as const;
export type WorkloadName = (typeof WORKLOAD_NAMES)[number];

export function isWorkloadName(s: string): s is WorkloadName {
  return (WORKLOAD_NAMES as readonly string[]).includes(s);
}

/** Options the workloads read (WorkloadOptions), merged into `faultline run`'s option table. */
export const WORKLOAD_OPTIONS: readonly OptionSpec[] = [
  { key: 'keys', arg: 'n', type: int(1, 1_000_000), help: 'keyed workloads (register, upsert, delete-upsert, versioned-command): number of keys', defaultText: 'per workload' },
  { key: 'readFraction', arg: 'f', type: num(0, 1), help: 'fraction of ops that are reads', defaultText: 'per workload' },
];
