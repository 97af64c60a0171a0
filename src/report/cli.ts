// Implementations of `faultline report RUN_DIR` and `faultline serve`, loaded lazily by src/cli/commands/report.ts.
import { join } from 'node:path';
import { EXIT } from '../util/exit.js';
import type { HistoryChecker } from './ending.js';
import { writeReport } from './index.js';
import { startReportServer } from './serve.js';

/**
 * Rebuild a run's report; malformed inputs throw InputError (65), a missing history UserError (66). A run
 * without results.json (interrupted, failed) has its history checked by `check` and shows that verdict.
 */
export async function runReport(runDir: string, check?: HistoryChecker): Promise<number> {
  const { files } = await writeReport(runDir, { strict: true, ...(check ? { check } : {}) });
  process.stdout.write(`${join(runDir, 'index.html')}\n`);
  process.stderr.write(`faultline: wrote ${files.join(', ')}\n`);
  return EXIT.OK;
}

export interface ServeOptions {
  port?: number;
  results: string;
  /** checks the history of runs without results.json, for their pages */
  check?: HistoryChecker;
}

/** Serve until SIGINT / SIGTERM; prints the URL on stdout first. */
export async function runServe(opts: ServeOptions): Promise<number> {
  const srv = await startReportServer(opts.results, opts.port ?? 0, opts.check);
  process.stdout.write(`faultline serve: ${srv.url} (results: ${opts.results})\n`);
  await new Promise<void>((done) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      done();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  srv.server.closeAllConnections();
  await srv.close();
  return EXIT.OK;
}
