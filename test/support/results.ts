// Hand-made checker results for tests of the consumers (summary, table, predicates, report): only the fields a
// test cares about, typed as the results a run files (the real checkers' results have every field).
import type { RunCheckers } from '../../checkers/suite.js';

export function partialCheckers(checkers: Record<string, Record<string, unknown>>): RunCheckers {
  return checkers as unknown as RunCheckers;
}
