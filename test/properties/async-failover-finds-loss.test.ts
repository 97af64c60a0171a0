// Example property (3), expected to FAIL: streaming-async over two sites (50 ms WAN) under failover loses the
// writes the old primary acknowledged while cut off. The test asserts fast-check finds a counterexample and
// shrinks it (bounded), and that its run directory stores the shrunk plan for `faultline run --replay`.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { readReplay } from '../../src/runner/cli.js';
import { checkProperty, faultPlan, formatReport, noLostWrites, propertyEnv, propertyTimeoutMs, scenario, type FaultStep } from '../../src/properties/index.js';

const results = process.env.FAULTLINE_RESULTS ?? mkdtempSync(join(tmpdir(), 'faultline-props-'));
afterAll(() => {
  if (!process.env.FAULTLINE_RESULTS) rmSync(results, { recursive: true, force: true });
});

/** How big a plan is: steps first, then how late and how long its faults are (what shrinking reduces). */
const size = (plan: FaultStep[]): number[] => [plan.length, plan.reduce((s, x) => s + x.at + x.duration, 0)];

const spec = {
  experiment: { workload: 'set', topology: 'streaming-async', nodes: 3, sites: 2, wanLatency: 50, rate: 200, concurrency: 5, settle: 20 },
  cases: scenario({ faults: faultPlan({ nemeses: ['failover'], minSteps: 1, maxSteps: 2 }) }),
  property: noLostWrites,
  maxShrinks: 3,
  resultsDir: results,
  testFile: relative(process.cwd(), fileURLToPath(import.meta.url)),
} as const;

describe('property: streaming-async + failover (expected to fail)', () => {
  it('fast-check finds and shrinks a lost acknowledged write', async () => {
    const report = await checkProperty('streaming-async + failover: no acknowledged write is lost', spec);
    process.stderr.write(`${formatReport(report)}\n`);
    expect(report.error).toBeNull();
    expect(report.holds).toBe(false);
    const c = report.counterexample;
    const first = report.firstFailure;
    expect(c).not.toBeNull();
    expect(first).not.toBeNull();
    if (!c || !first) return;
    expect(c.verdict.reason).toMatch(/acknowledged writes? lost/);
    expect(c.scenario.plan.some((s) => s.nemesis === 'failover')).toBe(true);
    // shrinking ran (bounded) unless the first failure was already the smallest plan, and kept nothing bigger
    const budget = propertyEnv().shrinks ?? spec.maxShrinks;
    const smallest = first.scenario.plan.length === 1 && first.scenario.plan[0].at === 0 && first.scenario.plan[0].duration === 0.5;
    if (budget > 0 && !smallest && !propertyEnv().path) expect(report.runs.filter((r) => r.phase === 'shrink').length).toBeGreaterThan(0);
    const [a, b] = [size(c.scenario.plan), size(first.scenario.plan)];
    expect(a[0] < b[0] || (a[0] === b[0] && a[1] <= b[1])).toBe(true);
    if (report.numShrinks > 0) expect(a[0] < b[0] || a[1] < b[1]).toBe(true);
    // the counterexample's run directory replays: test.json holds its plan and seed
    expect(c.dir).not.toBeNull();
    if (!c.dir) return;
    expect(existsSync(c.dir)).toBe(true);
    const replay = readReplay(c.dir);
    expect(replay.plan).toEqual(c.scenario.plan);
    expect(replay.seed).toBe(c.scenario.seed);
  }, propertyTimeoutMs(spec));
});
