// Explanation apart from detection: a checker computes its result as data, then a separate explain function
// renders the words (reason, warnings) from that data; `explained` puts them on the result for results.json.
import type { CheckResult } from './types.js';

/** What a result says in words: why it is not valid, and what does not change the verdict. */
export interface Explanation {
  reason?: string | undefined;
  warnings?: string[];
}

/** The result with the words its explain function renders from it (absent fields stay absent). */
export function explained<R extends CheckResult>(r: R, explain: (r: R) => Explanation): R {
  const e = explain(r);
  if (e.reason !== undefined) r.reason = e.reason;
  else delete r.reason;
  if (e.warnings !== undefined && e.warnings.length > 0) r.warnings = e.warnings;
  else if (e.warnings !== undefined) delete r.warnings;
  return r;
}
