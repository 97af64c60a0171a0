// The history check `faultline report` and `faultline serve` give a run that wrote no results.json
// (interrupted, failed): its history.jsonl judged as `faultline check RUN_DIR` judges it (model from test.json,
// final reads when final.json is there). Injected into the report, which runs no checkers itself.
import { join } from 'node:path';
import type { CheckResult } from '../../checkers/types.js';
import type { HistoryCheck } from '../report/ending.js';
import { RUN_FILES } from '../runner/results.js';
import { checkOne } from './check.js';
import { DEFAULT_TIME_LIMIT_S } from './commands/check.js';

const isCheck = (v: unknown): v is CheckResult => typeof v === 'object' && v !== null && !Array.isArray(v) && 'valid' in v;

export async function checkRunHistory(runDir: string): Promise<HistoryCheck> {
  const o = await checkOne(join(runDir, RUN_FILES.history), { timeLimit: DEFAULT_TIME_LIMIT_S }, process.stdin);
  if ('error' in o) return { model: o.model ?? '?', valid: 'unknown', checkers: {}, error: o.error };
  const checkers = Object.fromEntries(Object.entries(o.result).filter(([k, v]) => k !== 'valid' && isCheck(v))) as Record<string, CheckResult>;
  return { model: o.model, valid: o.valid, checkers, ...(o.reason !== undefined ? { reason: o.reason } : {}) };
}
