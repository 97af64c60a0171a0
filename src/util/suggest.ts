// "did you mean …": the known name closest to a mistyped one (Levenshtein distance via fastest-levenshtein),
// when it is close enough to be a typo rather than another word.
import { distance } from 'fastest-levenshtein';

/** The closest of `known` to `given` (case-insensitive), or null when none is within a third of its length (at least 1, at most 3 edits). */
export function closest(given: string, known: readonly string[]): string | null {
  const g = given.toLowerCase();
  const limit = Math.min(3, Math.max(1, Math.floor(given.length / 3)));
  let best: string | null = null;
  let bestD = Infinity;
  for (const k of known) {
    const d = distance(g, k.toLowerCase());
    if (d < bestD) {
      best = k;
      bestD = d;
    }
  }
  return bestD <= limit ? best : null;
}

/** ` (did you mean "timeLimit"?)`, or '' when nothing is close. */
export function didYouMean(given: string, known: readonly string[]): string {
  const c = closest(given, known);
  return c === null ? '' : ` (did you mean "${c}"?)`;
}
