// Test helper: a short real logical-bidir run through the runner; its stored run directory is judged again (as
// `faultline check RUN_DIR` does) and must reach the run's own verdict, checker by checker.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkReplication } from '../../checkers/replication.js';
import type { CheckResult } from '../../checkers/types.js';
import type { NemesisName } from '../../nemesis/index.js';
import { loadHistory } from '../../src/history/load.js';
import type { Json } from '../../src/history/types.js';
import { RUN_DEFAULTS, type RunOptions } from '../../src/runner/config.js';
import { probeFromRunDir, readMetrics } from '../../src/cluster/replication-probe.js';
import type { RunResults } from '../../src/store/index.js';
import { runTest } from '../../src/runner/run.js';
import { judgeStoredRun, storedSuite } from '../../src/runner/judge.js';
import { expect } from 'vitest';
import type { WorkloadName } from '../../workloads/index.js';

export interface LogicalRun {
  results: RunResults;
  /** the run's own replication verdict when the runner has one, else the offline one */
  replication: CheckResult;
  /** nemesis completions: f → values in order */
  nemesis: Record<string, Json[]>;
}

export async function runLogical(workload: WorkloadName, nemesis: NemesisName[], extra: Partial<RunOptions> = {}): Promise<LogicalRun> {
  const results = mkdtempSync(join(tmpdir(), 'faultline-logical-'));
  try {
    const out = await runTest({
      ...RUN_DEFAULTS,
      workload,
      topology: 'logical-bidir',
      nemesis,
      routing: 'fixed',
      timeLimitS: 6,
      concurrency: 4,
      rate: 200,
      settleS: 3,
      nemesisIntervalS: 2,
      resultsDir: results,
      report: false,
      progress: false,
      ...extra,
    });
    const { history } = await loadHistory(join(out.dir, 'history.jsonl'));
    const replication = out.results.checkers.replication ?? checkReplication(history, readMetrics(join(out.dir, 'metrics.jsonl')), probeFromRunDir(out.dir));
    // `faultline check RUN_DIR` judges the stored run (history, final.json, snapshot.json, replication.json,
    // metrics.jsonl) with the same suite: it must reach the run's own verdict, checker by checker
    const rejudged = await judgeStoredRun(out.dir, storedSuite(out.test)!, out.test);
    const verdicts = (c: RunResults['checkers']): Record<string, unknown> => Object.fromEntries(Object.entries(c).map(([k, r]) => [k, r?.valid]));
    expect(verdicts(rejudged.result.checkers)).toEqual(verdicts(out.results.checkers));
    const records: Record<string, Json[]> = {};
    for (const e of history.nemesis) if (e.type === 'info') (records[e.f] ??= []).push((e.value ?? { error: String(e.error) }) as Json);
    return { results: out.results, replication, nemesis: records };
  } finally {
    rmSync(results, { recursive: true, force: true });
  }
}

export interface Direction {
  direction: string;
  status: string;
  conflicts: Record<string, number>;
  applyErrors: number;
  conflictingKeys: { conflict: string; key: string | null }[];
}

export function directions(r: CheckResult): Direction[] {
  return ((r as { directions?: unknown }).directions ?? []) as Direction[];
}
