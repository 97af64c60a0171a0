// Properties over one run's results: noLostWrites, linearizable, countersWithinBounds, valid, checkerValid,
// allOf, and `property` for your own. A verdict "unknown" never counts as holding: it is reported, not hidden.
import { describeLost } from '../../checkers/set.js';
import { resultOf, type RunCheckers } from '../../checkers/suite.js';
import type { CheckResult } from '../../checkers/types.js';
import type { RunOutcome } from '../runner/config.js';

export interface Verdict {
  holds: boolean;
  /** why it fails (or a short note on why it holds) */
  reason: string;
}

/** A named predicate over a finished run (its results.json, test.json and directory). */
export interface RunProperty {
  name: string;
  judge(run: RunOutcome): Verdict;
}

/** The property does not apply to this run (e.g. noLostWrites on a workload none of whose checkers counts lost writes). */
export class PropertyMisuse extends Error {
  override readonly name = 'PropertyMisuse';
}

/** Your own property: a name and a judge returning a Verdict, or true / a string saying why it fails. */
export function property(name: string, judge: (run: RunOutcome) => Verdict | true | string): RunProperty {
  return {
    name,
    judge(run) {
      const v = judge(run);
      if (v === true) return { holds: true, reason: 'holds' };
      if (typeof v === 'string') return { holds: false, reason: v };
      return v;
    },
  };
}

function reasonOf(r: CheckResult): string {
  if (r.reason !== undefined) return r.reason;
  if (r.error !== undefined) return r.error;
  return r.valid === 'unknown' ? 'no verdict' : 'invalid';
}

/** The named checker's verdict is true. */
export function checkerValid(checker: string): RunProperty {
  return property(`${checker} checker valid`, (run) => {
    const r = run.results.checkers[checker];
    if (r === undefined) throw new PropertyMisuse(`${checker}: this run has no "${checker}" checker (it has ${Object.keys(run.results.checkers).join(', ')})`);
    if (r.valid === true) return true;
    return `${checker} ${r.valid === false ? 'invalid' : 'unknown'}: ${reasonOf(r)}`;
  });
}

/** Every checker of the run says valid (workload checkers, retries, convergence). */
export const valid: RunProperty = property('every checker valid', (run) =>
  run.results.valid === true ? true : `run ${run.results.valid === false ? 'invalid' : 'unknown'}: ${run.results.summary.join('; ')}`,
);

/** Reads are linearizable (the register workload's linearizability checker). */
export const linearizable: RunProperty = { ...checkerValid('linearizability'), name: 'reads are linearizable' };

/** Every counter read lies within the acknowledged bounds, and so does every node's final value. */
export const countersWithinBounds: RunProperty = { ...checkerValid('counter'), name: 'counters stay within bounds' };

/** What a checker that counts lost writes says: how many were lost, how many acknowledged, and which first. */
interface LostCount {
  name: string;
  lost: number;
  /** acknowledged writes (NaN when the checker does not count them) */
  acknowledged: number;
  /** the first lost one, in words (rendered from the checker's data) */
  first?: string;
}

/** Lost writes by the checkers that count them: the set checker's lost elements, the counter's final shortfall. */
function lostCounts(checkers: RunCheckers): LostCount[] {
  const out: LostCount[] = [];
  const set = resultOf(checkers, 'set');
  if (set) {
    const c: LostCount = { name: 'set', lost: set.lost.count, acknowledged: set.acknowledged };
    const first = set.lost.items[0];
    if (first) c.first = describeLost(first);
    out.push(c);
  }
  const counter = resultOf(checkers, 'counter');
  if (counter?.final) {
    const lost = (counter.anomalies ?? []).filter((a) => a.type === 'lost');
    const c: LostCount = { name: 'counter', lost: lost.reduce((n, a) => n + (typeof a.data?.by === 'number' ? a.data.by : 0), 0), acknowledged: Number.NaN };
    const first = lost[0];
    if (first) c.first = `first: ${first.nodes?.[0] ?? '?'} ended at ${String(first.data?.value)}, below ${String(first.data?.expected[0])}`;
    out.push(c);
  }
  return out;
}

/**
 * No acknowledged write is lost: every checker that counts lost writes (set-style, counter finals) counts none.
 * A run in which no write was acknowledged proves nothing and does not count as holding.
 */
export const noLostWrites: RunProperty = property('no acknowledged write is lost', (run) => {
  const counts = lostCounts(run.results.checkers);
  const found = counts
    .filter((c) => c.lost > 0)
    .map((c) => `${c.name}: ${c.lost} acknowledged write${c.lost === 1 ? '' : 's'} lost${c.first !== undefined ? ` (${c.first})` : ''}`);
  if (found.length > 0) return found.join('; ');
  const acknowledged = counts.reduce((n, c) => n + c.acknowledged, 0);
  if (counts.length > 0 && acknowledged === 0) return 'cannot tell: no write was acknowledged in this run';
  if (counts.length === 0) {
    const unknown = Object.entries(run.results.checkers).flatMap(([name, r]) => (r?.valid === 'unknown' && r.error !== undefined ? [`${name}: ${r.error}`] : []));
    if (unknown.length > 0) return `cannot tell: ${unknown.join('; ')}`;
    throw new PropertyMisuse(`noLostWrites: no checker of this run counts lost writes (checkers: ${Object.keys(run.results.checkers).join(', ')})`);
  }
  return true;
});

/** All of the properties hold; the first failing one names the reason. */
export function allOf(...props: RunProperty[]): RunProperty {
  return {
    name: props.map((p) => p.name).join(' and '),
    judge(run) {
      for (const p of props) {
        const v = p.judge(run);
        if (!v.holds) return { holds: false, reason: `${p.name}: ${v.reason}` };
      }
      return { holds: true, reason: 'holds' };
    },
  };
}
