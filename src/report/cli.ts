// Implementations of `faultline report RUN_DIR` and `faultline serve`, loaded lazily by src/cli/commands/report.ts.
import { join } from 'node:path';
import { EXIT } from '../cli/exit.js';
import { writeReport } from './index.js';
import { startReportServer } from './serve.js';

/** Rebuild a run's report; malformed inputs throw InputError (65), a missing history UserError (66). */
export async function runReport(runDir: string): Promise<number> {
  const { files } = await writeReport(runDir, { strict: true });
  process.stdout.write(`${join(runDir, 'index.html')}\n`);
  process.stderr.write(`faultline: wrote ${files.join(', ')}\n`);
  return EXIT.OK;
}

export interface ServeOptions {
  port?: number;
  results: string;
}

/** Serve until SIGINT / SIGTERM; prints the URL on stdout first. */
export async function runServe(opts: ServeOptions): Promise<number> {
  const srv = await startReportServer(opts.results, opts.port ?? 0);
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
