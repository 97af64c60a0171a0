// Run options from flags or experiment files: defaults, validation with clear messages.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readExperimentFile, toRunOptions } from '../../src/runner/options.js';
import { mergeSettings } from '../../src/runner/cli.js';
import { InputError, UsageError } from '../../src/util/exit.js';

describe('toRunOptions', () => {
  it('applies defaults and topology-dependent routing', () => {
    expect(toRunOptions({}, 'x').options).toMatchObject({ workload: 'set', topology: 'single', routing: 'fixed', nemesis: [] });
    const s = toRunOptions({ topology: 'streaming-sync', nemesis: 'failover,kill' }, 'x').options;
    expect(s.routing).toBe('primary');
    expect(s.syncCommit).toBe('on');
    expect(s.nemesis).toEqual(['failover', 'kill']);
  });
  it('rejects unknown settings, nemeses and bad values with the place', () => {
    expect(() => toRunOptions({ bogus: 1 }, 'exp.json experiment 1')).toThrow(/exp.json experiment 1: unknown setting "bogus"/);
    expect(() => toRunOptions({ nemesis: 'meteor' }, 'x')).toThrow(UsageError);
    expect(() => toRunOptions({ timeLimit: -3 }, 'x')).toThrow(/"timeLimit" expected a number of at least 1; got -3/);
    expect(() => toRunOptions({ nodes: 30 }, 'x')).toThrow(/"nodes" expected an integer from 1 to 26/);
    expect(() => toRunOptions({ nemesis: 'failover' }, 'x')).toThrow(/^x: nemesis failover is not supported on topology single: it has no standby to promote$/);
  });
  it("applies the cluster's own checks before anything starts, naming the experiment", () => {
    expect(() => toRunOptions({ topology: 'streaming-sync', nodes: 1 }, 'e.json experiment 2')).toThrow(/^e\.json experiment 2: topology streaming-sync needs at least 2 nodes$/);
    expect(() => toRunOptions({ topology: 'single', nodes: 2 }, 'x')).toThrow(/topology single has exactly 1 node/);
    expect(() => toRunOptions({ topology: 'streaming-async', syncCommit: 'on' }, 'x')).toThrow(/^x: --sync-commit applies to topology streaming-sync only$/);
    expect(() => toRunOptions({ topology: 'streaming-sync', syncStandbys: 'ANY 3' }, 'x')).toThrow(/k must be from 1 to 2/);
  });
  it('suggests the known setting or value a typo was close to', () => {
    expect(() => toRunOptions({ timelimit: 3 }, 'e.json experiment 1')).toThrow(/^e\.json experiment 1: unknown setting "timelimit" \(did you mean "timeLimit"\?\)$/);
    expect(() => toRunOptions({ nemesisIntervall: 3 }, 'e')).toThrow(/did you mean "nemesisInterval"/);
    expect(() => toRunOptions({ zzzzzz: 3 }, 'e')).toThrow(/unknown setting "zzzzzz" \(expected one of: workload, /);
    expect(() => toRunOptions({ topology: 'streaming-asyn' }, 'e')).toThrow(/did you mean "streaming-async"/);
    expect(() => toRunOptions({ nemesis: 'kil' }, 'e')).toThrow(/did you mean "kill"/);
  });
  it('names command-line settings as flags, with no prefix', () => {
    expect(() => toRunOptions({ nemesis: 'failover' }, '')).toThrow(/^nemesis failover is not supported on topology single/);
    expect(() => toRunOptions({ topology: 'single', nodes: 2 }, '')).toThrow(/^topology single has exactly 1 node$/);
    expect(() => toRunOptions({ timeLimit: -3 }, '')).toThrow(/^--time-limit expected a number of at least 1; got -3$/);
  });
  it('refuses more sites than nodes', () => {
    expect(() => toRunOptions({ topology: 'streaming-async', sites: 3, nodes: 2 }, '')).toThrow(/^--sites 3 needs at least 3 nodes \(one per site\); got 2$/);
    expect(toRunOptions({ topology: 'streaming-async', sites: 3, nodes: 3 }, '').options.sites).toBe(3);
  });
  it('accepts numbers given as strings (flags) or numbers (files)', () => {
    expect(toRunOptions({ concurrency: '7', timeLimit: 12 }, 'x').options).toMatchObject({ concurrency: 7, timeLimitS: 12 });
  });
});

describe('mergeSettings: flags and experiment files', () => {
  it('a flag given on the command line wins over the file, said once; defaults do not', () => {
    const said: string[] = [];
    const flags = { timeLimit: 15, rate: 200, workload: 'set' };
    const exps = [{ timeLimit: 20, topology: 'single' }, { timeLimit: 20, topology: 'streaming-async' }, { topology: 'streaming-sync' }];
    const merged = mergeSettings(flags, new Set(['timeLimit']), 'sync-cost.json', exps, (l) => said.push(l));
    expect(merged.map((m) => m.timeLimit)).toEqual([15, 15, 15]);
    expect(merged.map((m) => m.topology)).toEqual(['single', 'streaming-async', 'streaming-sync']);
    expect(said).toEqual(['faultline: --time-limit 15 overrides "timeLimit": 20 in sync-cost.json (2 of 3 experiments)']);
    // rate was a default: the file's value stands, nothing said
    const quiet: string[] = [];
    expect(mergeSettings(flags, new Set(), 'f.json', [{ rate: 0 }], (l) => quiet.push(l))[0]?.rate).toBe(0);
    expect(quiet).toEqual([]);
  });
});

describe('readExperimentFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-exp-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  it('reads an object or a list', () => {
    const f = join(dir, 'a.json');
    writeFileSync(f, JSON.stringify([{ workload: 'set' }, { workload: 'register' }]));
    expect(readExperimentFile(f)).toHaveLength(2);
  });
  it('names file:line for bad JSON', () => {
    const f = join(dir, 'b.json');
    writeFileSync(f, '{\n  "workload": "set",\n  oops\n}\n');
    try {
      readExperimentFile(f);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      expect((e as InputError).message).toMatch(/b\.json:3: expected JSON/);
    }
  });
});

describe('the shipped example files', () => {
  const examples = join(import.meta.dirname, '../../examples');
  for (const f of readdirSync(examples).filter((n) => n.endsWith('.json'))) {
    it(`${f}: every experiment is a valid run`, () => {
      const exps = readExperimentFile(join(examples, f));
      expect(exps.length).toBeGreaterThan(0);
      exps.forEach((e, i) => expect(() => toRunOptions(e, `${f} experiment ${i + 1}`)).not.toThrow());
    });
  }
});
