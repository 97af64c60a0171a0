// Human-readable text for property runs: a fault plan in one line, one line per case, and the failure report
// (seed, shrunk plan, run directory, how to replay it).
import { join } from 'node:path';
import type { FaultStep } from '../../nemesis/schedule.js';
import type { CaseRun, PropertyReport } from './report.js';

const s1 = (x: number): string => `${Number(x.toFixed(1))} s`;

/** "failover at 0 s for 0.5 s; partition(halves) at 2.3 s for 1 s", or "no faults". */
export function describePlan(plan: readonly FaultStep[]): string {
  if (plan.length === 0) return 'no faults';
  const what = (s: FaultStep): string => (s.mode ? `${s.nemesis}(${s.mode})` : s.nemesis);
  return plan.map((s) => `${what(s)} at ${s1(s.at)} for ${s1(s.duration)}`).join('; ');
}

/** The case's knobs other than the plan, e.g. "targets=primary concurrency=3 seed=123". */
export function describeKnobs(c: CaseRun): string {
  const { plan: _plan, ...rest } = c.scenario;
  return Object.entries(rest)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
}

export function formatCase(c: CaseRun): string {
  const verdict = c.verdict.holds ? 'holds' : `FAILS: ${c.verdict.reason}`;
  return `case ${c.index + 1} (${c.phase}): ${describePlan(c.scenario.plan)} [${describeKnobs(c)}] → ${verdict} (${(c.durationMs / 1000).toFixed(1)} s${c.dir ? `, ${c.dir}` : ''})`;
}

/** The report printed when a property fails (or errors): everything needed to look at it and replay it. */
export function formatReport(r: PropertyReport): string {
  const lines: string[] = [];
  const tried = `${r.runs.filter((c) => c.phase === 'search').length} case(s) and ${r.runs.filter((c) => c.phase === 'shrink').length} shrink run(s)`;
  if (r.error) {
    lines.push(`Property "${r.name}" could not be checked: ${r.error.message}`);
    lines.push(`  after ${tried}; fast-check seed ${r.seed}`);
    return lines.join('\n');
  }
  if (r.holds || !r.counterexample) {
    lines.push(`Property "${r.name}" holds: ${r.property} (${tried}; fast-check seed ${r.seed}, ${r.timeS} s per run)`);
    return lines.join('\n');
  }
  const c = r.counterexample;
  lines.push(`Property "${r.name}" failed: ${r.property}`);
  lines.push(`  found after ${tried} (${r.numShrinks} accepted); fast-check seed ${r.seed}${r.path ? `, path ${r.path}` : ''}; ${r.timeS} s per run`);
  lines.push(`  shrunk schedule (plan): ${JSON.stringify(c.scenario.plan)}`);
  lines.push(`    = ${describePlan(c.scenario.plan)}`);
  if (c.scenario.plan.length === 0 && (r.firstFailure?.scenario.plan.length ?? 0) > 0) lines.push('    (it fails without any fault: the faults were not needed)');
  lines.push(`  case: ${describeKnobs(c)}`);
  lines.push(`  why: ${c.verdict.reason}`);
  if (c.dir) {
    lines.push(`  run directory: ${c.dir}${r.reportWritten ? ` (report: ${join(c.dir, 'index.html')})` : ''}`);
    if (r.replayable) lines.push(`  replay the run: faultline run --replay ${c.dir}`);
    else lines.push('  (a custom workload: `faultline run --replay` cannot rebuild it; replay the search below)');
  }
  const env = `FAULTLINE_SEED=${r.seed}${r.path ? ` FAULTLINE_PATH=${r.path}` : ''} FAULTLINE_TIME=${r.timeS}`;
  lines.push(`  replay the search: ${env} npx vitest run${r.testFile ? ` ${r.testFile}` : ''} -t ${JSON.stringify(r.name)}`);
  if (r.firstFailure && r.firstFailure !== c) lines.push(`  first failing plan (before shrinking): ${describePlan(r.firstFailure.scenario.plan)}`);
  return lines.join('\n');
}
