// Properties over one run's results: noLostWrites, linearizable, countersWithinBounds, valid, checkerValid,
// allOf, and `property` for your own. A verdict "unknown" never counts as holding: it is reported, not hidden.
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
  if (typeof r.reason === 'string') return r.reason;
  if (typeof r.error === 'string') return r.error;
  return JSON.stringify(r).slice(0, 300);
}

/** The named checker's verdict is true. */
export function checkerValid(checker: string): RunProperty {
  return property(`${checker} checker valid`, (run) => {
    const r = run.results.checkers[checker];
    if (!r) throw new PropertyMisuse(`${checker}: this run has no "${checker}" checker (it has ${Object.keys(run.results.checkers).join(', ')})`);
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

/** Acknowledged writes lost, per checker: set-style `lost.count`, or the counter checker's final shortfall. */
function lostWrites(r: CheckResult): number | null {
  const lost = r.lost as { count?: unknown } | undefined;
  if (lost && typeof lost === 'object' && typeof lost.count === 'number') return lost.count;
  const final = r.final as Record<string, unknown> | undefined;
  if (final && typeof final === 'object' && Object.values(final).some((f) => f !== null && typeof f === 'object' && 'possible' in f)) {
    let sum = 0;
    const add = (f: unknown): void => {
      if (f !== null && typeof f === 'object' && typeof (f as { lost?: unknown }).lost === 'number') sum += (f as { lost: number }).lost;
    };
    for (const f of Object.values(final)) {
      if (f !== null && typeof f === 'object' && 'possible' in f) add(f);
      else if (f !== null && typeof f === 'object') Object.values(f).forEach(add);
    }
    return sum;
  }
  return null;
}

/** The checker's reason without its leading "N lost" (already said): "first: 471, missed by …". */
function detail(reason: unknown, n: number): string {
  if (typeof reason !== 'string') return '';
  const m = new RegExp(`^${n} lost \\((.*?)\\)(; .*)?$`).exec(reason);
  return m ? ` (${m[1]}${m[2] ?? ''})` : ` (${reason})`;
}

/**
 * No acknowledged write is lost: every checker that counts lost writes (set-style, counter finals) counts none.
 * A run in which no write was acknowledged proves nothing and does not count as holding.
 */
export const noLostWrites: RunProperty = property('no acknowledged write is lost', (run) => {
  const found: string[] = [];
  const unknown: string[] = [];
  let judged = 0;
  let acknowledged = 0;
  for (const [name, r] of Object.entries(run.results.checkers)) {
    const n = lostWrites(r);
    if (n === null) {
      if (r.valid === 'unknown' && typeof r.error === 'string') unknown.push(`${name}: ${r.error}`);
      continue;
    }
    judged++;
    if (typeof r.acknowledged === 'number') acknowledged += r.acknowledged;
    else acknowledged = Number.NaN;
    if (n > 0) found.push(`${name}: ${n} acknowledged write${n === 1 ? '' : 's'} lost${detail(r.reason, n)}`);
  }
  if (found.length > 0) return found.join('; ');
  if (judged > 0 && acknowledged === 0) return 'cannot tell: no write was acknowledged in this run';
  if (judged === 0 && unknown.length > 0) return `cannot tell: ${unknown.join('; ')}`;
  if (judged === 0) throw new PropertyMisuse(`noLostWrites: no checker of this run counts lost writes (checkers: ${Object.keys(run.results.checkers).join(', ')})`);
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
