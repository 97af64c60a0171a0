// load.ts: directory expansion, format sniffing (stdin and unknown extensions), EDN through the validator, fs errors.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError, UserError } from '../../src/util/exit.js';
import { expandSources, loadHistory, readEventsFromStream, readHistoryEvents } from '../../src/history/load.js';
import { HistoryBuilder } from '../support/build-history.js';

const dir = mkdtempSync(join(tmpdir(), 'faultline-load-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const jsonl = new HistoryBuilder().op(0, 'add', 1, undefined).op(1, 'read', null, 1).jsonl();
const edn = [
  '{:type :invoke, :f :add, :value 1, :process 0, :time 10, :index 0}',
  '{:type :ok, :f :add, :value 1, :process 0, :time 20, :index 1}',
  '{:type :invoke, :f :read, :value nil, :process 1, :time 30, :index 2}',
  '{:type :ok, :f :read, :value 1, :process 1, :time 40, :index 3}',
].join('\n');

const stream = (s: string, size = 3) => Readable.from(Array.from({ length: Math.ceil(s.length / size) }, (_, i) => Buffer.from(s.slice(i * size, (i + 1) * size))));

describe('expandSources', () => {
  it('expands directories into their *.jsonl / *.edn files, sorted, keeping argument order', async () => {
    const root = join(dir, 'runs');
    mkdirSync(join(root, 'b', 'deep'), { recursive: true });
    mkdirSync(join(root, 'a'), { recursive: true });
    mkdirSync(join(root, '.hidden'), { recursive: true });
    for (const f of ['b/history.jsonl', 'b/deep/x.edn', 'a/history.jsonl', 'a/results.json', 'a/notes.txt', '.hidden/h.jsonl']) {
      writeFileSync(join(root, f), jsonl);
    }
    mkdirSync(join(dir, 'empty'));
    const got = await expandSources(['-', root, join(dir, 'missing.jsonl'), join(dir, 'empty')]);
    expect(got.map((s) => s.file)).toEqual([
      '-',
      join(root, 'a/history.jsonl'),
      join(root, 'b/deep/x.edn'),
      join(root, 'b/history.jsonl'),
      join(dir, 'missing.jsonl'),
      join(dir, 'empty'),
    ]);
    expect(got[4].problem).toMatch(/missing\.jsonl: no such file or directory$/);
    expect(got[5].problem).toMatch(/no history files/);
    expect(got.slice(0, 4).every((s) => s.problem === undefined)).toBe(true);
  });
});

describe('loading', () => {
  it('sniffs JSONL and EDN on streams (stdin), however chunked', async () => {
    for (const size of [1, 2, 5, 1000]) {
      const a = await readEventsFromStream(stream(jsonl, size), '-', null);
      expect(a.format).toBe('jsonl');
      expect(a.events).toHaveLength(4);
      const b = await readEventsFromStream(stream(`\n  ${edn}`, size), '-', null);
      expect(b.format).toBe('edn');
      expect(b.events.map((e) => [e.type, e.f])).toEqual(a.events.map((e) => [e.type, e.f]));
      expect(b.lines).toEqual([2, 3, 4, 5]);
    }
    const c = await readEventsFromStream(stream(`[${edn}]`), '-', null);
    expect(c.events).toHaveLength(4);
  });

  it('an empty input is an empty history', async () => {
    const r = await readEventsFromStream(stream('\n \n'), '-', null);
    expect(r.events).toEqual([]);
  });

  it('loads files by extension, sniffs others, and pairs them', async () => {
    writeFileSync(join(dir, 'h.jsonl'), jsonl);
    writeFileSync(join(dir, 'h.edn'), edn);
    writeFileSync(join(dir, 'h.txt'), edn);
    for (const f of ['h.jsonl', 'h.edn', 'h.txt']) {
      const l = await loadHistory(join(dir, f));
      expect(l.history.ops.map((o) => [o.f, o.type, o.value])).toEqual([
        ['add', 'ok', 1],
        ['read', 'ok', 1],
      ]);
    }
  });

  it('reads an EDN file of several read chunks (over 1 MiB) whole, on the fast path and through the full reader', async () => {
    // 20,000 ops, one event a line: about 3 MiB flat, more with a field the fast path leaves to the full reader
    const event = (k: number, type: string, extra: string): string => `{:type :${type}, :f :write, :value ${k}, :process ${k % 7}, :time ${2 * k + (type === 'ok' ? 1 : 0)}${extra}}`;
    const history = (extra: (k: number) => string): string =>
      `[${Array.from({ length: 20_000 }, (_, k) => `${event(k, 'invoke', extra(k))}\n${event(k, 'ok', extra(k))}`).join('\n')}]`;
    const files = [
      ['flat.edn', history(() => '')],
      ['odd.edn', history((k) => `, :note "wrïte ${'x'.repeat(k % 40)}"`)],
    ] as const;
    for (const [name, text] of files) {
      expect(Buffer.byteLength(text)).toBeGreaterThan(2 << 20);
      writeFileSync(join(dir, name), text);
      const l = await loadHistory(join(dir, name));
      expect(l.history.ops).toHaveLength(20_000);
      expect(l.history.ops[19_999]).toMatchObject({ f: 'write', type: 'ok', value: 19_999, invokeIndex: 39_998, completeIndex: 39_999 });
      expect(l.lines[39_999]).toBe(40_000);
    }
  });

  it('runs EDN events through the validator, with the EDN line numbers', async () => {
    const bad = edn.replace('{:type :ok, :f :read', '{:type :ok, :f :add');
    writeFileSync(join(dir, 'bad.edn'), bad);
    const err = await readHistoryEvents(join(dir, 'bad.edn')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).line).toBe(4);
    expect((err as InputError).message).toContain('bad.edn:4: expected "f" to be "read" like its invoke at line 3; got "add"');
  });

  it('names stdin "stdin" in file:line messages', async () => {
    const err = await readEventsFromStream(stream('{"index": 0}\n'), '-', null).catch((e: unknown) => e);
    expect((err as InputError).message).toMatch(/^stdin:1: expected "time"/);
  });

  it('reports an unreadable file as exit 66', async () => {
    const err = await readHistoryEvents(join(dir, 'nope.jsonl')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).exitCode).toBe(66);
    expect((err as UserError).message).toMatch(/nope\.jsonl: no such file or directory$/);
  });
});
