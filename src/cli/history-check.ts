// The history check `faultline report` and `faultline serve` give a run that wrote no results.json
// (interrupted, failed): the run directory judged as `faultline check RUN_DIR` judges it (its workload's suite
// over what it stored). Injected into the report, which runs no checkers itself.
import { join } from 'node:path';
import type { RunCheckers } from '../../checkers/suite.js';
import type { CheckResult } from '../../checkers/types.js';
import type { HistoryCheck } from '../report/ending.js';
import { RUN_FILES } from '../store/index.js';
import { checkOne } from './check.js';
import { DEFAULT_TIME_LIMIT_S } from './commands/check.js';

const isCheck = (v: unknown): v is CheckResult => typeof v === 'object' && v !== null && !Array.isArray(v) && 'valid' in v;

export async function checkRunHistory(runDir: string): Promise<HistoryCheck> {
  const o = await checkOne(join(runDir, RUN_FILES.history), { timeLimit: DEFAULT_TIME_LIMIT_S }, process.stdin);
  if ('error' in o) return { by: o.model !== undefined ? `model ${o.model}` : '?', valid: 'unknown', checkers: {}, error: o.error };
  const reason = o.reason !== undefined ? { reason: o.reason } : {};
  if ('suite' in o) return { by: `the ${o.workload} workload's checkers`, valid: o.valid, checkers: o.suite.checkers, ...reason };
  const checkers = Object.fromEntries(Object.entries(o.result).filter(([k, v]) => k !== 'valid' && isCheck(v))) as RunCheckers;
  return { by: `model ${o.model}`, valid: o.valid, checkers, ...reason };
}
