// Workload names and the options workloads read (cheap to import: the CLI lists them without loading the workloads).
import { isKnownModel, KNOWN_MODELS } from '../checkers/txn/lattice.js';
import { int, num, oneOf, STRING, type OptionSpec } from '../src/util/option-spec.js';
import { didYouMean } from '../src/util/suggest.js';
import { ISOLATIONS } from './txn-sql.js';

export const WORKLOAD_NAMES = [
  'set',
  'register',
  'counter-shared',
  'counter-own',
  'serial-insert',
  'upsert',
  'delete-upsert',
  'versioned-command',
  'append',
  'rw-register',
] as const;
export type WorkloadName = (typeof WORKLOAD_NAMES)[number];

export function isWorkloadName(s: string): s is WorkloadName {
  return (WORKLOAD_NAMES as readonly string[]).includes(s);
}

/** Options the workloads read (WorkloadOptions), merged into `faultline run`'s option table. */
export const WORKLOAD_OPTIONS: readonly OptionSpec[] = [
  { key: 'keys', arg: 'n', type: int(1, 1_000_000), help: 'keyed workloads (register, upsert, delete-upsert, versioned-command): number of keys; append, rw-register: keys in the active pool (10)', defaultText: 'per workload' },
  { key: 'readFraction', arg: 'f', type: num(0, 1), help: 'fraction of ops that are reads (append, rw-register: of micro-ops, 0.5)', defaultText: 'per workload' },
  ...txnOptions(['append', 'rw-register']),
];

/** The transactional workloads' options (WorkloadOptions: isolation, expectedConsistencyModel, …). */
function txnOptions(workloads: readonly string[]): OptionSpec[] {
  return [
    { key: 'isolation', arg: 'level', type: oneOf(ISOLATIONS), help: 'isolation level of every transaction', defaultText: 'serializable', workloads },
    {
      key: 'expectedConsistencyModel',
      arg: 'model',
      type: STRING,
      help: 'the consistency model the history is judged against (serializable, snapshot-isolation, read-committed, …)',
      defaultText: "the isolation level's: serializable, snapshot-isolation (repeatable-read), read-committed",
      workloads,
      check: (v) => (isKnownModel(String(v)) ? null : `unknown consistency model "${String(v)}"${didYouMean(String(v), KNOWN_MODELS)} (known: ${KNOWN_MODELS.join(', ')})`),
    },
    { key: 'maxTxnLength', arg: 'n', type: int(1, 100), help: 'micro-ops per transaction: 1 to n', defaultText: '4', workloads },
    { key: 'maxWritesPerKey', arg: 'n', type: int(1, 1_000_000), help: 'writes a key takes before a fresh key replaces it', defaultText: '32', workloads },
  ];
}
