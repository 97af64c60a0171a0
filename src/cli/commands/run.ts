// `faultline run` and `faultline experiment`: command-line definitions, generated from the option table
// (src/runner/option-table.ts); the runner is imported lazily.
import type { Command } from 'commander';
import { RUN_OPTIONS, runOption } from '../../runner/option-table.js';
import type { OptionSpec } from '../../util/option-spec.js';
import { addOptions } from '../option-commander.js';

/** `faultline experiment`'s few options: the run table's, with the headline's own defaults. */
const EXPERIMENT_OPTIONS: readonly OptionSpec[] = [
  { ...runOption('timeLimit'), help: 'seconds per run' },
  { ...runOption('wanLatency'), help: 'latency between the two sites', default: 50, defaultText: undefined, cluster: false },
  { ...runOption('repeat'), help: 'runs of each' },
  { ...runOption('hosts'), help: 'run on these hosts (a hosts file; --wan-latency does not apply: the hosts\' own network is between the sites)' },
  runOption('results'),
  runOption('seed'),
  runOption('report'),
  runOption('quiet'),
];

const RUN_HELP = `
Experiment files hold one object or a list of objects with the long flag names in
camelCase ({"workload": "set", "timeLimit": 30}). Flags not given are defaults the
file overrides; a flag given on the command line wins over every experiment's
setting, and stderr says so once per flag and file.

Exit status (the highest over all runs):
  0 valid   1 invalid (an anomaly was found)   2 unknown (no verdict: a checker's
  limit ran out, or one of several runs could not be made)
  64 bad usage (unknown option or setting, impossible cluster, a nemesis the
  topology does not support)
  65 malformed input (an experiment file or a --replay test.json: file:line)
  66 an input file not found (an experiment file, a --replay directory)
  69 the cluster could not be started (a single run), or an external resource failed
  74 the run could not record its results (a full disk): it and its cluster were
  stopped; what it wrote is whole lines (faultline check)
  70 internal error (a bug: please report it)
  130 interrupted by SIGINT (Ctrl-C), 143 by SIGTERM: every server and proxy is
  stopped; the history so far is checkable (faultline check, faultline report)`;

export function registerRun(program: Command): void {
  const run = program
    .command('run')
    .description('run experiments against a real cluster under faults; exit 0 valid, 1 anomaly found, 2 unknown (all statuses below)')
    .argument('[experiments...]', 'experiment JSON files (an object or a list of objects with run options); default: the flags');
  addOptions(run, RUN_OPTIONS)
    .addHelpText('after', RUN_HELP)
    .action(async (experiments: string[], opts: Record<string, unknown>, cmd: Command) => {
      const { runCommand } = await import('../../runner/cli.js');
      const explicit = new Set(Object.keys(opts).filter((k) => cmd.getOptionValueSource(k) === 'cli'));
      process.exitCode = await runCommand(experiments, opts, explicit);
    });

  const exp = program
    .command('experiment')
    .description('the headline experiment: set workload under failover on streaming-async vs streaming-sync (remote_apply), side by side; exits 0 once every run reached a verdict, 69 if a run could not be made');
  addOptions(exp, EXPERIMENT_OPTIONS)
    .action(async (opts: Record<string, unknown>) => {
      const { experimentCommand } = await import('../../runner/cli.js');
      process.exitCode = await experimentCommand(opts);
    });
}
