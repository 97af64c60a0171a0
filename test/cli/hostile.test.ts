// `faultline check` on the hostile inputs of issue 12 (items 4, 8, 9, 10), through the built CLI: each
// reproduction from the issue now ends in a documented exit status with one line on stderr, or a warning.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, ensureBuilt, faultline } from '../support/built-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'faultline-hostile-cli-'));
const file = (name: string, text: string | Buffer): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
beforeAll(() => ensureBuilt(), 300_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ev = (index: number, process: number, type: string, f: string, value: string, extra = '') =>
  `{"index":${index},"time":${index},"process":${process},"type":"${type}","f":"${f}","value":${value}${extra}}`;

/** One line on stderr, starting `faultline: FILE:LINE: WHAT`, no stack. */
function expectOneLine(stderr: string, start: string): void {
  expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(stderr.startsWith(`faultline: ${start}`)).toBe(true);
  expect(stderr).not.toMatch(/\bat .*\.js:\d+/);
}

describe('item 4: integers beyond 2^53', () => {
  it('a register that wrote 2^53 + 1 and read 2^53: 65, not valid', () => {
    const p = file('big-register.jsonl', [ev(0, 0, 'invoke', 'write', '9007199254740993'), ev(1, 0, 'ok', 'write', '9007199254740993'), ev(2, 1, 'invoke', 'read', 'null'), ev(3, 1, 'ok', 'read', '9007199254740992')].join('\n'));
    const r = faultline(['check', '--model', 'register', p]);
    expect(r.status).toBe(65);
    expectOneLine(r.stderr, `${p}:1: expected a number a double holds exactly; got 9007199254740993, which would be read as 9007199254740992`);
  });

  it('a set whose add of 2^53 + 1 was never read: 65, not valid (EDN too)', () => {
    const p = file('big-set.jsonl', [ev(0, 0, 'invoke', 'add', '9007199254740993'), ev(1, 0, 'ok', 'add', '9007199254740993'), ev(2, 1, 'invoke', 'read', 'null'), ev(3, 1, 'ok', 'read', '[9007199254740992]')].join('\n'));
    expect(faultline(['check', '--model', 'set', p]).status).toBe(65);
    const e = file('big-set.edn', '[{:process 0 :type :invoke :f :add :value 9007199254740993}\n{:process 0 :type :ok :f :add :value 9007199254740993}\n{:process 1 :type :invoke :f :read}\n{:process 1 :type :ok :f :read :value #{9007199254740992}}]');
    const r = faultline(['check', '--model', 'set', e]);
    expect(r.status).toBe(65);
    expectOneLine(r.stderr, `${e}:1: expected a number a double holds exactly`);
  });
});

describe('item 8: deep nesting', () => {
  const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
  it('EDN at 2,516 levels, a JSONL value at 3,081, an index at 4,107, a deep register value: 65 in one line', () => {
    const cases: Array<[string, string, string]> = [
      ['deep.edn', `[{:process 0 :type :invoke :f :write :value ${deep(2516).replaceAll('][', '] [')}}]`, 'register'],
      ['deep-value.jsonl', ev(0, 0, 'invoke', 'add', deep(3081)), 'set'],
      ['deep-index.jsonl', `{"index":${deep(4107)},"time":0,"process":0,"type":"invoke","f":"read"}`, 'register'],
      ['deep-register.jsonl', [ev(0, 0, 'invoke', 'write', deep(3000)), ev(1, 0, 'ok', 'write', deep(3000))].join('\n'), 'register'],
    ];
    for (const [name, text, model] of cases) {
      const p = file(name, text);
      const r = faultline(['check', '--model', model, p]);
      expect(r.status, name).toBe(65);
      expectOneLine(r.stderr, `${p}:1: expected`);
    }
  });
});

describe('item 9: no endless input', () => {
  it('a FIFO, /dev/zero as .jsonl and as .edn: 66 at once', () => {
    const fifo = join(dir, 'fifo.jsonl');
    execFileSync('mkfifo', [fifo]);
    symlinkSync('/dev/zero', join(dir, 'zero.jsonl'));
    symlinkSync('/dev/zero', join(dir, 'zero.edn'));
    for (const f of [fifo, join(dir, 'zero.jsonl'), join(dir, 'zero.edn')]) {
      const r = faultline(['check', '--model', 'register', f]);
      expect(r.status).toBe(66);
      expectOneLine(r.stderr, `${f}: expected a regular file; got `);
    }
  });

  it('a line beyond --max-line: 65 naming the limit and how to raise it; raising it reads the line', () => {
    const p = file('long.jsonl', [ev(0, 0, 'invoke', 'write', `"${'x'.repeat(1_200_000)}"`), ev(1, 0, 'ok', 'write', '1')].join('\n'));
    const r = faultline(['check', '--model', 'register', '--max-line', '1', p]);
    expect(r.status).toBe(65);
    expectOneLine(r.stderr, `${p}:1: expected a line of at most 1 MiB (the --max-line limit); got a longer one (raise it with --max-line 2)`);
    expect(faultline(['check', '--model', 'register', '--max-line', '2', p]).status).toBe(0);
  });
});

describe('item 10: consistent acceptance, repairs are warnings', () => {
  const jsonl = [ev(0, 0, 'invoke', 'write', '1'), ev(1, 0, 'ok', 'write', '1'), ev(2, 1, 'invoke', 'read', 'null'), ev(3, 1, 'ok', 'read', '1')].join('\n');
  const edn = '[{:process 0 :type :invoke :f :write :value 1}\n{:process 0 :type :ok :f :write :value 1}\n{:process 1 :type :invoke :f :read}\n{:process 1 :type :ok :f :read :value 1}]';

  it('a BOM: accepted in EDN as in JSONL', () => {
    expect(faultline(['check', '--model', 'register', file('bom.jsonl', `\ufeff${jsonl}`)]).status).toBe(0);
    const r = faultline(['check', '--model', 'register', file('bom.edn', `\ufeff${edn}`)]);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
  });

  it('negative time: 65; time going backwards: valid with a warning on stderr (and in --json)', () => {
    const neg = file('neg.jsonl', jsonl.replace('"time":2', '"time":-2'));
    expectOneLine(faultline(['check', '--model', 'register', neg]).stderr, `${neg}:3: expected "time" to be a non-negative integer`);
    const back = file('back.jsonl', jsonl.replace('"time":3', '"time":1'));
    const r = faultline(['check', '--model', 'register', back]);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe(`faultline: warning: ${back}:4: "time" goes backwards, from 2 to 1: events are ordered by index; times only feed latencies, which may come out negative\n`);
    const j = JSON.parse(faultline(['check', '--model', 'register', '--json', back]).stdout) as { warnings: string[] };
    expect(j.warnings).toHaveLength(1);
  });

  it('a last line cut short (a SIGKILLed writer): dropped with a warning, the rest checked; with its newline it is malformed (65)', () => {
    const torn = file('torn.jsonl', `${jsonl}\n{"index":4,"time":4,"proc`);
    const r = faultline(['check', '--model', 'register', torn]);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe(`faultline: warning: ${torn}:5: the last line has no newline and is not whole JSON (25 bytes: a writer killed mid-write?); it was ignored\n`);
    const bad = file('torn-nl.jsonl', `${jsonl}\n{"index":4,"time":4,"proc\n`);
    expectOneLine(faultline(['check', '--model', 'register', bad]).stderr, `${bad}:5: expected one JSON object per line; got invalid JSON`);
  });

  it('a duplicate EDN :index: 65; gaps: renumbered with a warning', () => {
    const dup = file('dup.edn', edn.replace('{:process 0 :type :ok', '{:index 0 :process 0 :type :ok').replace('{:process 0 :type :invoke', '{:index 0 :process 0 :type :invoke'));
    const r = faultline(['check', '--model', 'register', dup]);
    expect(r.status).toBe(65);
    expectOneLine(r.stderr, `${dup}:2: expected :index to increase in file order (it was 0 at line 1); got 0`);
    const gaps = file('gaps.edn', edn.replace('{:process 1 :type :invoke', '{:index 7 :process 1 :type :invoke'));
    const g = faultline(['check', '--model', 'register', gaps]);
    expect(g.status).toBe(0);
    expect(g.stderr).toMatch(/^faultline: warning: .*gaps\.edn:3: this op has an :index while earlier ones have none: events renumbered in file order/);
  });

  it('invalid UTF-8: 65 at its line, JSONL and EDN', () => {
    const bad = Buffer.from([0xff, 0xfe]);
    const j = file('bad-utf8.jsonl', Buffer.concat([Buffer.from(`${jsonl.split('\n').slice(0, 2).join('\n')}\n{"index":2,"time":2,"process":1,"type":"invoke","f":"read","node":"`), bad, Buffer.from('"}\n')]));
    expectOneLine(faultline(['check', '--model', 'register', j]).stderr, `${j}:3: expected UTF-8 text; got the invalid byte 0xff`);
    const e = file('bad-utf8.edn', Buffer.concat([Buffer.from('[{:process 0 :type :invoke :f :write :value "'), bad, Buffer.from('"}]')]));
    expectOneLine(faultline(['check', '--model', 'register', e]).stderr, `${e}:1: expected UTF-8 text; got the invalid byte 0xff`);
  });
});

describe('a reader that goes away', () => {
  it('`faultline run --help | true`: the output ends, no stack trace', () => {
    // `true` exits before node has started, so the CLI writes into a closed pipe (EPIPE) and must end quietly
    const r = spawnSync('sh', ['-c', `"${process.execPath}" bin/faultline.js run --help | true`], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stderr).not.toMatch(/EPIPE|\bat .*\.js:\d+/);
  });
});
