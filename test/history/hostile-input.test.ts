// Hostile input (issue 12, items 4, 8, 9, 10): numbers beyond a double's precision are refused (never
// rounded), any nesting depth parses or gives one exit-65 line (never a crash), non-regular files and endless
// lines are refused with the limit named, and BOM / time / :index / UTF-8 are handled alike in JSONL and EDN.
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError, UserError } from '../../src/util/exit.js';
import { parseEdnHistory } from '../../src/history/edn.js';
import { readEdn } from '../../src/history/edn-reader.js';
import { inexactDecimal, MAX_DEPTH } from '../../src/history/guards.js';
import { parseJsonlText } from '../../src/history/jsonl.js';
import { readEventsFromStream, readHistoryEvents } from '../../src/history/load.js';
import type { Json } from '../../src/history/types.js';

const dir = mkdtempSync(join(tmpdir(), 'faultline-hostile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A register history: p0 writes `w` (as raw text), p1 reads `r` (raw text). */
function jsonlRegister(w: string, r: string): string {
  return [
    `{"index":0,"time":0,"process":0,"type":"invoke","f":"write","value":${w}}`,
    `{"index":1,"time":1,"process":0,"type":"ok","f":"write","value":${w}}`,
    `{"index":2,"time":2,"process":1,"type":"invoke","f":"read","value":null}`,
    `{"index":3,"time":3,"process":1,"type":"ok","f":"read","value":${r}}`,
  ].join('\n');
}

function ednRegister(w: string, r: string): string {
  return [
    `[{:process 0 :type :invoke :f :write :value ${w}}`,
    ` {:process 0 :type :ok :f :write :value ${w}}`,
    ` {:process 1 :type :invoke :f :read :value nil}`,
    ` {:process 1 :type :ok :f :read :value ${r}}]`,
  ].join('\n');
}

/** The InputError a parse throws (fails the test when it throws something else, or nothing). */
function inputError(fn: () => unknown): InputError {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    return err;
  }
  throw new Error('expected an InputError');
}

describe('item 4: numbers a double cannot hold are refused, never rounded', () => {
  it('2^53 + 1 written and 2^53 read: exit 65 at the write, in JSONL and EDN', () => {
    const j = inputError(() => parseJsonlText(jsonlRegister('9007199254740993', '9007199254740992'), 'h.jsonl'));
    expect(j).toMatchObject({ line: 1, exitCode: 65 });
    expect(j.what).toContain('9007199254740993, which would be read as 9007199254740992');
    const e = inputError(() => parseEdnHistory(ednRegister('9007199254740993N', '9007199254740992'), 'h.edn'));
    expect(e).toMatchObject({ line: 1, exitCode: 65 });
    expect(e.what).toContain('9007199254740993N');
    // found by the property below: 138460573806946450000 is the shortest form of its double (JSON.stringify
    // writes it so), though the double holds …451456: accepted, as 0.1 is; the next integer is not
    expect(parseJsonlText(jsonlRegister('138460573806946450000', '138460573806946450000'), 'h.jsonl').events[0].value).toBe(138460573806946450000);
    expect(inputError(() => parseJsonlText(jsonlRegister('138460573806946450001', '1'), 'h.jsonl')).exitCode).toBe(65);
  });

  it('a set add of 2^53 + 1 is refused wherever it stands in value or key (inside arrays, objects)', () => {
    for (const v of ['[1,9007199254740993]', '{"a":{"b":-9007199254740993}}', '1e400', '1e-400', '3.0000000000000001', '123456789012345678901234567890']) {
      const text = `{"index":0,"time":0,"process":0,"type":"invoke","f":"add","value":${v}}`;
      expect(inputError(() => parseJsonlText(text, 'h')).line).toBe(1);
      const spaced = `{ "index": 0, "time": 0, "process": 0, "type": "invoke", "f": "add", "key": 1, "value": ${v} }`;
      expect(inputError(() => parseJsonlText(spaced, 'h')).line).toBe(1);
      const key = `{"index":0,"time":0,"process":0,"type":"invoke","f":"add","value":1,"key":${v}}`;
      expect(inputError(() => parseJsonlText(key, 'h')).exitCode).toBe(65);
      // EDN checks every number it reads, extra fields too
      expect(inputError(() => parseEdnHistory(`[{:process 0 :type :invoke :f :add :value 1 :extra ${v.replaceAll(':', ' ').replaceAll(',', ' ')}}]`, 'h')).line).toBe(1);
    }
    // digits inside strings are text, never numbers; a value repeated in an extra field does not fool the fast path
    expect(parseJsonlText('{"index":0,"time":0,"process":0,"type":"invoke","f":"add","value":"9007199254740993e5"}', 'h').events[0].value).toBe('9007199254740993e5');
    const twice = '{"index":0,"time":0,"process":0,"type":"invoke","f":"add","x":{"value":3},"value":3.0000000000000001}';
    expect(inputError(() => parseJsonlText(twice, 'h')).what).toContain('3.0000000000000001');
  });

  it('property: an integer literal parses to exactly itself, or is refused with exit 65 (JSONL and EDN)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }), (n) => {
        const lit = n.toString();
        // accepted exactly when the literal is its double's shortest form (what JSON.stringify writes): then no two
        // accepted literals read as the same double. Beyond 2^53 that is not always the integer the double holds
        // (138460573806946450000 holds …451456), as 0.1 is not exactly a tenth
        const exact = String(Number(lit)) === lit;
        for (const parse of [() => parseJsonlText(jsonlRegister(lit, lit), 'h').events[0].value, () => parseEdnHistory(ednRegister(lit, lit), 'h').events[0].value]) {
          if (exact) expect(parse()).toBe(Number(lit));
          else expect(inputError(parse).exitCode).toBe(65);
        }
        // whatever is accepted is the integer written, or its double's shortest form: no two accepted literals meet
        if (exact) expect(String(Number(lit))).toBe(lit);
      }),
      { numRuns: 300 },
    );
  });

  it('property: every double JSON.stringify writes reads back as itself', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (d) => {
        const lit = JSON.stringify(d);
        expect(inexactDecimal(lit)).toBeNull();
        expect(parseJsonlText(jsonlRegister(lit, lit), 'h').events[3].value).toBe(JSON.parse(lit));
        expect(readEdn(lit)).toBe(JSON.parse(lit));
      }),
      { numRuns: 300 },
    );
  });

  it('EDN: exact ratios and hex are kept, others refused; ##Inf in a value is refused', () => {
    expect(readEdn('3/4')).toBe(0.75);
    expect(readEdn('0x1F')).toBe(31);
    expect(() => readEdn('1/3')).toThrow(/1\/3, which would be read as 0\.333/);
    expect(() => readEdn('0x20000000000001')).toThrow(/exactly/);
    const e = inputError(() => parseEdnHistory('[{:process 0 :type :invoke :f :write :value [1 ##Inf]}]', 'h.edn'));
    expect(e.what).toMatch(/finite numbers only.*##Inf/);
  });
});

/** `depth` nested arrays around 1, optionally alternating with objects. */
function nested(depth: number, objects: boolean): { json: string; edn: string; value: Json } {
  let json = '1';
  let edn = '1';
  let value: Json = 1;
  for (let i = 0; i < depth; i++) {
    if (objects && i % 2 === 1) {
      json = `{"k":${json}}`;
      edn = `{"k" ${edn}}`;
      value = { k: value };
    } else {
      json = `[${json}]`;
      edn = `[${edn}]`;
      value = [value];
    }
  }
  return { json, edn, value };
}

describe('item 8: any nesting depth parses to the same value or gives one exit-65 line, never a crash', () => {
  it('property: JSONL and EDN values at any depth', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 6000 }), fc.boolean(), fc.constantFrom('value', 'index', 'extra'), (depth, objects, where) => {
        if (where === 'index' && depth === 0) return; // a plain number: not a nesting case
        const { json, edn, value } = nested(depth, objects);
        const j = (): Json =>
          where === 'index'
            ? (parseJsonlText(`{"index":${json},"time":0,"process":0,"type":"invoke","f":"write"}`, 'h').events[0].index as unknown as Json)
            : (parseJsonlText(`{"index":0,"time":0,"process":0,"type":"invoke","f":"write","${where}":${json}}`, 'h').events[0][where] as Json);
        const e = (): Json =>
          where === 'index'
            ? (parseEdnHistory(`[{:index ${edn} :process 0 :type :invoke :f :write}]`, 'h').events[0].index as unknown as Json)
            : (parseEdnHistory(`[{:process 0 :type :invoke :f :write :${where} ${edn}}]`, 'h').events[0][where] as Json);
        for (const parse of [j, e]) {
          if (depth < MAX_DEPTH && where !== 'index') {
            expect(parse()).toEqual(value);
          } else if (depth > MAX_DEPTH || where === 'index') {
            const err = inputError(parse);
            expect(err.exitCode).toBe(65);
            expect(err.message).not.toContain('\n');
            expect(err.message.length).toBeLessThan(300);
          }
        }
      }),
      { numRuns: 60 },
    );
  });

  it('deep EDN discards, tags and metadata are bounded too', () => {
    for (const text of [`[${'#_'.repeat(5000)}1 2]`, `[${'#foo '.repeat(5000)}1]`, `${'('.repeat(5000)}`, `${'#{'.repeat(5000)}`]) {
      const err = inputError(() => readEdn(text));
      expect(err.what).toBe('expected values nested at most 128 levels deep; got deeper nesting');
    }
    expect(readEdn(`[${'^:m '.repeat(5000)}1]`)).toEqual([1]); // metadata is read and dropped one after another
  });
});

describe('item 9: non-regular files are refused, a line is bounded', () => {
  it('a FIFO and a character device (/dev/zero) named .jsonl / .edn: exit 66 at once, no read', async () => {
    const fifo = join(dir, 'pipe.jsonl');
    execFileSync('mkfifo', [fifo]);
    const zeroJsonl = join(dir, 'zero.jsonl');
    const zeroEdn = join(dir, 'zero.edn');
    symlinkSync('/dev/zero', zeroJsonl);
    symlinkSync('/dev/zero', zeroEdn);
    for (const [f, kind] of [
      [fifo, 'a FIFO'],
      [zeroJsonl, 'a character device'],
      [zeroEdn, 'a character device'],
    ] as const) {
      const err = await readHistoryEvents(f).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UserError);
      expect((err as UserError).exitCode).toBe(66);
      expect((err as UserError).message).toBe(`${f}: expected a regular file; got ${kind} (give - to read a pipe on stdin)`);
    }
  });

  it('an endless line on stdin stops at the line limit, naming it and how to raise it', async () => {
    let chunks = 0;
    const zeros = Readable.from(
      (function* () {
        for (;;) {
          chunks++;
          yield Buffer.alloc(64 * 1024);
        }
      })(),
    );
    const err = await readEventsFromStream(zeros, '-', 'jsonl', { limits: { maxLineBytes: 1024 * 1024 } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).message).toBe('stdin:1: expected a line of at most 1 MiB (the --max-line limit); got a longer one (raise it with --max-line 2)');
    expect(chunks).toBeLessThan(40);
  });

  it('a long line in the middle of a file names its line; an EDN form is bounded alike', () => {
    const ok = '{"index":0,"time":0,"process":0,"type":"invoke","f":"add","value":1}';
    const long = `{"index":1,"time":0,"process":0,"type":"ok","f":"add","value":"${'x'.repeat(3000)}"}`;
    expect(inputError(() => parseJsonlText(`${ok}\n${long}\n`, 'h', { maxLineBytes: 2048 })).line).toBe(2);
    const edn = `[{:process 0 :type :invoke :f :add :value 1}\n {:process 0 :type :ok :f :add :value "${'x'.repeat(3000)}"}]`;
    const e = inputError(() => parseEdnHistory(edn, 'h.edn', { maxLineBytes: 2048 }));
    expect(e.line).toBe(2);
    expect(e.what).toMatch(/an EDN form of at most/);
  });

  it('EDN read whole is bounded (stdin too): exit 65 naming the size', async () => {
    const endless = Readable.from(
      (function* () {
        yield Buffer.from('[');
        for (;;) yield Buffer.from('{:process 0 :type :invoke :f :read} '.repeat(1000));
      })(),
    );
    const err = await readEventsFromStream(endless, '-', null, { limits: { maxLineBytes: 1 << 20, ednMaxBytes: 1 << 20 } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).exitCode).toBe(65);
    expect((err as UserError).message).toMatch(/^stdin: expected an EDN history of at most 1 MiB/);
  });
});

describe('item 10: JSONL and EDN accept or refuse alike; repairs are warnings', () => {
  const jsonl = jsonlRegister('1', '1');
  const edn = ednRegister('1', '1');

  it('a leading BOM is skipped in both formats (files and stdin)', async () => {
    const a = parseJsonlText(`\ufeff${jsonl}`, 'h').events;
    const b = parseEdnHistory(`\ufeff${edn}`, 'h').events;
    expect(b.map((e) => [e.type, e.f, e.value])).toEqual(a.map((e) => [e.type, e.f, e.value]));
    writeFileSync(join(dir, 'bom.edn'), `\ufeff${edn}`);
    expect((await readHistoryEvents(join(dir, 'bom.edn'))).events).toHaveLength(4);
    const s = await readEventsFromStream(Readable.from([Buffer.from(`\ufeff${edn}`)]), '-', null);
    expect(s.format).toBe('edn');
  });

  it('a negative time is refused in both formats', async () => {
    expect(inputError(() => parseJsonlText(jsonl.replace('"time":2', '"time":-2'), 'h')).what).toMatch(/^expected "time" to be a non-negative integer/);
    writeFileSync(join(dir, 'neg.edn'), edn.replace(':process 1 :type :invoke', ':process 1 :time -5 :type :invoke'));
    const err = await readHistoryEvents(join(dir, 'neg.edn')).catch((e: unknown) => e);
    expect((err as InputError).line).toBe(3);
    expect((err as InputError).what).toMatch(/^expected "time" to be a non-negative integer/);
  });

  it('a time going backwards is accepted with one warning naming its line, in both formats', async () => {
    writeFileSync(join(dir, 'back.jsonl'), jsonl.replace('"time":2', '"time":0').replace('"time":3', '"time":0'));
    const j = await readHistoryEvents(join(dir, 'back.jsonl'));
    expect(j.warnings).toEqual([`${join(dir, 'back.jsonl')}:3: "time" goes backwards, from 1 to 0: events are ordered by index; times only feed latencies, which may come out negative`]);
    writeFileSync(join(dir, 'back.edn'), edn.replace(':process 0 :type :ok', ':process 0 :time 50 :type :ok').replace(':process 1 :type :invoke', ':process 1 :time 40 :type :invoke'));
    const e = await readHistoryEvents(join(dir, 'back.edn'));
    expect(e.warnings).toHaveLength(1);
    expect(e.warnings[0]).toMatch(/back\.edn:3: "time" goes backwards, from 50 to 40/);
  });

  it('EDN :index: dense kept silently, gaps renumbered with a warning, repeated or decreasing refused', async () => {
    const withIndex = (xs: number[]) =>
      `[${xs.map((x, i) => `{:index ${x} :process ${i >> 1} :type ${i % 2 ? ':ok' : ':invoke'} :f :read :value nil}`).join('\n')}]`;
    expect(parseEdnHistory(withIndex([0, 1, 2, 3]), 'h').warnings).toEqual([]);
    const gaps = parseEdnHistory(withIndex([0, 5, 6, 9]), 'h');
    expect(gaps.events.map((e) => e.index)).toEqual([0, 1, 2, 3]);
    expect(gaps.warnings).toEqual([{ line: 2, what: ':index 5 where 1 was next: events renumbered in file order (0, 1, 2…)' }]);
    for (const xs of [
      [0, 1, 1, 2],
      [0, 2, 1, 3],
    ]) {
      const err = inputError(() => parseEdnHistory(withIndex(xs), 'h'));
      expect(err.line).toBe(3);
      expect(err.what).toMatch(/^expected :index to increase in file order/);
    }
    writeFileSync(join(dir, 'gaps.edn'), withIndex([3, 4, 5, 6]));
    expect((await readHistoryEvents(join(dir, 'gaps.edn'))).warnings).toEqual([
      `${join(dir, 'gaps.edn')}:1: :index 3 where 0 was next: events renumbered in file order (0, 1, 2…)`,
    ]);
  });

  it('property: invalid UTF-8 anywhere is refused at its line, in both formats', async () => {
    const lines = jsonl.split('\n');
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 3 }), fc.constantFrom([0xff], [0xc3], [0xe2, 0x28, 0xa1], [0xed, 0xa0, 0x80], [0xc0, 0xaf]), async (at, bad) => {
        for (const [name, text] of [
          ['u.jsonl', lines],
          ['u.edn', edn.split('\n')],
        ] as const) {
          const parts = text.map((l) => Buffer.from(`${l}\n`));
          const l = parts[at];
          const cut = l.indexOf(at === 0 && name === 'u.edn' ? 0x3a : 0x22); // inside the first field
          parts[at] = Buffer.concat([l.subarray(0, cut + 1), Buffer.from(bad), l.subarray(cut + 1)]);
          const f = join(dir, name);
          writeFileSync(f, Buffer.concat(parts));
          const err = await readHistoryEvents(f).catch((e: unknown) => e);
          expect(err).toBeInstanceOf(InputError);
          expect((err as InputError).line).toBe(at + 1);
          expect((err as InputError).what).toMatch(/^expected UTF-8 text; got the invalid byte 0x/);
        }
      }),
      { numRuns: 40 },
    );
  });
});
