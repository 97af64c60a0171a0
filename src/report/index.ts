// The report's entry point: writeReport(runDir) renders every picture and index.html into a run directory.
// Missing optional inputs become notes on the page, never errors (only a missing/malformed history throws).
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RUN_FILES } from '../store/index.js';
import { loadRun, type LoadOptions } from './load.js';
import { renderReport } from './report.js';

export { renderReport } from './report.js';

/** Relative paths of the run's raw files worth linking: history, test/results/metrics JSON, node logs. */
export async function rawFiles(runDir: string): Promise<string[]> {
  const out: string[] = [];
  const top = await readdir(runDir).catch(() => [] as string[]);
  for (const f of [RUN_FILES.history, RUN_FILES.test, RUN_FILES.results, RUN_FILES.metrics]) if (top.includes(f)) out.push(f);
  const logs = await readdir(join(runDir, RUN_FILES.nodeLogs)).catch(() => [] as string[]);
  for (const l of logs.sort()) out.push(`${RUN_FILES.nodeLogs}/${l}`);
  return out;
}

/** Render a run directory's report in memory (for `faultline serve` when index.html was never written). */
export async function buildReport(runDir: string, opts: LoadOptions = {}): Promise<Map<string, string>> {
  const run = await loadRun(runDir, opts);
  return renderReport(run, { rawFiles: await rawFiles(runDir) }).files;
}

/** Render the report of a run directory and write its files there; returns the names written. */
export async function writeReport(runDir: string, opts: LoadOptions = {}): Promise<{ files: string[] }> {
  const files = await buildReport(runDir, opts);
  for (const [name, text] of files) await writeFile(join(runDir, name), text);
  return { files: [...files.keys()] };
}
