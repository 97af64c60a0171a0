// `faultline repair`: command-line definition (options, help); the implementation is imported lazily.
import { InvalidArgumentError, Option, type Command } from 'commander';

const HELP = `
Finds subscriptions of a running logical-bidir cluster whose apply worker is stuck on a conflict
(from pg_stat_subscription and the conflict lines of the server logs) and prints the SQL that
unblocks each one. Nothing is changed unless --apply is given.

Strategies:
  skip         ALTER SUBSCRIPTION … SKIP (lsn = <finished at>): the subscriber drops the whole
               remote transaction and keeps its own row (the nodes stay diverged on it)
  take-remote  delete the conflicting local row under a replication origin session (so the
               delete is not replicated to the other node); the remote row is then applied

Exit status: 0 every subscription applies, 1 some are still stuck, 66 no cluster.json.
Start a cluster to repair with: faultline cluster up --topology logical-bidir --dir DIR`;

function positive(v: string): number {
  const n = Number(v);
  if (!/^[0-9]+$/.test(v.trim()) || n < 1 || n > 100_000) throw new InvalidArgumentError('expected an integer from 1 to 100000');
  return n;
}

export function registerRepair(program: Command): void {
  program
    .command('repair')
    .description('plan (and with --apply, run) the repair of stuck logical-replication subscriptions')
    .requiredOption('--dir <dir>', 'cluster directory (holds cluster.json) or a run directory kept with --keep')
    .option('--apply', 'run the SQL (default: print it only)')
    .addOption(new Option('--strategy <name>', 'how to resolve a conflict').choices(['skip', 'take-remote']).default('skip'))
    .option('--subscription <name>', 'only this subscription')
    .option('--rounds <n>', 'with --apply: repeat probe and repair up to n times (each skips one transaction)', positive, 1)
    .option('--json', 'print the plan as JSON')
    .addHelpText('after', HELP)
    .action(async (opts: { dir: string; apply?: boolean; strategy?: string; subscription?: string; rounds?: number; json?: boolean }) => {
      const { repairCommand } = await import('../../repair/cli.js');
      process.exitCode = await repairCommand(opts);
    });
}
