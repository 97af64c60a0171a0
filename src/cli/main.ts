// The `faultline` command line: parses arguments with commander and lazily loads one subcommand.
// Subcommand definitions live in ./commands/*; implementations are imported only when run (fast start-up).
import { Command, CommanderError } from 'commander';
import { EXIT, UserError } from '../util/exit.js';
import { faultlineVersion } from '../util/version.js';
import { redactSecrets } from '../util/redact.js';

type Register = (program: Command) => void;

/**
 * Each subcommand module, by the command names it adds. Only the invoked one is loaded: `run`'s option table pulls in
 * every topology (HA stacks included), which `check` does not need. Help, --version or an unknown name load them all.
 */
const COMMANDS: ReadonlyArray<{ names: readonly string[]; load: () => Promise<Register> }> = [
  { names: ['check'], load: async () => (await import('./commands/check.js')).registerCheck },
  { names: ['proxy'], load: async () => (await import('./commands/proxy.js')).registerProxy },
  { names: ['cluster'], load: async () => (await import('./commands/cluster.js')).registerCluster },
  { names: ['run', 'experiment'], load: async () => (await import('./commands/run.js')).registerRun },
  { names: ['report', 'serve'], load: async () => (await import('./commands/report.js')).registerReport },
  { names: ['repair'], load: async () => (await import('./commands/repair.js')).registerRepair },
  { names: ['pack'], load: async () => (await import('./commands/pack.js')).registerPack },
  { names: ['lab', 'hosts'], load: async () => (await import('./commands/lab.js')).registerLab },
];

/** The program with the subcommand argv names (argv[2]) registered, or every subcommand when it names none of them. */
export async function buildProgram(argv: readonly string[] = []): Promise<Command> {
  const program = new Command();
  program
    .name('faultline')
    .description('Jepsen-style consistency tester for PostgreSQL replication')
    .version(faultlineVersion())
    .exitOverride()
    .configureOutput({ outputError: (str, write) => write(`faultline: ${str.replace(/^error: /, '')}`) });
  const named = argv[2];
  const one = COMMANDS.find((c) => named !== undefined && c.names.includes(named));
  for (const c of one ? [one] : COMMANDS) (await c.load())(program);
  for (const c of program.commands) c.exitOverride();
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = await buildProgram(argv);
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

// A reader that goes away (`faultline check … | head`) ends the output, not the command with a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : EXIT.OK);
    throw err;
  });
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
