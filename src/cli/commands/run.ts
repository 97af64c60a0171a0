// `faultline run` and `faultline experiment`: command-line definitions; the runner is imported lazily.
import { Command, Option } from 'commander';
import { int, num } from '../numbers.js';

import { WORKLOAD_NAMES } from '../../../workloads/names.js';
import { NEMESIS_NAMES } from '../../../nemesis/names.js';

const WORKLOADS = [...WORKLOAD_NAMES];
const TOPOLOGIES = ['single', 'streaming-async', 'streaming-sync', 'logical-bidir', 'external'];


const RUN_HELP = `
Experiment files hold one object or a list of objects with the long flag names in
camelCase ({"workload": "set", "timeLimit": 30}). Flags not given are defaults the
file overrides; a flag given on the command line wins over every experiment's
setting, and stderr says so once per flag and file.

Exit status (the highest over all runs):
  0 valid   1 invalid (an anomaly was found)   2 unknown (no verdict: a checker's
  limit ran out, or one of several runs could not be made)
  64 bad usage (unknown option or setting, impossible cluster)
  65 malformed input (an experiment file or a --replay test.json: file:line)
  66 an input file not found (an experiment file, a --replay directory)
  69 the cluster could not be started (a single run), or an external resource failed
  74 the run could not record its results (a full disk): it and its cluster were
  stopped; what it wrote is whole lines (faultline check)
  70 internal error (a bug: please report it)
  130 interrupted by SIGINT (Ctrl-C), 143 by SIGTERM: every server and proxy is
  stopped; the history so far is checkable (faultline check, faultline report)`;

/** Options shared by `run` and `experiment` (cluster and output). */
function clusterAndOutputOptions(cmd: Command): Command {
  return cmd
    .option('--nodes <n>', 'number of nodes (single: 1; streaming: primary + standbys; logical-bidir: ≥ 2)', int(1, 26))
    .option('--sites <n>', 'split the nodes across this many sites', int(1, 9))
    .option('--wan-latency <ms>', 'latency on every link that crosses sites', num(0, 60_000))
    .addOption(new Option('--sync-commit <mode>', 'streaming-sync: synchronous_commit').choices(['remote_write', 'on', 'remote_apply']))
    .option('--sync-standbys <spec>', "streaming-sync: 'FIRST k' or 'ANY k'")
    .option('--tls', 'TLS on every client and replication connection')
    .option('--pg-bin <dir>', 'PostgreSQL binaries (initdb, postgres) to use instead of the embedded ones')
    .option('--toxiproxy-url <url>', 'use this Toxiproxy server instead of the embedded one')
    .option('--external <file>', 'external topology: JSON file with the nodes')
    .option('--results <dir>', 'results directory', 'results')
    .option('--seed <n>', 'seed for every random choice (printed in test.json)', int(0, 2 ** 31 - 1))
    .option('--keep', 'keep the cluster data directories')
    .option('--no-report', 'skip the SVG/HTML report')
    .option('-q, --quiet', 'no progress output');
}

export function registerRun(program: Command): void {
  const run = program
    .command('run')
    .description('run experiments against a real cluster under faults; exit 0 valid, 1 anomaly found, 2 unknown (all statuses below)')
    .argument('[experiments...]', 'experiment JSON files (an object or a list of objects with run options); default: the flags')
    .addOption(new Option('-w, --workload <name>', 'what clients do').choices(WORKLOADS).default('set'))
    .addOption(new Option('-t, --topology <name>', 'cluster topology').choices(TOPOLOGIES).default('single'))
    .option('-n, --nemesis <list>', `faults, comma-separated: ${NEMESIS_NAMES.join(', ')}`, 'none')
    .option('--nemesis-interval <s>', 'seconds between faults and how long each lasts', num(0.2), 5)
    .addOption(new Option('--schedule <mode>', 'fault schedule').choices(['periodic', 'random']).default('periodic'))
    .addOption(new Option('--targets <set>', 'nodes a fault hits').choices(['one', 'minority', 'majority', 'primary', 'all']).default('one'))
    .addOption(new Option('--partition <mode>', 'partition shape').choices(['isolate-one', 'halves', 'site-split', 'bridge']).default('halves'))
    .addOption(new Option('--cut <mode>', 'how a partition cuts a link: blackhole (packets vanish) or refuse').choices(['blackhole', 'refuse']).default('blackhole'))
    .option('--time-limit <s>', 'length of the main phase in seconds', num(1), 30)
    .option('--rate <n>', 'total ops/s across clients (0: as fast as possible)', num(0), 200)
    .option('-c, --concurrency <n>', 'client processes', int(1, 1000), 5)
    .option('--op-timeout <ms>', 'client-side timeout per op (a timed-out write is info)', int(10), 5000)
    .addOption(new Option('--routing <mode>', 'fixed: client i → node i mod n; any: retry on the next node; primary: follow failover').choices(['fixed', 'any', 'primary']))
    .addOption(new Option('--read-from <where>', 'send reads to standbys instead of the routed node').choices(['same', 'standbys']).default('same'))
    .option('--max-retries <n>', 'routing any: retries per op on other nodes', int(0, 100), 1)
    .option('--keys <n>', 'register: number of keys', int(1, 1_000_000))
    .option('--read-fraction <f>', 'fraction of ops that are reads', num(0, 1))
    .option('--settle <s>', 'seconds to wait for replication after healing', num(0), 30)
    .option('--name <name>', 'test name (results/<name>/…)')
    .option('--repeat <n>', 'run each experiment n times', int(1, 100_000), 1)
    .option('--replay <run-dir>', "run again with a stored run's options, seed and fault plan (its test.json)");
  clusterAndOutputOptions(run)
    .addHelpText('after', RUN_HELP)
    .action(async (experiments: string[], opts: Record<string, unknown>, cmd: Command) => {
      const { runCommand } = await import('../../runner/cli.js');
      const explicit = new Set(Object.keys(opts).filter((k) => cmd.getOptionValueSource(k) === 'cli'));
      process.exitCode = await runCommand(experiments, opts, explicit);
    });

  const exp = program
    .command('experiment')
    .description('the headline experiment: set workload under failover on streaming-async vs streaming-sync (remote_apply), side by side; exits 0 once every run reached a verdict, 69 if a run could not be made')
    .option('--time-limit <s>', 'seconds per run', num(1), 30)
    .option('--wan-latency <ms>', 'latency between the two sites', num(0, 60_000), 50)
    .option('--repeat <n>', 'runs of each', int(1, 1000), 1);
  exp
    .option('--results <dir>', 'results directory', 'results')
    .option('--seed <n>', 'seed', int(0, 2 ** 31 - 1))
    .option('--no-report', 'skip the SVG/HTML report')
    .option('-q, --quiet', 'no progress output')
    .action(async (opts: Record<string, unknown>) => {
      const { experimentCommand } = await import('../../runner/cli.js');
      process.exitCode = await experimentCommand(opts);
    });
}
