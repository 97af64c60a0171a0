// Workload names alone (cheap to import: the CLI lists them without loading the workloads).

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
