// The JSONL fast path (jsonl-flat.ts, jsonl-paired.ts, op-pairing.ts) against the event-by-event reader it stands
// in for: on generated history files of every shape (the common one, odd lines, wrong ones, torn tails, bad bytes)
// loadHistory gives the same ops, lines, warnings and errors; and it really takes faultline's own histories.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, type ReadLimits } from '../../src/history/guards.js';
import { pairJsonlFile } from '../../src/history/jsonl-paired.js';
import { loadHistory, readHistoryEvents } from '../../src/history/load.js';
import { pairHistory } from '../../src/history/pair.js';

const tmp = mkdtempSync(join(tmpdir(), 'faultline-jsonl-fast-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;

function fileOf(bytes: Buffer): string {
  const f = join(tmp, `h${n++}.jsonl`);
  writeFileSync(f, bytes);
  return f;
}

/** What the event-by-event reader makes of a file (paired afterwards), or its error. */
async function reference(file: string, limits: ReadLimits): Promise<unknown> {
  try {
    const r = await readHistoryEvents(file, undefined, { limits });
    return { history: pairHistory(r.events), lines: r.lines, warnings: r.warnings };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

async function loaded(file: string, limits: ReadLimits): Promise<unknown> {
  try {
    const r = await loadHistory(file, undefined, { limits });
    return { history: r.history, lines: r.lines, warnings: r.warnings };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

// ---------------------------------------------------------------- generated files

const str = fc.constantFrom('"read"', '"a \\"quoted\\" word"', '"tab\\tslash\\/"', '"\\u00e9t\\u00e9"', '"été"', '"\\ud83d\\ude00"', '""');
const int = fc.oneof(fc.integer({ min: -3, max: 50 }).map(String), fc.constantFrom('123456789012345', '-0'));
const odd = fc.constantFrom('1.5', '1e3', '9007199254740993', '1234567890123456', '01', '{"a":1}', '"bad \\q"', '"ctl\u0001"', 'nul', 'tru', '[1,]', '[1 2]', '"unclosed');

function valueOf(oddities: boolean): fc.Arbitrary<string> {
  const scalars = [int, str, fc.constantFrom('null', 'true', 'false')];
  const scalar = oddities ? fc.oneof(...scalars, odd) : fc.oneof(...scalars);
  return fc.letrec<{ v: string }>((tie) => ({
    v: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, fc.array(tie('v'), { maxLength: 3 }).map((xs) => `[${xs.join(',')}]`)),
  })).v;
}

interface GenEvent {
  fields: [string, string][];
}

function eventsOf(oddities: boolean): fc.Arbitrary<GenEvent[]> {
  const value = valueOf(oddities);
  const completions = oddities ? fc.constantFrom('ok', 'fail', 'info', 'none', 'invoke', 'other-f') : fc.constantFrom('ok', 'ok', 'fail', 'info', 'none');
  const extra = oddities
    ? fc.constantFrom<[string, string][]>([], [], [['node', '"n1"']], [['key', '7']], [['key', '"k"']], [['key', 'null']], [['node', 'null']], [['error', '"boom"']], [['retry', '2']], [['debug', '{"x":[1]}']], [['time', '-5']], [['node', '3']], [['key', '1.5']], [['f', '"again"']])
    : fc.constantFrom<[string, string][]>([], [], [], [['node', '"n1"']], [['node', 'null']], [['error', 'null']]);
  return fc
    .array(
      fc.record({
        process: fc.oneof({ weight: 6, arbitrary: fc.integer({ min: -1, max: 4 }) }, { weight: 1, arbitrary: fc.constant<'nemesis'>('nemesis') }),
        f: fc.constantFrom('"read"', '"write"', '"cas"'),
        key: oddities ? fc.constantFrom(undefined, undefined, '3', '"k"') : fc.constantFrom(undefined, '3', '"k"'),
        complete: completions,
        invokeValue: value,
        okValue: value,
        extra,
        errorText: fc.constantFrom(undefined, '"timeout"', '"42P01: relation \\"t\\" does not exist"'),
      }),
      { maxLength: 10 },
    )
    .map((xs) => {
      const out: GenEvent[] = [];
      const stuck = new Set<number>();
      let fresh = 100;
      for (const x of xs) {
        if (x.process === 'nemesis') {
          out.push({ fields: [['process', '"nemesis"'], ['type', '"info"'], ['f', '"start"'], ['value', x.invokeValue], ['targets', '["n1","n2"]']] });
          continue;
        }
        const process = !oddities && stuck.has(x.process) ? fresh++ : x.process;
        const key: [string, string][] = x.key === undefined ? [] : [['key', x.key]];
        out.push({ fields: [['process', String(process)], ['type', '"invoke"'], ['f', x.f], ...key, ['value', x.invokeValue], ...x.extra] });
        if (x.complete === 'none') {
          stuck.add(process);
          continue;
        }
        const type = x.complete === 'other-f' ? 'ok' : x.complete;
        const error: [string, string][] = type !== 'ok' && x.errorText !== undefined ? [['error', x.errorText]] : [];
        out.push({
          fields: [['process', String(process)], ['type', `"${type}"`], ['f', x.complete === 'other-f' ? '"other"' : x.f], ...key, ['value', type === 'ok' ? x.okValue : x.invokeValue], ...error],
        });
      }
      return out;
    });
}

function fileText(oddities: boolean): fc.Arbitrary<Buffer> {
  return fc
    .record({
      events: eventsOf(oddities),
      space: fc.constantFrom('', ' ', '  '),
      order: fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 24, maxLength: 24 }),
      times: fc.constantFrom('rising', 'mixed'),
      indices: oddities ? fc.constantFrom('dense', 'dense', 'gap', 'string') : fc.constant('dense'),
      blank: fc.constantFrom('', '', '\n', '\n   \n'),
      crlf: fc.boolean(),
      bom: fc.boolean(),
      tail: oddities ? fc.constantFrom('\n', '\n', '', '\n{"index":', '\n\n', '\n\u00a0') : fc.constantFrom('\n', '', '\n\n'),
      badByte: oddities ? fc.boolean() : fc.constant(false),
    })
    .map((h) => {
      const lines = h.events.map((e, i) => {
        const index = h.indices === 'gap' && i === 2 ? 5 : i;
        const time = h.times === 'mixed' && i % 3 === 2 ? 10 * i - 15 : 10 * i;
        const fields: [string, string][] = [['index', h.indices === 'string' && i === 1 ? '"1"' : String(index)], ['time', String(time)], ...e.fields];
        const k = h.order[i % h.order.length] % fields.length;
        const ordered = [...fields.slice(k), ...fields.slice(0, k)];
        return `{${ordered.map(([name, v]) => `"${name}":${h.space}${v}`).join(`,${h.space}`)}}`;
      });
      const body = lines.join(h.crlf ? '\r\n' : '\n').replace(/^/, h.blank);
      const text = `${h.bom ? '\ufeff' : ''}${body}${lines.length > 0 ? h.tail : ''}`;
      const bytes = Buffer.from(text);
      // an invalid UTF-8 byte inside a string
      if (h.badByte) {
        const at = bytes.indexOf('"read"');
        if (at >= 0) bytes[at + 2] = 0xff;
      }
      return bytes;
    });
}

/** One oddity in an otherwise plain file, on one line: the fast path must notice exactly that. */
const oneOddity = fc
  .record({
    events: eventsOf(false).filter((es) => es.length > 0),
    at: fc.nat(),
    kind: fc.constantFrom('value', 'after', 'time', 'index', 'nemesis-index', 'odd-index', 'key'),
    literal: odd,
    after: fc.constantFrom(' x', '}', ',', ' ,"a":1'),
  })
  .map((h) => {
    const i = h.at % h.events.length;
    const lines = h.events.map((e, j) => {
      let index = String(j);
      let time = String(10 * j);
      let fields = e.fields;
      if (j === i && h.kind === 'value') fields = fields.map(([k, v]) => [k, k === 'value' ? h.literal : v]);
      if (j === i && h.kind === 'key') fields = [...fields.filter(([k]) => k !== 'key'), ['key', h.literal]];
      if (j === i && h.kind === 'time') time = '-5';
      if (j === i && h.kind === 'index') index = String(j + 1);
      if (j === i && h.kind === 'odd-index') {
        // a line of a field of its own (read as the event reader reads it) with a gap in the index
        fields = [...fields, ['debug', '{"x":1}']];
        index = String(j + 1);
      }
      if (j === i && h.kind === 'nemesis-index') {
        fields = [['process', '"nemesis"'], ['type', '"info"'], ['f', '"stop"']];
        index = String(j + 2);
      }
      const line = `{${[['index', index], ['time', time], ...fields].map(([k, v]) => `"${k}":${v}`).join(',')}}`;
      return j === i && h.kind === 'after' ? line + h.after : line;
    });
    return Buffer.from(`${lines.join('\n')}\n`);
  });

describe('the JSONL fast path', () => {
  it('notices a single oddity in an otherwise plain file', async () => {
    await fc.assert(
      fc.asyncProperty(oneOddity, async (bytes) => {
        const file = fileOf(bytes);
        expect(await loaded(file, DEFAULT_LIMITS)).toStrictEqual(await reference(file, DEFAULT_LIMITS));
      }),
      { numRuns: 400 },
    );
  });

  it('loads exactly what the event-by-event reader reads, or leaves the file to it, on generated files', async () => {
    const files = fc.oneof(fileText(false).map((bytes) => ({ plain: true, bytes })), fileText(true).map((bytes) => ({ plain: false, bytes })));
    await fc.assert(
      fc.asyncProperty(files, fc.constantFrom(DEFAULT_LIMITS, { maxLineBytes: 120 }), async ({ plain, bytes }, limits) => {
        const file = fileOf(bytes);
        const taken = pairJsonlFile(file, file, limits) !== null;
        expect(await loaded(file, limits)).toStrictEqual(await reference(file, limits));
        // not vacuous: the fast path takes every plain file (within the usual line limit)
        if (plain && limits === DEFAULT_LIMITS) expect(taken).toBe(true);
      }),
      { numRuns: 600 },
    );
  });

  it("takes faultline's own history lines, as the writer writes them", () => {
    const lines = [
      '{"index":0,"time":0,"process":1,"type":"invoke","f":"write","value":3,"key":7,"node":"n1"}',
      '{"index":1,"time":5,"process":"nemesis","type":"info","f":"partition","value":{"grudge":{"n1":["n2"]}}}',
      '{"index":2,"time":9,"process":1,"type":"info","f":"write","value":3,"key":7,"node":"n1","error":"57P01: terminating connection"}',
      '{"index":3,"time":12,"process":2,"type":"invoke","f":"read","value":null,"key":7,"node":"n2"}',
    ];
    const file = fileOf(Buffer.from(`${lines.join('\n')}\n`));
    const r = pairJsonlFile(file, file, DEFAULT_LIMITS);
    expect(r).not.toBeNull();
    expect(r!.history.ops[0]).toMatchObject({ type: 'info', key: 7, node: 'n1', error: '57P01: terminating connection', completeIndex: 2 });
    expect(r!.history.nemesis[0]).toMatchObject({ f: 'partition', value: { grudge: { n1: ['n2'] } } });
    expect(r!.lines).toEqual([1, 2, 3, 4]);
  });

  it('counts a byte order mark as the event reader does towards the line limit of a first line without a newline', async () => {
    // found by the property above: 3 + 118 bytes against a 120-byte limit
    const line = '{"index":  0,  "time":  0,  "process":  0,  "type":  "invoke",  "f":  "read",  "key":  "k",  "value":  123456789012345}';
    const limits = { maxLineBytes: 120 };
    for (const text of [`\ufeff${line}`, `\ufeff${line}\n`, line]) {
      const file = fileOf(Buffer.from(text));
      expect(await loaded(file, limits), JSON.stringify(text.slice(-3))).toStrictEqual(await reference(file, limits));
    }
  });

  it('leaves a torn last line to the event reader, which warns of it', async () => {
    const file = fileOf(Buffer.from('{"index":0,"time":0,"process":1,"type":"invoke","f":"read","value":null}\n{"index":1,"ti'));
    expect(pairJsonlFile(file, file, DEFAULT_LIMITS)).toBeNull();
    expect(await loaded(file, DEFAULT_LIMITS)).toMatchObject({ warnings: [expect.stringContaining('the last line has no newline and is not whole JSON')] });
  });
});
