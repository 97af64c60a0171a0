// The EDN fast path (edn-flat.ts, edn-paired.ts) against the full reader it stands in for: on generated histories
// of every shape (flat or not, valid or not) and on the golden EDN files, the same events, ops, lines, warnings
// and errors; and the fast path really takes the common shape (the Knossos corpus, most generated histories).
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { parseEdnHistory, readEdnHistory } from '../../src/history/edn.js';
import { pairFlatEdn } from '../../src/history/edn-paired.js';
import { DEFAULT_LIMITS, type ReadLimits } from '../../src/history/guards.js';
import { loadHistory } from '../../src/history/load.js';
import { pairHistory } from '../../src/history/pair.js';
import { HistoryValidator } from '../../src/history/validate.js';

const FILE = 'h.edn';

/** What the full reader makes of a text, event by event: as loadHistory did before the fast path. */
function reference(text: string, limits: ReadLimits = DEFAULT_LIMITS): unknown {
  try {
    const parsed = parseEdnHistory(text, FILE, limits);
    const validator = new HistoryValidator(FILE);
    const events = parsed.events.map((e, i) => validator.accept(e, parsed.lines[i] ?? 0));
    return { history: pairHistory(events), lines: parsed.lines, warnings: [...parsed.warnings, ...validator.warnings()] };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

/** The fast path's paired history, or the full reader's when it declines. */
function fast(text: string, limits: ReadLimits = DEFAULT_LIMITS): { taken: boolean; result: unknown } {
  const paired = pairFlatEdn(Buffer.from(text), FILE, limits);
  return paired === null ? { taken: false, result: reference(text, limits) } : { taken: true, result: paired };
}

/** The events of the fast path's readEdnHistory, or its error. */
function fastEvents(text: string): unknown {
  try {
    return readEdnHistory(Buffer.from(text), FILE);
  } catch (err) {
    return { error: (err as Error).message };
  }
}

function referenceEvents(text: string): unknown {
  try {
    return parseEdnHistory(text, FILE);
  } catch (err) {
    return { error: (err as Error).message };
  }
}

// ---------------------------------------------------------------- generated EDN texts

const sep = fc.constantFrom(' ', ', ', ',', '\n ', '  ', ' ; a comment\n ', '\t');
const keyword = fc.constantFrom(':read', ':write', ':cas', ':a/b', ':x-y?', ':é');
const str = fc.constantFrom('"plain"', '"with \\"quotes\\""', '"tab\\tand\\\\"', '"\\u00e9t\\u00E9"', '"two\nlines"', '""');
const int = fc.oneof(fc.integer({ min: -5, max: 40 }).map(String), fc.constantFrom('+3', '123456789012345', '007'));
/** Values the fast path leaves to the full reader (or that are wrong). */
const odd = fc.constantFrom('1.5', '12N', '3/4', '0x1f', '##Inf', 'sym', '\\c', '#{1 2}', '{:a 1}', '#_ 5 6', '#jepsen.independent/tuple [1 2]', '1234567890123456', '"bad \\q escape"', '"unclosed', '[1 2');

function valueOf(oddities: boolean): fc.Arbitrary<string> {
  const scalars = [int, keyword, fc.constantFrom('nil', 'true', 'false'), str];
  const scalar = oddities ? fc.oneof(...scalars, odd) : fc.oneof(...scalars);
  return fc.letrec<{ v: string }>((tie) => ({
    v: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      scalar,
      fc.tuple(fc.constantFrom('[', '('), fc.array(tie('v'), { maxLength: 3 }), sep).map(([o, xs, s]) => `${o}${xs.join(s)}${o === '[' ? ']' : ')'}`),
    ),
  })).v;
}

interface GenOp {
  process: number | 'nemesis';
  type: string;
  f: string;
  value: string;
}

/** Ops that pair up (each process invokes, then maybe completes); with oddities, some invoke twice or complete as another f. */
function opsOf(oddities: boolean): fc.Arbitrary<GenOp[]> {
  const value = valueOf(oddities);
  const completions = oddities ? fc.constantFrom('ok', 'fail', 'info', 'none', 'invoke', 'other-f') : fc.constantFrom('ok', 'ok', 'fail', 'info', 'none');
  return fc
    .array(
      fc.record({
        process: fc.oneof({ weight: 6, arbitrary: fc.integer({ min: -1, max: 4 }) }, { weight: 1, arbitrary: fc.constant<'nemesis'>('nemesis') }),
        f: fc.constantFrom(':read', ':write', ':cas'),
        complete: completions,
        invokeValue: value,
        okValue: value,
      }),
      { maxLength: 12 },
    )
    .map((xs) => {
      const out: GenOp[] = [];
      // a process that never heard back from its op is not given another (unless oddities are wanted)
      const stuck = new Set<number>();
      let fresh = 100;
      for (const x of xs) {
        if (x.process === 'nemesis') {
          out.push({ process: 'nemesis', type: ':info', f: ':start', value: x.invokeValue });
          continue;
        }
        const process = !oddities && stuck.has(x.process) ? fresh++ : x.process;
        out.push({ process, type: ':invoke', f: x.f, value: x.invokeValue });
        if (x.complete === 'none') {
          stuck.add(process);
          continue;
        }
        const type = x.complete === 'other-f' ? ':ok' : `:${x.complete}`;
        out.push({ process, type, f: x.complete === 'other-f' ? ':other' : x.f, value: type === ':ok' ? x.okValue : x.invokeValue });
      }
      return out;
    });
}

/** Extra fields the fast path takes. */
const extra = fc.constantFrom('', '', '', ':node "n1"', ':error "timeout"', ':error nil', ':error [:conn "reset"]', ':error :x');
/** Extra fields that leave the fast path, or make the history wrong. */
const oddExtra = fc.constantFrom(':time nil', ':index nil', ':time -1', ':time 1.5', ':node nil', ':node 3', ':key 4', ':debug 1', ':f :again', '"k" 1', ':process nil', ':type :done');

function historyOf(oddities: boolean): fc.Arbitrary<string> {
  const extras = oddities ? fc.oneof(extra, oddExtra) : extra;
  return fc
    .record({
      ops: opsOf(oddities),
      wrap: fc.constantFrom('[', '(', ''),
      sep,
      bom: fc.boolean(),
      lead: fc.constantFrom('', '; a comment\n', '\n\n'),
      times: fc.constantFrom('none', 'rising', 'mixed'),
      indices: oddities ? fc.constantFrom('none', 'dense', 'gaps', 'repeat') : fc.constantFrom('none', 'dense', 'gaps'),
      extras: fc.array(extras, { minLength: 24, maxLength: 24 }),
      orders: fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 24, maxLength: 24 }),
      tail: oddities ? fc.constantFrom('', '\n', ' ; end\n', ' junk', '}', ' [') : fc.constantFrom('', '\n', ' ; end\n'),
    })
    .map((h) => {
      const maps = h.ops.map((o, i) => {
        const fields = [`:process ${o.process === 'nemesis' ? ':nemesis' : o.process}`, `:type ${o.type}`, `:f ${o.f}`, `:value ${o.value}`];
        if (h.times === 'rising') fields.push(`:time ${10 * i}`);
        if (h.times === 'mixed') fields.push(`:time ${i % 3 === 2 ? 10 * i - 15 : 10 * i}`);
        if (h.indices === 'dense') fields.push(`:index ${i}`);
        if (h.indices === 'gaps') fields.push(`:index ${2 * i}`);
        if (h.indices === 'repeat') fields.push(`:index ${i === 3 ? 2 : i}`);
        const x = h.extras[i % h.extras.length];
        if (x !== '') fields.push(x);
        // the fields in one of a few orders
        const k = h.orders[i % h.orders.length] % fields.length;
        return `{${[...fields.slice(k), ...fields.slice(0, k)].join(h.sep)}}`;
      });
      const body = maps.join(h.wrap === '' ? '\n' : h.sep);
      const closer = h.wrap === '[' ? ']' : h.wrap === '(' ? ')' : '';
      return `${h.bom ? '\ufeff' : ''}${h.lead}${h.wrap}${body}${closer}${h.tail}`;
    });
}

/** Histories of the flat shape (plain), and histories with oddities anywhere in them. */
const history = fc.oneof(historyOf(false).map((text) => ({ plain: true, text })), historyOf(true).map((text) => ({ plain: false, text })));

/** One oddity in one op map of an otherwise plain history (without :time fields): the fast path must notice exactly that. */
const oneOddity = fc
  .tuple(
    historyOf(false).filter((t) => !t.includes(':time') && t.includes('{')),
    fc.nat(),
    fc.constantFrom(':time -1', ':time 2.5', ':index -1', ':process nil', ':node nil', ':error 1.5', ':key 1', ':value ##NaN', ':f 3'),
  )
  .map(([text, at, oddity]) => {
    const maps = [...text.matchAll(/\{/g)].map((m) => m.index);
    const i = maps[at % maps.length];
    return `${text.slice(0, i + 1)}${oddity} ${text.slice(i + 1)}`;
  });

/**
 * A plain history with one key of one op map a near miss: its last letter changed, one letter more, a colon inside,
 * or glued to its value (`:f:read`, one keyword).
 */
const nearMiss = fc
  .tuple(historyOf(false), fc.nat(), fc.constantFrom('last', 'more', 'colon', 'glued'), fc.constantFrom('q', 's', 'x', 'z', 'é'))
  .filter(([text]) => /:(process|type|f|value|time|index|error|node)\b/.test(text))
  .map(([text, at, how, letter]) => {
    const keys = [...text.matchAll(/:(process|type|f|value|time|index|error|node)\b[\s,]*/g)];
    const k = keys[at % keys.length];
    const name = k[1];
    const gap = k[0].slice(1 + name.length);
    const miss =
      how === 'last' ? `${name.slice(0, -1)}${letter === name.at(-1) ? 'y' : letter}${gap}` : how === 'more' ? `${name}${letter}${gap}` : how === 'colon' ? `${name}:${letter}${gap}` : name;
    return text.slice(0, k.index) + `:${miss}` + text.slice(k.index + k[0].length);
  });

describe('the EDN fast path', () => {
  it('tells a key from a near miss (another last letter, one letter more, a colon inside, glued to its value)', () => {
    fc.assert(
      fc.property(nearMiss, (text) => {
        expect(fast(text).result).toStrictEqual(reference(text));
      }),
      { numRuns: 500 },
    );
  });

  it('notices a single oddity in an otherwise plain history', () => {
    fc.assert(
      fc.property(oneOddity, (text) => {
        expect(fast(text).result).toStrictEqual(reference(text));
      }),
      { numRuns: 500 },
    );
  });

  it('pairs exactly as the full reader does, or leaves the history to it, on generated histories', () => {
    fc.assert(
      fc.property(history, ({ plain, text }) => {
        const f = fast(text);
        expect(f.result).toStrictEqual(reference(text));
        // not vacuous: the fast path takes every plain history
        if (plain) expect(f.taken).toBe(true);
      }),
      { numRuns: 1500 },
    );
  });

  it('reads the same events, lines, warnings and errors as the full reader', () => {
    fc.assert(
      fc.property(history, ({ text }) => {
        expect(fastEvents(text)).toStrictEqual(referenceEvents(text));
      }),
      { numRuns: 1000 },
    );
  });

  it('leaves an op map longer than the --max-line limit to the full reader, which refuses it', () => {
    const text = `[{:process 0, :type :invoke, :f :write, :value "${'x'.repeat(100)}"}]`;
    const limits = { maxLineBytes: 50 };
    expect(pairFlatEdn(Buffer.from(text), FILE, limits)).toBeNull();
    expect(reference(text, limits)).toMatchObject({ error: expect.stringContaining('--max-line') });
  });

  it('takes a plain Jepsen history, keeping its lines, values and warnings', () => {
    const text = [
      '; a register',
      '[{:process 0, :type :invoke, :f :cas, :value [1 2], :time 10}',
      ' {:process 0, :type :ok, :f :cas, :value [1 2], :time 5}',
      ' {:process :nemesis, :type :info, :f :start, :value "partition \\"a\\""}',
      ' {:process 1, :type :invoke, :f :read, :value nil, :time 20}]',
    ].join('\n');
    const f = fast(text);
    expect(f.taken).toBe(true);
    expect(f.result).toStrictEqual(reference(text));
    const paired = pairFlatEdn(Buffer.from(text), FILE, DEFAULT_LIMITS)!;
    expect(paired.lines).toEqual([2, 3, 4, 5]);
    expect(paired.history.ops[0]).toMatchObject({ type: 'ok', invokeValue: [1, 2], completeIndex: 1 });
    expect(paired.history.ops[1]).toMatchObject({ type: 'info', completeIndex: null, value: null });
    expect(paired.history.nemesis[0].value).toBe('partition "a"');
    expect(paired.warnings.map((w) => w.what)).toEqual([expect.stringContaining('"time" goes backwards, from 10 to 5')]);
  });
});

// ---------------------------------------------------------------- the golden EDN files

const DATA = resolve(import.meta.dirname, '..', '..', '..', 'shared', 'data');
const present = existsSync(join(DATA, 'knossos'));

function ednFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile() && d.name.endsWith('.edn'))
    .map((d) => join(d.parentPath, d.name))
    .sort();
}

if (!present) {
  describe('the EDN fast path on the golden files', () => {
    it.skip(`skipped: ${DATA} is absent (the shared golden data lives beside the repository)`, () => {});
  });
}

describe.runIf(present)('the EDN fast path on the golden files', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'faultline-edn-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('loads every Knossos and Elle EDN history exactly as the full reader does', async () => {
    const files = [...ednFiles(join(DATA, 'knossos')), ...ednFiles(join(DATA, 'elle'))];
    expect(files.length).toBeGreaterThan(120);
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      const loaded = await loadHistory(file);
      const ref = reference(text) as { history: unknown; lines: number[]; warnings: { line: number; what: string }[] };
      expect({ history: loaded.history, lines: loaded.lines }, file).toStrictEqual({ history: ref.history, lines: ref.lines });
      expect(loaded.warnings, file).toEqual(ref.warnings.map((w) => `${file}:${w.line}: ${w.what}`));
    }
  });

  it('takes every Knossos history (the common shape)', () => {
    const declined = ednFiles(join(DATA, 'knossos')).filter((f) => pairFlatEdn(readFileSync(f), f, DEFAULT_LIMITS) === null);
    expect(declined).toEqual([]);
  });

  it('gives the full reader’s error for a broken copy of a golden history', async () => {
    const file = ednFiles(join(DATA, 'knossos'))[0];
    const broken = join(tmp, 'broken.edn');
    writeFileSync(broken, readFileSync(file, 'utf8').replace(':invoke', ':invokee'));
    await expect(loadHistory(broken)).rejects.toThrow(/expected :type to be :invoke, :ok, :fail or :info/);
  });
});
