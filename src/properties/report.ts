// The outcome of checking one property: every case run (search and shrink), the shrunk counterexample,
// the fast-check seed and path to replay it.
import type { Scenario } from './arbitraries.js';
import type { Verdict } from './predicates.js';

/** One real run made for a generated (or shrunk) case. */
export interface CaseRun {
  /** 0-based, in the order run */
  index: number;
  /** "search": a generated case; "shrink": a smaller candidate tried after a failure */
  phase: 'search' | 'shrink';
  scenario: Scenario;
  /** its run directory (null when removed: passing runs are not kept unless FAULTLINE_KEEP=1) */
  dir: string | null;
  verdict: Verdict;
  durationMs: number;
}

export interface PropertyReport {
  /** the test's name */
  name: string;
  /** the property's name, e.g. "no acknowledged write is lost" */
  property: string;
  holds: boolean;
  /** fast-check seed and (on failure) the counterexample's path, to replay the search */
  seed: number;
  path: string | null;
  timeS: number;
  /** shrink steps fast-check accepted (each a smaller case that still failed) */
  numShrinks: number;
  runs: CaseRun[];
  /** the shrunk failing case (fast-check's counterexample) */
  counterexample: CaseRun | null;
  /** the first failing case, before shrinking */
  firstFailure: CaseRun | null;
  /** whether the counterexample's run directory got its HTML report */
  reportWritten: boolean;
  /** built-in workload: `faultline run --replay DIR` can rerun the counterexample (a custom one replays by seed) */
  replayable: boolean;
  /** the test file, for the replay hint */
  testFile?: string;
  /** the property could not be checked (bad settings, a run that crashed): not a counterexample */
  error: Error | null;
}
