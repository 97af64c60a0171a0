// The search machinery with a stand-in for runTest (no PostgreSQL): cases and shrink runs are recorded, the
// shrunk counterexample keeps its run directory and report, passing runs are removed, misuse and crashes abort.
import { partialCheckers } from '../support/results.js';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RunOptions, RunOutcome } from '../../src/runner/config.js';

const calls: RunOptions[] = [];
let crash = false;
/** the stubbed system loses writes whatever the faults */
let brokenAnyway = false;

vi.mock('../../src/runner/run.js', () => ({
  /** breaks (loses 5 writes) whenever a failover holds for at least 1 s */
  async runTest(o: RunOptions): Promise<RunOutcome> {
    calls.push(o);
    if (crash) throw new Error('cluster did not start');
    mkdirSync(o.resultsDir, { recursive: true });
    const dir = mkdtempSync(join(o.resultsDir, 'run-'));
    const lost = brokenAnyway || (o.plan ?? []).some((s) => s.nemesis === 'failover' && s.duration >= 1) ? 5 : 0;
    const set = { valid: lost === 0, acknowledged: 10, lost: { count: lost, items: [] } };
    return {
      dir,
      results: { valid: lost === 0, checkers: partialCheckers({ set }), summary: [] },
      test: { name: 'x', workload: 'set', topology: 'streaming-async', nemesis: o.nemesis, seed: o.seed ?? 0, startedAt: '', options: {}, faultlineVersion: '0' },
    };
  },
  async writeRunReport(dir: string): Promise<void> {
    writeFileSync(join(dir, 'index.html'), '<html></html>');
  },
}));

const { checkProperty, checkerValid, faultPlan, formatReport, noLostWrites, scenario } = await import('../../src/properties/index.js');
type Scenario = import('../../src/properties/index.js').Scenario;

const root = mkdtempSync(join(tmpdir(), 'faultline-check-'));
// these tests pin their own knobs: FAULTLINE_* set for an overnight search must not change them
const saved = Object.entries(process.env).filter(([k]) => k.startsWith('FAULTLINE_'));
beforeAll(() => {
  for (const [k] of saved) delete process.env[k];
});
afterAll(() => {
  for (const [k, v] of saved) process.env[k] = v;
  rmSync(root, { recursive: true, force: true });
});

const base = {
  experiment: { workload: 'set', topology: 'streaming-async' } as const,
  cases: scenario({ faults: faultPlan({ nemeses: ['kill', 'failover'], timeS: 6, maxSteps: 3 }) }),
  property: noLostWrites,
  numRuns: 30,
  maxShrinks: Number.POSITIVE_INFINITY,
  log: false as const,
};

describe('checkProperty (runTest stubbed)', () => {
  it('finds, shrinks, and keeps only the counterexample run with its report', async () => {
    calls.length = 0;
    const resultsDir = join(root, 'a');
    const r = await checkProperty('stub: failover loses writes', { ...base, resultsDir });
    expect(r.holds).toBe(false);
    expect(r.error).toBeNull();
    expect(r.counterexample?.scenario.plan).toEqual([{ at: 0, nemesis: 'failover', duration: 1 }]);
    expect(r.runs.length).toBe(calls.length);
    expect(r.runs.some((x) => x.phase === 'shrink')).toBe(true);
    expect(r.path).toMatch(/^\d+(:\d+)*$/);
    // the counterexample's directory stays (with its report); every other run's is removed
    const dir = r.counterexample?.dir ?? '';
    expect(existsSync(join(dir, 'index.html'))).toBe(true);
    expect(r.reportWritten).toBe(true);
    expect(readdirSync(join(resultsDir, 'properties')).filter((d) => d.startsWith('run-'))).toEqual([dir.split('/').pop()]);
    // each run was given the case's plan, its nemeses, the time and the case seed
    const last = calls[calls.length - 1];
    expect(last.timeLimitS).toBe(6);
    expect(new Set(last.nemesis)).toEqual(new Set((last.plan ?? []).map((s) => s.nemesis)));
  });

  it('replays the counterexample from its seed and path', async () => {
    const first = await checkProperty('stub', { ...base, resultsDir: join(root, 'b') });
    calls.length = 0;
    const again = await checkProperty('stub', { ...base, resultsDir: join(root, 'c'), seed: first.seed, path: first.path ?? undefined, endOnFailure: true });
    expect(calls.length).toBe(1);
    expect(again.counterexample?.scenario).toEqual(first.counterexample?.scenario);
  });

  it('bounds shrinking by maxShrinks, and endOnFailure skips it', async () => {
    calls.length = 0;
    const r = await checkProperty('stub', { ...base, resultsDir: join(root, 'd'), maxShrinks: 2 });
    expect(r.runs.filter((x) => x.phase === 'shrink').length).toBeLessThanOrEqual(2);
    const e = await checkProperty('stub', { ...base, resultsDir: join(root, 'e'), endOnFailure: true });
    expect(e.runs.filter((x) => x.phase === 'shrink')).toHaveLength(0);
    expect(e.holds).toBe(false);
  });

  it('drops the steps a failing plan does not need (fast-check mostly drops them from the front only)', async () => {
    calls.length = 0;
    const plan = [
      { at: 0, nemesis: 'kill', duration: 1 },
      { at: 1, nemesis: 'failover', duration: 2 },
      { at: 2, nemesis: 'kill', duration: 1 },
    ];
    const cases = fc.constant<Scenario>({ plan, seed: 7 }); // nothing for fast-check to shrink
    const r = await checkProperty('stub drops', { ...base, cases, numRuns: 1, resultsDir: join(root, 'i') });
    expect(r.counterexample?.scenario.plan).toEqual([{ at: 1, nemesis: 'failover', duration: 2 }]);
    expect(r.numShrinks).toBe(2);
    expect(r.firstFailure?.scenario.plan).toEqual(plan);
    // each removal is a real run: without the first kill (still fails); then without the failover (holds), and
    // without the second kill (fails); then without any fault (holds)
    expect(calls.map((c) => (c.plan ?? []).map((s) => s.nemesis).join(','))).toEqual(['kill,failover,kill', 'failover,kill', 'kill', 'failover', '']);
    const limited = await checkProperty('stub drops', { ...base, cases, numRuns: 1, maxShrinks: 1, resultsDir: join(root, 'j') });
    expect(limited.counterexample?.scenario.plan).toHaveLength(2);
  });

  it('ends with an empty plan when the property fails without any fault, and says so', async () => {
    brokenAnyway = true;
    try {
      const cases = fc.constant<Scenario>({ plan: [{ at: 1, nemesis: 'kill', duration: 1 }], seed: 7 });
      const r = await checkProperty('stub broken anyway', { ...base, cases, numRuns: 1, resultsDir: join(root, 'k') });
      expect(r.counterexample?.scenario.plan).toEqual([]);
      expect(formatReport(r)).toMatch(/= no faults\n\s+\(it fails without any fault: the faults were not needed\)/);
    } finally {
      brokenAnyway = false;
    }
  });

  it('holds when no case breaks it, removing every run directory', async () => {
    const resultsDir = join(root, 'f');
    const r = await checkProperty('stub holds', { ...base, cases: scenario({ faults: faultPlan({ nemeses: ['kill'], timeS: 6 }) }), numRuns: 4, resultsDir });
    expect(r.holds).toBe(true);
    expect(r.runs).toHaveLength(4);
    expect(r.runs.every((x) => x.dir === null)).toBe(true);
  });

  it('a property that does not apply, or a crashed run, is an error, not a counterexample', async () => {
    calls.length = 0;
    const m = await checkProperty('stub misuse', { ...base, property: checkerValid('linearizability'), resultsDir: join(root, 'g') });
    expect(m.holds).toBe(false);
    expect(m.counterexample).toBeNull();
    expect(m.error?.message).toMatch(/no "linearizability" checker/);
    expect(calls.length).toBe(1);
    crash = true;
    try {
      const c = await checkProperty('stub crash', { ...base, resultsDir: join(root, 'h') });
      expect(c.error?.message).toMatch(/run crashed .*cluster did not start/);
      expect(c.counterexample).toBeNull();
    } finally {
      crash = false;
    }
  });
});
