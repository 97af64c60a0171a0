// `faultline report` and `faultline serve`: command-line definitions (options, help); the implementations
// (src/report/cli.ts) are imported lazily.
import { InvalidArgumentError, type Command } from 'commander';

/** Default results directory of `faultline serve` (the runner's default too). */
export const DEFAULT_RESULTS_DIR = 'results';

function parsePort(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || n < 0 || n > 65535) throw new InvalidArgumentError('expected a port number 0..65535 (0: any free port)');
  return n;
}

const REPORT_HELP = `
Writes into RUN_DIR: timeline.svg, latency.svg, rate.svg, replication.svg (from
metrics.jsonl), counter.svg (counter runs), linearizability.svg (invalid register
runs), cycle-1.svg … cycle-8.svg (transactional runs: each dependency cycle drawn,
with its explanation), timeline.html (interactive: hover an op for its full
event) and index.html (verdict, how the run ended, pictures inline, results as
tables, options).
A missing test.json, results.json or metrics.jsonl is noted on the page. A run
that wrote no results.json (interrupted, failed: see its status.json) has its
history checked as faultline check RUN_DIR would, and the page shows that verdict.

Exit status: 0 written   65 malformed input (file:line on stderr)
  66 no history.jsonl in RUN_DIR`;

const SERVE_HELP = `
Serves on 127.0.0.1 a table of every run under the results directory (newest
first) and each run's report and files; a run without index.html is rendered on
the fly. Prints the URL; stops on Ctrl-C.`;

export function registerReport(program: Command): void {
  program
    .command('report')
    .description("rebuild a run's HTML report and SVG pictures")
    .argument('<run-dir>', 'a run directory (results/<test>/<time>/, or results/latest)')
    .addHelpText('after', REPORT_HELP)
    .action(async (runDir: string) => {
      const { runReport } = await import('../../report/cli.js');
      const { checkRunHistory } = await import('../history-check.js');
      process.exitCode = await runReport(runDir, checkRunHistory);
    });
  program
    .command('serve')
    .description('browse the results directory in a web browser')
    .option('--port <port>', 'port to listen on (default: a free port, printed)', parsePort)
    .option('--results <dir>', 'results directory', DEFAULT_RESULTS_DIR)
    .addHelpText('after', SERVE_HELP)
    .action(async (opts: { port?: number; results: string }) => {
      const { runServe } = await import('../../report/cli.js');
      const { checkRunHistory } = await import('../history-check.js');
      process.exitCode = await runServe({ ...opts, check: checkRunHistory });
    });
}
