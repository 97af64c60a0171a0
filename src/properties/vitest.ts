// vitest glue: `propertyTest(name, spec)` declares a test that checks the property and fails with the shrunk
// counterexample (seed, plan, run directory, replay commands); `assertProperty` does the same inside a test.
import { expect, it } from 'vitest';
import { checkProperty, type PropertySpec } from './check.js';
import { PROPERTY_DEFAULTS, propertyEnv } from './env.js';
import { formatReport } from './format.js';
import type { PropertyReport } from './report.js';

/** Checks the property; throws an Error whose message is the failure report when it does not hold. */
export async function assertProperty(name: string, spec: PropertySpec): Promise<PropertyReport> {
  const report = await checkProperty(name, { testFile: currentTestFile(), ...spec });
  if (!report.holds) throw new Error(formatReport(report));
  return report;
}

/** Declares a vitest test for the property (its timeout sized from the runs, time and shrink budget). */
export function propertyTest(name: string, spec: PropertySpec & { timeoutMs?: number }): void {
  const { timeoutMs, ...rest } = spec;
  it(name, async () => {
    await assertProperty(name, rest);
  }, timeoutMs ?? propertyTimeoutMs(spec));
}

/** A generous budget, not a limit under test: every case and shrink candidate is a run of time + start-up + settle. */
export function propertyTimeoutMs(spec: Pick<PropertySpec, 'numRuns' | 'timeS' | 'maxShrinks' | 'endOnFailure'>): number {
  const env = propertyEnv();
  const runs = env.runs ?? spec.numRuns ?? PROPERTY_DEFAULTS.runs;
  const shrinks = spec.endOnFailure ? 0 : (env.shrinks ?? spec.maxShrinks ?? PROPERTY_DEFAULTS.shrinks);
  const timeS = env.timeS ?? spec.timeS ?? PROPERTY_DEFAULTS.timeS;
  return (runs + shrinks) * (timeS + 120) * 1000;
}

function currentTestFile(): string | undefined {
  const p = expect.getState().testPath;
  if (!p) return undefined;
  const rel = p.startsWith(`${process.cwd()}/`) ? p.slice(process.cwd().length + 1) : p;
  return rel;
}
