// Workload registry: `--workload NAME` → a Workload.
import { counterWorkload } from './counter.js';
import { registerWorkload } from './register.js';
import { setWorkload } from './set.js';
import { serialInsertWorkload } from './serial-insert.js';
import { upsertWorkload } from './upsert.js';
import { deleteUpsertWorkload } from './delete-upsert.js';
import { versionedCommandWorkload } from './versioned-command.js';
import { appendWorkload } from './append.js';
import { rwRegisterWorkload } from './rw-register.js';
import type { Workload, WorkloadOptions } from './types.js';
import type { WorkloadName } from './names.js';

export { WORKLOAD_NAMES, isWorkloadName, type WorkloadName } from './names.js';

/** The run options a named workload reads (a run's, or test.json's stored ones for `faultline check RUN_DIR`). */
export const WORKLOAD_OPTION_KEYS = ['keys', 'readFraction', 'isolation', 'expectedConsistencyModel', 'maxTxnLength', 'maxWritesPerKey'] as const satisfies readonly (keyof WorkloadOptions)[];

/** The workload options among a run's options (the ones given; defaults are the workload's). */
export function workloadOptions(o: { readonly [K in keyof WorkloadOptions]?: unknown }): WorkloadOptions {
  const out: Record<string, unknown> = {};
  for (const k of WORKLOAD_OPTION_KEYS) if (o[k] !== undefined && o[k] !== null) out[k] = o[k];
  return out as WorkloadOptions;
}

export function makeWorkload(name: WorkloadName, opts: WorkloadOptions = {}): Workload {
  switch (name) {
    case 'set':
      return setWorkload(opts);
    case 'register':
      return registerWorkload(opts);
    case 'counter-shared':
      return counterWorkload('shared', opts);
    case 'counter-own':
      return counterWorkload('own', opts);
    case 'serial-insert':
      return serialInsertWorkload(opts);
    case 'upsert':
      return upsertWorkload(opts);
    case 'delete-upsert':
      return deleteUpsertWorkload(opts);
    case 'versioned-command':
      return versionedCommandWorkload(opts);
    case 'append':
      return appendWorkload(opts);
    case 'rw-register':
      return rwRegisterWorkload(opts);
  }
}
