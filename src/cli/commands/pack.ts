// `faultline pack RUN_DIR`: command-line definition; the implementation (../pack.ts) is imported lazily.
import type { Command } from 'commander';

const PACK_HELP = `
Writes one .tar.gz of a run directory for a bug report (default name
<test>-<timestamp>.tar.gz in the current directory), its entries under that name:
history.jsonl, test.json, results.json, status.json, final.json, metrics.jsonl, the
report (index.html, timeline.html, *.svg) and the node logs. Never packed: the
kept cluster (cluster/: data directories) or any directory holding PG_VERSION,
secret files (pgpass, cluster.json, keys and certificates), links, FIFOs.
Text files are redacted once more on the way (passwords in URLs, conninfo, JSON,
and the kept cluster's password). The archive's path is printed on stdout.

Exit status: 0 written   64 the archive exists already   66 not a run directory
  69 the archive could not be written`;

export function registerPack(program: Command): void {
  program
    .command('pack')
    .description('pack a run directory into one .tar.gz for a bug report (no data directories, no secrets)')
    .argument('<run-dir>', 'a run directory (results/<test>/<time>/, or results/latest)')
    .option('-o, --output <file>', 'the archive to write (default: ./<test>-<timestamp>.tar.gz)')
    .addHelpText('after', PACK_HELP)
    .action(async (runDir: string, opts: { output?: string }) => {
      const { runPack } = await import('../pack.js');
      process.exitCode = await runPack(runDir, opts);
    });
}
