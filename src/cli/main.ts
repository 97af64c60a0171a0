// The `faultline` command line: parses arguments with commander and lazily loads one subcommand.
// Subcommand definitions live in ./commands/*; implementations are imported only when run (fast start-up).
import { Command, CommanderError } from 'commander';
import { EXIT, UserError } from '../util/exit.js';
import { faultlineVersion } from '../util/version.js';
import { redactSecrets } from '../util/redact.js';
import { registerCheck } from './commands/check.js';
import { registerProxy } from './commands/proxy.js';
import { registerCluster } from './commands/cluster.js';
import { registerRun } from './commands/run.js';
import { registerReport } from './commands/report.js';
import { registerRepair } from './commands/repair.js';
import { registerPack } from './commands/pack.js';
import { registerLab } from './commands/lab.js';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('faultline')
    .description('Jepsen-style consistency tester for PostgreSQL replication')
    .version(faultlineVersion())
    .exitOverride()
    .configureOutput({ outputError: (str, write) => write(`faultline: ${str.replace(/^error: /, '')}`) });
  registerCheck(program);
  registerProxy(program);
  registerCluster(program);
  registerRun(program);
  registerReport(program);
  registerRepair(program);
  registerPack(program);
  registerLab(program);
  for (const c of program.commands) c.exitOverride();
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.OK;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return EXIT.OK;
      return EXIT.USAGE;
    }
    if (err instanceof UserError) {
      process.stderr.write(`faultline: ${redactSecrets(err.message)}\n`);
      return err.exitCode;
    }
    const e = err as Error;
    process.stderr.write(`faultline: internal error: ${redactSecrets(e?.stack ?? String(err))}\n`);
    return EXIT.SOFTWARE;
  }
}

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`faultline: internal error: ${String(err)}\n`);
    process.exitCode = EXIT.SOFTWARE;
  },
);
