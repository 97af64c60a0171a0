// Runs several checkers on one history and merges their verdicts: false beats "unknown" beats true.
// A checker that throws yields {valid: "unknown", error} instead of crashing the run.
import type { CheckResult, Checker, Validity } from './types.js';

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
export function runSafely(checker: Checker, ...args: Parameters<Checker>): CheckResult {
  try {
    const r = checker(...args);
    if (r === null || typeof r !== 'object' || (r.valid !== true && r.valid !== false && r.valid !== 'unknown')) {
      return { valid: 'unknown', error: `checker returned no verdict: ${JSON.stringify(r)}` };
    }
    return r;
  } catch (err) {
    return { valid: 'unknown', error: err instanceof Error ? err.message : String(err) };
  }
}

/**
 * Compose named checkers into one. The result holds each checker's result under its name, the merged
 * `valid`, and `reason`: "name: reason" of the first checker (in the given order) that was not valid.
 */
export function compose(checkers: Readonly<Record<string, Checker>>): Checker {
  return (history, ctx) => {
    const results: Record<string, CheckResult> = {};
    for (const [name, checker] of Object.entries(checkers)) results[name] = runSafely(checker, history, ctx);
    const valid = mergeValidity(Object.values(results).map((r) => r.valid));
    const out: CheckResult = { valid, ...results };
    if (valid !== true) {
      const culprit = Object.entries(results).find(([, r]) => r.valid === valid);
      if (culprit) {
        const [name, r] = culprit;
        const why = typeof r.reason === 'string' ? r.reason : typeof r.error === 'string' ? r.error : valid === false ? 'invalid' : 'unknown';
        out.reason = `${name}: ${why}`;
      }
    }
    return out;
  };
}
