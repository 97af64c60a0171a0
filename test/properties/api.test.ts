// Unit tests of the property-test API without PostgreSQL: plan arbitraries (bounds, shrinking to the smallest
// plan), case options, predicates over results, environment knobs and the failure report.
import { partialCheckers } from '../support/results.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CheckResult } from '../../checkers/types.js';
import {
  PropertyMisuse,
  allOf,
  caseOptions,
  countersWithinBounds,
  describePlan,
  faultPlan,
  formatReport,
  linearizable,
  noLostWrites,
  opMix,
  propertyEnv,
  scenario,
  targets,
  valid,
  type PropertyReport,
  type RunOutcome,
  type Scenario,
  type Workload,
} from '../../src/properties/index.js';

function outcome(given: Record<string, CheckResult & Record<string, unknown>>): RunOutcome {
  const v = Object.values(given).map((c) => c.valid);
  return {
    dir: '/tmp/run',
    results: { valid: v.includes(false) ? false : v.includes('unknown') ? 'unknown' : true, checkers: partialCheckers(given), summary: ['a summary'] },
    test: { name: 't', workload: 'set', topology: 'single', nemesis: [], seed: 1, startedAt: '', options: {}, faultlineVersion: '0' },
  };
}

describe('faultPlan', () => {
  it('plans fit in the run, are sorted, in tenths of a second, with the named nemeses', () => {
    fc.assert(
      fc.property(faultPlan({ nemeses: ['kill', 'pause'], timeS: 6, maxSteps: 4, maxDurationS: 3 }), (plan) => {
        expect(plan.length).toBeLessThanOrEqual(4);
        for (const [i, s] of plan.entries()) {
          expect(['kill', 'pause']).toContain(s.nemesis);
          expect(s.at).toBeGreaterThanOrEqual(0);
          expect(s.at).toBeLessThanOrEqual(5);
          expect(s.duration).toBeGreaterThanOrEqual(0.5);
          expect(s.duration).toBeLessThanOrEqual(3);
          expect(Math.round(s.at * 10) / 10).toBe(s.at);
          if (i > 0) expect(plan[i - 1].at).toBeLessThanOrEqual(s.at);
        }
      }),
      { seed: 7 },
    );
  });

  it('shrinks a failing plan to the smallest one that still fails', () => {
    // a stand-in for the database: it breaks whenever a failover holds for at least 1 s
    const broken = (plan: { nemesis: string; duration: number }[]): boolean => plan.some((s) => s.nemesis === 'failover' && s.duration >= 1);
    const out = fc.check(fc.property(faultPlan({ nemeses: ['kill', 'failover'], timeS: 10, maxSteps: 5 }), (plan) => !broken(plan)), { seed: 3 });
    expect(out.failed).toBe(true);
    expect(out.counterexample?.[0]).toEqual([{ at: 0, nemesis: 'failover', duration: 1 }]);
  });

  it('needs a nemesis', () => {
    expect(() => faultPlan({ nemeses: [] })).toThrow(/at least one nemesis/);
  });

  it('partition steps may each choose their links; shrinking goes to the first mode', () => {
    const plans = faultPlan({ nemeses: ['partition', 'kill'], timeS: 6, minSteps: 1, maxSteps: 4, partitionModes: ['isolate-one', 'site-split'] });
    fc.assert(
      fc.property(plans, (plan) => {
        for (const s of plan) {
          if (s.nemesis === 'partition') expect(['isolate-one', 'site-split']).toContain(s.mode);
          else expect(s.mode).toBeUndefined();
        }
      }),
      { seed: 5 },
    );
    const breaksOnSiteSplit = (plan: { nemesis: string; mode?: string }[]): boolean => plan.some((s) => s.mode === 'site-split');
    const out = fc.check(fc.property(plans, (plan) => !breaksOnSiteSplit(plan)), { seed: 3 });
    expect(out.failed).toBe(true);
    expect(out.counterexample?.[0]).toEqual([{ at: 0, nemesis: 'partition', duration: 0.5, mode: 'site-split' }]);
    expect(describePlan(out.counterexample![0])).toBe('partition(site-split) at 0 s for 0.5 s');
    // without partitionModes no step names one (the case's --partition applies)
    for (const plan of fc.sample(faultPlan({ nemeses: ['partition'], timeS: 6, minSteps: 1 }), { seed: 1, numRuns: 20 })) {
      for (const s of plan) expect(s).not.toHaveProperty('mode');
    }
  });
});

describe('scenario and caseOptions', () => {
  const cases = scenario({ faults: faultPlan({ nemeses: ['kill'], timeS: 6, minSteps: 1 }), targets: targets('primary'), ops: opMix({ readFraction: [0.2, 0.2], keys: [3, 3] }) });
  const sc: Scenario = fc.sample(cases, { seed: 1, numRuns: 1 })[0];
  const ctx = { experiment: { workload: 'register', topology: 'single' } as const, timeS: 6, resultsDir: '/tmp/r/properties', name: 'p' };

  it('a case carries its plan first, the drawn knobs, and a runner seed', () => {
    expect(Object.keys(sc)[0]).toBe('plan');
    expect(sc).toMatchObject({ targets: 'primary', readFraction: 0.2, keys: 3 });
    expect(Number.isInteger(sc.seed)).toBe(true);
    expect(sc).not.toHaveProperty('concurrency');
  });

  it('maps a case onto run options: plan, its nemeses, time, seed, quiet, no report', () => {
    const o = caseOptions(sc, ctx);
    expect(o.plan).toEqual(sc.plan);
    expect(o.nemesis).toEqual(['kill']);
    expect(o).toMatchObject({ workload: 'register', timeLimitS: 6, seed: sc.seed, progress: false, report: false, resultsDir: '/tmp/r/properties', name: 'p', targets: 'primary', keys: 3, readFraction: 0.2 });
  });

  it('passes the op mix to a custom workload factory', () => {
    let got: unknown;
    const factory = (opts: unknown): Workload => {
      got = opts;
      return { name: 'mine' } as Workload;
    };
    const o = caseOptions(sc, { ...ctx, experiment: { topology: 'single' }, workload: factory });
    expect(got).toEqual({ readFraction: 0.2, keys: 3 });
    expect(o.customWorkload?.name).toBe('mine');
  });

  it('rejects settings the runner owns and invalid experiments', () => {
    expect(() => caseOptions(sc, { ...ctx, experiment: { workload: 'set', timeLimit: 30 } })).toThrow(PropertyMisuse);
    const failover: Scenario = { plan: [{ at: 0, nemesis: 'failover', duration: 1 }], seed: 1 };
    expect(() => caseOptions(failover, ctx)).toThrow(/nemesis failover is not supported on topology/);
  });
});

describe('predicates', () => {
  it('noLostWrites reads set-style lost counts and counter finals', () => {
    expect(noLostWrites.judge(outcome({ set: { valid: true, acknowledged: 10, lost: { count: 0, items: [] } } })).holds).toBe(true);
    const missed = { index: null, completeIndex: null, node: 'n2', final: true };
    const lost = noLostWrites.judge(outcome({ set: { valid: false, acknowledged: 10, lost: { count: 3, items: [{ element: 7, firstMissedBy: missed }] }, reason: 'words nobody parses' } }));
    expect(lost).toEqual({ holds: false, reason: 'set: 3 acknowledged writes lost (first: 7, missed by the final read on n2)' });
    const counter = {
      valid: false,
      final: { n1: { value: 5, acknowledged: 7, possible: [7, 9], lost: 2, unexpected: 0 } },
      anomalies: [{ type: 'lost', ops: [], nodes: ['n1'], data: { value: 5, expected: [7, 9], by: 2, acknowledged: 7 } }],
    };
    expect(noLostWrites.judge(outcome({ counter })).reason).toBe('counter: 2 acknowledged writes lost (first: n1 ended at 5, below 7)');
  });

  it('noLostWrites does not hold vacuously, and refuses runs it cannot judge', () => {
    expect(noLostWrites.judge(outcome({ set: { valid: true, acknowledged: 0, lost: { count: 0, items: [] } } })).holds).toBe(false);
    expect(() => noLostWrites.judge(outcome({ linearizability: { valid: true } }))).toThrow(PropertyMisuse);
  });

  it('"unknown" never holds; allOf names the failing part', () => {
    expect(linearizable.judge(outcome({ linearizability: { valid: 'unknown', reason: 'time limit' } }))).toEqual({ holds: false, reason: 'linearizability unknown: time limit' });
    expect(countersWithinBounds.judge(outcome({ counter: { valid: true } })).holds).toBe(true);
    expect(() => countersWithinBounds.judge(outcome({ set: { valid: true } }))).toThrow(PropertyMisuse);
    const both = allOf(valid, linearizable).judge(outcome({ linearizability: { valid: false, reason: 'read 3 of key 1' } }));
    expect(both.holds).toBe(false);
    expect(both.reason).toMatch(/^every checker valid: run invalid/);
  });
});

describe('environment knobs', () => {
  it('reads FAULTLINE_* and rejects malformed values', () => {
    expect(propertyEnv({ FAULTLINE_RUNS: '50', FAULTLINE_TIME: '30', FAULTLINE_SEED: '7', FAULTLINE_PATH: '0:1', FAULTLINE_KEEP: '1' })).toEqual({ runs: 50, timeS: 30, seed: 7, path: '0:1', keep: true });
    expect(propertyEnv({})).toEqual({});
    expect(typeof propertyEnv({ FAULTLINE_SEED: 'random' }).seed).toBe('number');
    expect(() => propertyEnv({ FAULTLINE_RUNS: 'many' })).toThrow(/FAULTLINE_RUNS=many/);
    expect(() => propertyEnv({ FAULTLINE_TIME: '0' })).toThrow(/FAULTLINE_TIME/);
  });
});

describe('failure report', () => {
  it('prints the seed, the shrunk plan, the run directory and how to replay', () => {
    const plan = [{ at: 0, nemesis: 'failover', duration: 0.5 }];
    const run = { index: 2, phase: 'shrink' as const, scenario: { plan, seed: 9 }, dir: 'results/properties/p/1', verdict: { holds: false, reason: 'set: 3 acknowledged writes lost' }, durationMs: 9000 };
    const r: PropertyReport = {
      name: 'p',
      property: 'no acknowledged write is lost',
      holds: false,
      seed: 42,
      path: '0:0:0',
      timeS: 6,
      numShrinks: 2,
      runs: [{ ...run, index: 0, phase: 'search', scenario: { plan: [{ at: 3.3, nemesis: 'failover', duration: 0.9 }], seed: 9 } }, run],
      counterexample: run,
      firstFailure: null,
      reportWritten: true,
      replayable: true,
      testFile: 'test/properties/x.test.ts',
      error: null,
    };
    const text = formatReport(r);
    expect(text).toContain('fast-check seed 42, path 0:0:0');
    expect(text).toContain('shrunk schedule (plan): [{"at":0,"nemesis":"failover","duration":0.5}]');
    expect(text).toContain('run directory: results/properties/p/1 (report: results/properties/p/1/index.html)');
    expect(text).toContain('faultline run --replay results/properties/p/1');
    expect(text).toContain('FAULTLINE_SEED=42 FAULTLINE_PATH=0:0:0 FAULTLINE_TIME=6 npx vitest run test/properties/x.test.ts -t "p"');
    expect(describePlan(plan)).toBe('failover at 0 s for 0.5 s');
    expect(describePlan([])).toBe('no faults');
  });
});
