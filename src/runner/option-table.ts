// The one table of `faultline run`'s options (and experiment-file keys): the runner's own, the cluster's, each
// topology's and each workload's, as their modules declare them. Commander's flags, validation, the defaults,
// --help and the README's option table are all generated from it (cheap to import: names and specs only).
import { NEMESIS_NAMES } from '../../nemesis/names.js';
import { CUT_MODES, PARTITION_MODES } from '../../nemesis/partition.js';
import { SCHEDULE_MODES } from '../../nemesis/schedule.js';
import { NODE_SETS } from '../../nemesis/types.js';
import { WORKLOAD_NAMES, WORKLOAD_OPTIONS } from '../../workloads/names.js';
import { CLUSTER_OPTIONS } from '../cluster/option-table.js';
import { TOPOLOGY_NAMES } from '../cluster/topology/index.js';
import { BOOLEAN, int, num, oneOf, STRING, type OptionSpec } from '../util/option-spec.js';
import { READ_FROM, ROUTING_MODES } from './routing.js';

export { CLUSTER_OPTIONS };

export const RUN_OPTIONS: readonly OptionSpec[] = [
  { key: 'workload', short: '-w', arg: 'name', type: oneOf(WORKLOAD_NAMES), help: 'what clients do', default: 'set' },
  { key: 'topology', short: '-t', arg: 'name', type: oneOf(TOPOLOGY_NAMES), help: 'cluster topology', default: 'single' },
  { key: 'nemesis', short: '-n', arg: 'list', type: STRING, help: `faults, comma-separated: ${NEMESIS_NAMES.join(', ')}`, default: 'none' },
  { key: 'nemesisInterval', field: 'nemesisIntervalS', arg: 's', type: num(0.2), help: 'seconds between faults and how long each lasts', default: 5 },
  { key: 'schedule', arg: 'mode', type: oneOf(SCHEDULE_MODES), help: 'fault schedule (random: durations drawn from the seed)', default: 'periodic' },
  { key: 'targets', arg: 'set', type: oneOf(NODE_SETS), help: 'nodes a fault hits (kill, pause, link faults)', default: 'one' },
  { key: 'partition', arg: 'mode', type: oneOf(PARTITION_MODES), help: 'partition shape', default: 'halves' },
  { key: 'cut', arg: 'mode', type: oneOf(CUT_MODES), help: 'how a partition cuts a link: blackhole (packets vanish) or refuse', default: 'blackhole' },
  { key: 'timeLimit', field: 'timeLimitS', arg: 's', type: num(1), help: 'length of the main phase in seconds', default: 30 },
  { key: 'rate', arg: 'n', type: num(0), help: 'total ops/s across clients (0: as fast as possible)', default: 200 },
  { key: 'concurrency', short: '-c', arg: 'n', type: int(1, 1000), help: 'client processes', default: 5 },
  { key: 'opTimeout', field: 'opTimeoutMs', arg: 'ms', type: int(10), help: 'client-side timeout per op (a timed-out write is info)', default: 5000 },
  {
    key: 'routing',
    arg: 'mode',
    type: oneOf(ROUTING_MODES),
    help: 'fixed: client i → node i mod n; any: retry on the next node; primary: follow failover',
    defaultText: "the topology's: primary on streaming, else fixed",
  },
  { key: 'readFrom', arg: 'where', type: oneOf(READ_FROM), help: 'where read-only ops go: the routed node (same), the primary, the standbys, or both (even clients on the primary, odd ones on the standbys)', default: 'same' },
  { key: 'maxRetries', arg: 'n', type: int(0, 100), help: 'routing any: retries per op on other nodes', default: 1 },
  ...WORKLOAD_OPTIONS,
  { key: 'settle', field: 'settleS', arg: 's', type: num(0), help: 'seconds to wait for replication after healing', default: 30 },
  { key: 'name', arg: 'name', type: STRING, help: 'test name (results/<name>/…)' },
  { key: 'repeat', arg: 'n', type: int(1, 100_000), help: 'run each experiment n times', default: 1 },
  { key: 'replay', arg: 'run-dir', type: STRING, help: "run again with a stored run's options, seed and fault plan (its test.json)", cliOnly: true },
  ...CLUSTER_OPTIONS,
  { key: 'results', field: 'resultsDir', arg: 'dir', type: STRING, help: 'results directory', default: 'results' },
  { key: 'seed', arg: 'n', type: int(0, 2 ** 31 - 1), help: 'seed for every random choice (printed in test.json)' },
  { key: 'keep', type: BOOLEAN, help: 'keep the cluster data directories' },
  { key: 'report', type: BOOLEAN, negatable: true, default: true, help: 'skip the SVG/HTML report' },
  { key: 'quiet', short: '-q', type: BOOLEAN, help: 'no progress output' },
];

/** Keys the runner reads itself rather than as a RunOptions field of the same name. */
export const SPECIAL_KEYS = ['workload', 'topology', 'nemesis', 'routing', 'repeat', 'replay', 'quiet'] as const;

export function runOption(key: string): OptionSpec {
  const o = RUN_OPTIONS.find((x) => x.key === key);
  if (!o) throw new Error(`no run option ${key}`);
  return o;
}
