// `faultline check` through the built CLI: exit status per verdict, malformed input (65, one line naming
// file:line), missing files (66), bad usage (64), several files / directories / stdin, and --json output.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECK_MODELS } from '../../checkers/index.js';
import { CHECK_MODEL_CHOICES } from '../../src/cli/commands/check.js';
import { ensureBuilt, faultline } from '../support/built-cli.js';
import { HistoryBuilder } from '../support/build-history.js';
import { randomPlan, simulate } from '../support/simulate.js';
import { makeWorkload } from '../../workloads/index.js';

const dir = mkdtempSync(join(tmpdir(), 'faultline-check-'));
const file = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

const validCounter = new HistoryBuilder().op(0, 'add', 2, undefined).op(1, 'read', null, 2).jsonl();
const invalidCounter = new HistoryBuilder().op(0, 'add', 2, undefined).op(1, 'read', null, 5).jsonl();

beforeAll(() => ensureBuilt(), 300_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('faultline check: verdicts', () => {
  it('exits 0 for a valid history, with one line naming file, model and ops', () => {
    const p = file('valid.jsonl', validCounter);
    const r = faultline(['check', '--model', 'counter', p]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`${p}: valid — model counter, 2 ops\n`);
    expect(r.stderr).toBe('');
  });

  it('exits 1 for an invalid history, with a short reason', () => {
    const p = file('invalid.jsonl', invalidCounter);
    const r = faultline(['check', '--model', 'counter', p]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe(`${p}: INVALID — model counter, 2 ops, counter: 1 read out of bounds; first: read at index 2 returned 5, expected 2..2\n`);
  });

  it('exits 2 when the time limit runs out before a verdict', () => {
    const events = simulate(randomPlan(7, { model: 'register', processes: 8, keys: 0, ops: 3000 }));
    const p = file('big-register.jsonl', events.map((e) => JSON.stringify(e)).join('\n'));
    const r = faultline(['check', '--model', 'register', '--time-limit', '0.000001', p]);
    expect(r.status).toBe(2);
    expect(r.stdout).toMatch(/: UNKNOWN — model register, \d+ ops, linearizable: time limit of 0\.000001 s reached\n$/);
  });

  it('checks sets, and --linearizable adds the WGL checker', () => {
    const set = new HistoryBuilder().op(0, 'add', 1, undefined).op(1, 'read', null, [1]).jsonl();
    const p = file('set.jsonl', set);
    const r = faultline(['check', '--model', 'set', '--linearizable', '--json', p]);
    expect(r.status).toBe(0);
    const o = JSON.parse(r.stdout) as Record<string, { valid: unknown }>;
    expect(Object.keys(o)).toEqual(expect.arrayContaining(['set', 'linearizable', 'stats']));
    expect(o.linearizable.valid).toBe(true);
  });
});

describe('faultline check --final: the final reads a run wrote beside its history', () => {
  const set = new HistoryBuilder().op(0, 'add', 1, undefined).op(1, 'add', 2, undefined).op(0, 'read', null, [1, 2]).jsonl();
  const run = join(dir, 'run');
  mkdirSync(run);
  const history = join(run, 'history.jsonl');
  writeFileSync(history, set);
  writeFileSync(join(run, 'final.json'), JSON.stringify({ reads: { n1: [1, 2], n2: [1] }, errors: {} }));

  it('without them the history alone is judged; auto reads final.json beside it and finds what n2 lost', () => {
    expect(faultline(['check', '--model', 'set', history]).status).toBe(0);
    const r = faultline(['check', '--model', 'set', '--final', 'auto', history]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(`(final reads: ${join(run, 'final.json')})`);
    const j = faultline(['check', '--model', 'set', '--json', '--final', join(run, 'final.json'), history]);
    expect((JSON.parse(j.stdout) as { final: string; valid: unknown }).valid).toBe(false);
    // a plain {node: value} object works too; auto without a final.json beside the history checks it alone
    const plain = file('plain-final.json', JSON.stringify({ n1: [1, 2] }));
    expect(faultline(['check', '--model', 'set', '--final', plain, history]).status).toBe(0);
    expect(faultline(['check', '--model', 'set', '--final', 'auto', file('alone.jsonl', set)]).status).toBe(0);
  });

  it('a run directory is checked as its history.jsonl (metrics.jsonl beside it is not a history)', () => {
    writeFileSync(join(run, 'metrics.jsonl'), '{"time":0,"node":"n1","role":"primary"}\n');
    const r = faultline(['check', '--model', 'set', '--final', 'auto', run]);
    expect(r.status).toBe(1);
    expect(r.stdout.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stdout).toContain(`${history}: INVALID`);
  });

  it('a malformed final file exits 65 naming it, a missing one 66', () => {
    const bad = file('bad-final.json', '{"reads": [1, 2]}');
    const r = faultline(['check', '--model', 'set', '--final', bad, history]);
    expect(r.status).toBe(65);
    expect(r.stderr).toContain(`${bad}:1: expected "reads" to be an object`);
    const broken = file('broken-final.json', '{\n  "n1": [1,\n');
    expect(faultline(['check', '--model', 'set', '--final', broken, history]).stderr).toContain(`${broken}:2: expected JSON`);
    expect(faultline(['check', '--model', 'set', '--final', join(dir, 'nope.json'), history]).status).toBe(66);
  });
});

describe('faultline check: malformed input exits 65 with one line naming file:line', () => {
  const inv = (i: number, p: number, f = 'read', extra = '') => `{"index":${i},"time":${i},"process":${p},"type":"invoke","f":"${f}"${extra}}`;
  const cases: Array<[string, string, number, string]> = [
    ['bad JSON', `${inv(0, 0)}\n{"index":1,\n`, 2, 'expected one JSON object per line; got invalid JSON'],
    ['a missing field', `${inv(0, 0)}\n{"index":1,"time":1,"process":0,"type":"ok"}`, 2, 'expected "f" to be a string; got nothing'],
    ['an ill-typed field', `{"index":0,"time":"soon","process":0,"type":"invoke","f":"read"}`, 1, 'expected "time" to be a non-negative integer'],
    ['a bad process', `{"index":0,"time":0,"process":1.5,"type":"invoke","f":"read"}`, 1, 'expected "process" to be an integer or "nemesis"; got 1.5'],
    ['an unknown type', `${inv(0, 0)}\n{"index":1,"time":1,"process":0,"type":"okay","f":"read"}`, 2, 'expected "type" to be one of invoke, ok, fail, info; got "okay"'],
    ['a completion without invoke', `{"index":0,"time":0,"process":3,"type":"ok","f":"read","value":0}`, 1, 'expected an invoke of process 3 before this ok'],
    ['a completion with another f', `${inv(0, 0, 'add', ',"value":1')}\n\n{"index":1,"time":1,"process":0,"type":"ok","f":"read","value":1}`, 3, 'expected "f" to be "add" like its invoke at line 1; got "read"'],
    ['a completion with another key', `${inv(0, 0, 'read', ',"key":1')}\n{"index":1,"time":1,"process":0,"type":"ok","f":"read","key":2,"value":0}`, 2, 'expected "key" to be 1 like its invoke at line 1; got 2'],
    ['an index that is not dense', `${inv(0, 0)}\n${inv(2, 1)}`, 2, 'expected "index" to be 1 (indices are dense from 0); got 2'],
    ['a value the model cannot use', `${inv(0, 0)}\n{"index":1,"time":1,"process":0,"type":"ok","f":"read","value":"abc"}`, 2, 'expected the "value" of an ok counter read to be a number; got "abc"'],
    ['an f the model does not have', `${inv(0, 0, 'write', ',"value":1')}`, 1, 'expected "f" of a counter op to be one of add, read; got "write"'],
  ];
  for (const [name, text, line, what] of cases) {
    it(name, () => {
      const p = file(`bad-${name.replace(/\W+/g, '-')}.jsonl`, text);
      const r = faultline(['check', '--model', 'counter', p]);
      expect(r.status).toBe(65);
      expect(r.stderr.endsWith('\n')).toBe(true);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr.startsWith(`faultline: ${p}:${line}: ${what}`)).toBe(true);
      expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/);
      expect(r.stdout).toBe('');
    });
  }

  it('a register history with an op the model cannot interpret', () => {
    const p = file('reg.jsonl', `${inv(0, 0, 'push', ',"value":1')}`);
    const r = faultline(['check', '--model', 'register', p]);
    expect(r.status).toBe(65);
    expect(r.stderr).toMatch(new RegExp(`^faultline: ${p}:1: expected an op the register model can interpret; got "push"`));
  });
});

describe('faultline check: files, usage', () => {
  it('exits 66 for a missing file', () => {
    const r = faultline(['check', '--model', 'counter', join(dir, 'absent.jsonl')]);
    expect(r.status).toBe(66);
    expect(r.stderr).toBe(`faultline: ${join(dir, 'absent.jsonl')}: no such file or directory\n`);
  });

  it.each([
    [['check', '--model', 'queue', 'x.jsonl'], /argument 'queue' is invalid/],
    [['check', '--model', 'counter', '--time-limit', 'soon', 'x.jsonl'], /--time-limit <seconds>' argument 'soon' is invalid/],
    [['check', '--model', 'counter', '--time-limit', '-1', 'x.jsonl'], /is invalid/],
    [['check', '--model', 'counter'], /missing required argument 'history'/],
    [['check', '--model', 'counter', '-', '-'], /- \(stdin\) can be given only once/],
  ])('exits 64 for bad usage: %j', (args, message) => {
    const r = faultline(args);
    expect(r.status).toBe(64);
    expect(r.stderr).toMatch(/^faultline: /);
    expect(r.stderr).toMatch(message);
  });

  it('without --model judges each run with its workload\'s suite, and is a usage error elsewhere', () => {
    const runs = fileURLToPath(new URL('../fixtures/runs', import.meta.url));
    const r = faultline(['check', '--json', runs]);
    expect(r.status).toBe(1);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { workload: string; model: string; valid: unknown });
    expect(lines.map((l) => [l.workload, l.model, l.valid])).toEqual([['counter-shared', 'counter', false], ['register', 'cas-register', false], ['set', 'set', true]]);
    const plain = file('no-run.jsonl', '');
    const bad = faultline(['check', plain]);
    expect(bad.status).toBe(64);
    expect(bad.stderr).toMatch(/no-run\.jsonl: no --model given, and no test\.json beside it to name its run/);
    // a workload faultline does not know (a property test's own) and no model: usage error
    const run = join(dir, 'run-custom');
    mkdirSync(run);
    writeFileSync(join(run, 'history.jsonl'), '');
    writeFileSync(join(run, 'test.json'), JSON.stringify({ workload: 'my-own' }));
    const none = faultline(['check', run]);
    expect(none.status).toBe(64);
    expect(none.stderr).toMatch(/workload "my-own" is not one faultline knows \(a property test's own\?\) and names no model; give --model/);
  });

  // issue 12 item 3: an upsert run recorded model "register", which its run never applied; the suite never does
  it('judges a run with its own workload\'s checkers, whatever model test.json names', () => {
    const run = join(dir, 'run-upsert');
    mkdirSync(run);
    // on logical-bidir each node takes its own writes: n2 reads its own write back, n1 then reads n1's older one
    const h = new HistoryBuilder();
    h.op(0, 'write', 1, undefined, 'ok', { key: 0, node: 'n1' }).op(1, 'write', 2, undefined, 'ok', { key: 0, node: 'n2' });
    h.op(1, 'read', null, 2, 'ok', { key: 0, node: 'n2' }).op(0, 'read', null, 1, 'ok', { key: 0, node: 'n1' });
    writeFileSync(join(run, 'history.jsonl'), h.jsonl());
    writeFileSync(join(run, 'test.json'), JSON.stringify({ workload: 'upsert', model: 'register', topology: 'logical-bidir', options: {} }));
    writeFileSync(join(run, 'final.json'), JSON.stringify({ reads: { n1: { '0': 2 }, n2: { '0': 2 } }, errors: {} }));
    writeFileSync(join(run, 'snapshot.json'), JSON.stringify({ tables: [{ table: 'faultline_upsert', nodes: { n1: { rows: 1, checksum: 'a' }, n2: { rows: 1, checksum: 'a' } }, agree: true, differing: [], differingTruncated: false }] }));
    writeFileSync(join(run, 'replication.json'), JSON.stringify({ probe: null, error: 'the probe failed: gone' }));
    const r = faultline(['check', '--json', run]);
    const o = JSON.parse(r.stdout) as { valid: unknown; checkers: Record<string, { valid: unknown; reason?: string }> };
    expect(Object.keys(o.checkers)).toEqual(['final-state', 'stats', 'retries', 'latency', 'convergence', 'replication']);
    expect(o.checkers['final-state']?.valid).toBe(true);
    expect(o.checkers.replication).toMatchObject({ valid: 'unknown', reason: 'no final probe (the probe failed: gone): only the samples were judged' });
    expect(r.status).toBe(2);
    // asked for explicitly, the model is applied (and this history is not a register's)
    expect(faultline(['check', '--model', 'register', run]).status).toBe(1);
    // a run of today's upsert workload records no model
    expect(makeWorkload('upsert').model).toBeUndefined();
  });

  it("names the run's own verdict when the stored inputs reach another, and the checkers that differ", () => {
    const run = join(dir, 'run-replication-broke');
    mkdirSync(run);
    writeFileSync(join(run, 'history.jsonl'), new HistoryBuilder().op(0, 'add', 1, undefined).op(1, 'read', null, [1]).jsonl());
    writeFileSync(join(run, 'test.json'), JSON.stringify({ workload: 'set', model: 'set', topology: 'logical-bidir', options: {} }));
    writeFileSync(join(run, 'results.json'), JSON.stringify({ valid: false, checkers: { set: { valid: true }, stats: { valid: true }, replication: { valid: false } }, summary: [] }));
    const r = faultline(['check', run]);
    expect(r.status).toBe(0); // no final.json: the checkers of the inputs stored after the final reads cannot judge
    expect(r.stdout).toMatch(
      /: valid — workload set on logical-bidir \(set, stats, retries, latency\), 2 ops; not judged: convergence \(the run ended before its final reads \(no final\.json, no snapshot\.json\)\), replication \(the run ended before its final reads \(no final\.json, no replication\.json\)\); results\.json says INVALID \(replication: judged otherwise from the stored inputs\)\n$/,
    );
    const j = JSON.parse(faultline(['check', '--json', run]).stdout) as { run?: unknown };
    expect(j.run).toEqual({ valid: false, checkers: ['replication'] });
    // with --model the line is the contract's, unchanged
    expect(faultline(['check', '--model', 'set', run]).stdout).toMatch(/: valid — model set, 2 ops\n$/);
  });

  it('documents formats, exit codes and the default time limit in --help', () => {
    const r = faultline(['check', '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/--time-limit <seconds>[^]*\(default:\s+60\)/);
    expect(r.stdout).toMatch(/65 malformed input/);
  });

  it('the help lists the models the registry knows', () => {
    expect([...CHECK_MODEL_CHOICES]).toEqual([...CHECK_MODELS]);
  });

  it('reads stdin: JSONL, or EDN when it starts like EDN', () => {
    const a = faultline(['check', '--model', 'counter', '-'], validCounter);
    expect([a.status, a.stdout]).toEqual([0, '-: valid — model counter, 2 ops\n']);
    const edn = '[{:type :invoke, :f :add, :value 1, :process 0, :time 1}\n {:type :ok, :f :add, :value 1, :process 0, :time 2}]';
    const b = faultline(['check', '--model', 'counter', '-'], edn);
    expect([b.status, b.stdout]).toEqual([0, '-: valid — model counter, 1 ops\n']);
    const c = faultline(['check', '--model', 'counter', '-'], '{"index": 0, "time": 0}\n');
    expect(c.status).toBe(65);
    expect(c.stderr).toMatch(/^faultline: stdin:1: expected "process"/);
  });

  it('several files and directories: one line each in argument order, highest status wins, bad files do not stop the rest', () => {
    const runs = join(dir, 'runs');
    mkdirSync(join(runs, 'r2'), { recursive: true });
    mkdirSync(join(runs, 'r1'), { recursive: true });
    writeFileSync(join(runs, 'r1', 'history.jsonl'), validCounter);
    writeFileSync(join(runs, 'r2', 'history.jsonl'), invalidCounter);
    const bad = file('multi-bad.jsonl', '{"index":0}');
    const good = file('multi-good.jsonl', validCounter);
    const r = faultline(['check', '--model', 'counter', bad, runs, join(dir, 'gone.jsonl'), good]);
    expect(r.status).toBe(66);
    expect(r.stdout.split('\n')).toEqual([
      `${join(runs, 'r1', 'history.jsonl')}: valid — model counter, 2 ops`,
      expect.stringMatching(new RegExp(`^${join(runs, 'r2', 'history.jsonl')}: INVALID`)),
      `${good}: valid — model counter, 2 ops`,
      '5 histories: 2 valid, 1 invalid, 0 unknown, 2 errors',
      '',
    ]);
    expect(r.stderr.split('\n')).toEqual([
      expect.stringMatching(new RegExp(`^faultline: ${bad}:1: expected "time"`)),
      `faultline: ${join(dir, 'gone.jsonl')}: no such file or directory`,
      '',
    ]);
    expect(faultline(['check', '--model', 'counter', bad, good]).status).toBe(65);
    expect(faultline(['check', '--model', 'counter', runs, good]).status).toBe(1);
  });

  it('--json prints one object per file with file, valid, model, ops, status and the failing details', () => {
    const v = file('j-valid.jsonl', validCounter);
    const i = file('j-invalid.jsonl', invalidCounter);
    const b = file('j-bad.jsonl', 'nope');
    const r = faultline(['check', '--model', 'counter', '--json', v, i, b]);
    expect(r.status).toBe(65);
    const lines = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatchObject({ file: v, model: 'counter', valid: true, status: 0, ops: 2 });
    expect(lines[1]).toMatchObject({
      file: i,
      valid: false,
      status: 1,
      ops: 2,
      counter: { valid: false, errors: [{ op: { index: 2, f: 'read', value: 5 }, value: 5, expected: [2, 2] }] },
      stats: { valid: true },
    });
    expect(lines[1].reason).toMatch(/^counter: 1 read out of bounds/);
    expect(lines[2]).toMatchObject({ file: b, status: 65, error: expect.stringMatching(/j-bad\.jsonl:1: expected one JSON object/) });
  });
});
