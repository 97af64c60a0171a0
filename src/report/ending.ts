// How a run ended, for the report and `faultline serve`: status.json's state in words, and the verdict a
// history check reached when the run never wrote results.json (interrupted, failed). Pure.
import type { RunCheckers } from '../../checkers/suite.js';
import type { Validity } from '../../checkers/types.js';
import type { RunResults, RunStatus } from '../store/index.js';

/** A verdict reached by checking a run's history after the fact (faultline report / serve on a run without results.json). */
export interface HistoryCheck {
  /** what judged it, in words: "the register workload's checkers", "model cas-register" */
  by: string;
  valid: Validity;
  reason?: string;
  /** the checkers' results (set, stats, …) */
  checkers: RunCheckers;
  /** or why the history could not be checked (no model, malformed…) */
  error?: string;
}

/** Finds the verdict of a run directory's history (injected by the command line: reports do not run checkers). */
export type HistoryChecker = (runDir: string) => Promise<HistoryCheck | null>;

/** The label a run's ending gets: checked, interrupted, could not start, failed, running, killed?, not checked. */
export type EndingLabel = RunStatus['state'] | 'killed?' | 'not checked';

export interface Ending {
  label: EndingLabel;
  /** one line for the page (empty for a checked run) */
  text: string;
}

/**
 * In words: how the run ended. `alive` tells whether a `running` run's pid still runs (null: unknown).
 * A run with results.json but no status.json (made before status.json existed) counts as checked.
 */
export function describeEnding(status: RunStatus | null, hasResults: boolean, alive: boolean | null): Ending {
  const after = status?.elapsedS !== undefined ? ` after ${status.elapsedS} s of the main phase` : '';
  if (!status) return hasResults ? { label: 'checked', text: '' } : { label: 'not checked', text: 'not checked: no results.json, and no status.json to say how the run ended' };
  switch (status.state) {
    case 'checked':
      return { label: 'checked', text: '' };
    case 'interrupted':
      return { label: 'interrupted', text: `interrupted${status.signal ? ` by ${status.signal}` : ''}${after}: the run wrote no results.json; its history so far is checkable` };
    case 'could not start':
      return { label: 'could not start', text: `could not start: ${status.error ?? 'unknown error'}` };
    case 'failed':
      return { label: 'failed', text: `failed${after}: ${status.error ?? 'unknown error'}; its history so far is checkable` };
    case 'running':
      if (hasResults) return { label: 'checked', text: '' };
      return alive === false
        ? { label: 'killed?', text: `ended without saying how (status.json still says running; its process ${status.pid ?? '?'} is gone: killed?)` }
        : { label: 'running', text: `running${status.pid ? ` (process ${status.pid})` : ''}` };
  }
}

/** A history check as the checkers part of results, so pictures can highlight what it found. */
export function checkAsResults(c: HistoryCheck): RunResults {
  return { valid: c.valid, checkers: c.checkers, summary: [] };
}
