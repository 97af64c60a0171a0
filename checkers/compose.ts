// Runs several checkers on one history and merges their verdicts: false beats "unknown" beats true.
// A checker that throws yields {valid: "unknown", error} instead of crashing the run.
import type { CheckFailure, CheckResult, Checker, Validity } from './types.js';

/** Merge validities: any false → false; else any "unknown" → "unknown"; else true. */
export function mergeValidity(vs: Iterable<Validity>): Validity {
  let out: Validity = true;
  for (const v of vs) {
    if (v === false) return false;
    if (v === 'unknown') out = 'unknown';
  }
  return out;
}

/** Run one checker, turning an exception into an "unknown" verdict. */
export function runSafely<R extends CheckResult>(checker: Checker<R>, ...args: Parameters<Checker>): R | CheckFailure {
  try {
    const r = checker(...args);
    if (r === null || typeof r !== 'object' || (r.valid !== true && r.valid !== false && r.valid !== 'unknown')) {
      return { valid: 'unknown', error: `checker returned no verdict: ${JSON.stringify(r)}`, failed: true };
    }
    return r;
  } catch (err) {
    return { valid: 'unknown', error: err instanceof Error ? err.message : String(err), failed: true };
  }
}

/** The result of each named checker (or how it failed). */
export type ResultsOf<M extends Readonly<Record<string, Checker<CheckResult>>>> = { [K in keyof M]: ReturnType<M[K]> | CheckFailure };

/** Composed checkers' result, Jepsen-style: the merged verdict, and each checker's result under its name. */
export type Composed<R extends Record<string, CheckResult>> = { valid: Validity; reason?: string } & R;

/** Merged verdict and reason of named results: "name: reason" of the first (in order) whose verdict is the merged one. */
export function verdictOf(results: Readonly<Record<string, CheckResult>>): { valid: Validity; reason?: string } {
  const valid = mergeValidity(Object.values(results).map((r) => r.valid));
  if (valid === true) return { valid };
  const culprit = Object.entries(results).find(([, r]) => r.valid === valid);
  if (!culprit) return { valid };
  const [name, r] = culprit;
  const why = typeof r.reason === 'string' ? r.reason : typeof r.error === 'string' ? r.error : valid === false ? 'invalid' : 'unknown';
  return { valid, reason: `${name}: ${why}` };
}

/** Run named checkers; each result under its name (a checker that throws gives its CheckFailure there). */
export function runAll<M extends Readonly<Record<string, Checker<CheckResult>>>>(checkers: M, ...args: Parameters<Checker>): ResultsOf<M> {
  const results: Record<string, CheckResult> = {};
  for (const [name, checker] of Object.entries(checkers)) results[name] = runSafely(checker, ...args);
  return results as ResultsOf<M>;
}

/**
 * Compose named checkers into one. The result holds each checker's result under its name, the merged
 * `valid`, and `reason`: "name: reason" of the first checker (in the given order) that was not valid.
 */
export function compose<M extends Readonly<Record<string, Checker<CheckResult>>>>(checkers: M): Checker<Composed<ResultsOf<M>>> {
  return (history, ctx) => {
    const results = runAll(checkers, history, ctx);
    const v = verdictOf(results);
    const out = { valid: v.valid, ...results } as Composed<ResultsOf<M>>;
    if (v.reason !== undefined) out.reason = v.reason;
    return out;
  };
}
