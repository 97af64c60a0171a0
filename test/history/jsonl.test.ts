// JSONL reader: valid input in any chunking, and every class of malformed input → InputError(file, line, expected).
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/util/exit.js';
import { JsonlParser, parseJsonlText, readJsonlStream } from '../../src/history/jsonl.js';
import type { HistoryEvent } from '../../src/history/types.js';

const inv = (index: number, process: number | 'nemesis', f = 'read', extra: object = {}) =>
  JSON.stringify({ index, time: index * 10, process, type: 'invoke', f, value: null, ...extra });
const done = (index: number, process: number, type: string, f = 'read', extra: object = {}) =>
  JSON.stringify({ index, time: index * 10, process, type, f, value: 1, ...extra });

function errorOf(text: string): InputError {
  try {
    parseJsonlText(text, 'h.jsonl');
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return err as InputError;
  }
  throw new Error('expected an InputError');
}

describe('JSONL reader', () => {
  it('reads events with their source lines, skipping blank lines', () => {
    const text = [inv(0, 0), '', '   ', done(1, 0, 'ok'), inv(2, 'nemesis', 'kill'), ''].join('\n');
    const { events, lines } = parseJsonlText(text, 'h.jsonl');
    expect(events.map((e) => e.index)).toEqual([0, 1, 2]);
    expect(lines).toEqual([1, 4, 5]);
    expect(events[1]).toMatchObject({ process: 0, type: 'ok', f: 'read', value: 1 });
  });

  it('accepts CRLF line ends, a BOM and a last line without newline', () => {
    const text = '\ufeff' + [inv(0, 0), done(1, 0, 'ok')].join('\r\n');
    expect(parseJsonlText(text, 'h').events).toHaveLength(2);
  });

  it('drops optional fields given as null and keeps extra fields', () => {
    const { events } = parseJsonlText(inv(0, 3, 'read', { key: null, node: null, extra: 'x' }), 'h');
    expect(events[0]).not.toHaveProperty('key');
    expect(events[0]).not.toHaveProperty('node');
    expect(events[0].extra).toBe('x');
  });

  it('gives the same events whatever the chunking, multi-byte characters included', async () => {
    const text = [inv(0, 0, 'add', { value: 'é€😀' }), done(1, 0, 'ok', 'add', { value: 'é€😀' }), inv(2, 1), ''].join('\n');
    const whole = parseJsonlText(text, 'h').events;
    const bytes = Buffer.from(text, 'utf8');
    for (let size = 1; size <= 48; size++) {
      const got: HistoryEvent[] = [];
      const chunks: Buffer[] = [];
      for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
      const n = await readJsonlStream(Readable.from(chunks), 'h', (e) => got.push(e));
      expect(n).toBe(3);
      expect(got).toEqual(whole);
    }
  });

  it('drops a last line cut short (a killed writer) with a warning, and keeps the events before it', () => {
    for (const tail of ['{"index": 1, "ti', '{"index": 1,', '{"index": 1, "time": 10, "process": 0, "type": "ok", "f": "read", "value": [1, 2', '{"index": 1, "f": "re']) {
      const p = new JsonlParser('h.jsonl', () => {});
      p.push(Buffer.from(`${inv(0, 0)}\n${tail}`));
      p.end();
      expect(p.events).toBe(1);
      expect(p.warnings()).toEqual([{ line: 2, what: expect.stringMatching(/^the last line has no newline and is not whole JSON \(\d+ bytes: a writer killed mid-write\?\); it was ignored$/) }]);
    }
    // the same text with its newline is a malformed line, not a torn write
    expect(errorOf(`${inv(0, 0)}\n{"index": 1,\n`).line).toBe(2);
  });

  it('counts lines across chunk borders for error messages', () => {
    const p = new JsonlParser('h.jsonl', () => {});
    p.push(Buffer.from(`${inv(0, 0)}\n\n`));
    p.push(Buffer.from(`${done(1, 0, 'ok')}\n{"ind`));
    expect(() => {
      p.push(Buffer.from('ex": 5}\n'));
    }).toThrow('h.jsonl:4: ');
  });

  const cases: Array<[string, string, number, RegExp]> = [
    ['bad JSON', `${inv(0, 0)}\n{"index": 1,\n${inv(1, 1)}`, 2, /^expected one JSON object per line; got invalid JSON \(.+\)$/],
    ['bad JSON on an unterminated last line', `${inv(0, 0)}\n{"index": 1}x`, 2, /^expected one JSON object per line; got invalid JSON \(.+\)$/],
    ['a non-object', `${inv(0, 0)}\n[1,2]`, 2, /^expected an event object; got \[1,2\]$/],
    ['a missing index', JSON.stringify({ time: 0, process: 0, type: 'invoke', f: 'read' }), 1, /^expected "index" to be a non-negative integer; got nothing$/],
    ['a string index', JSON.stringify({ index: '0', time: 0, process: 0, type: 'invoke', f: 'read' }), 1, /^expected "index" .*; got "0"$/],
    ['a fractional time', JSON.stringify({ index: 0, time: 1.5, process: 0, type: 'invoke', f: 'read' }), 1, /^expected "time" to be a non-negative integer \(nanoseconds since the test started\); got 1.5$/],
    ['a missing time', JSON.stringify({ index: 0, process: 0, type: 'invoke', f: 'read' }), 1, /^expected "time" .*; got nothing$/],
    ['a bad process', JSON.stringify({ index: 0, time: 0, process: 'p1', type: 'invoke', f: 'read' }), 1, /^expected "process" to be an integer or "nemesis"; got "p1"$/],
    ['an unknown type', `${inv(0, 0)}\n${done(1, 0, 'okay')}`, 2, /^expected "type" to be one of invoke, ok, fail, info; got "okay"$/],
    ['a missing f', JSON.stringify({ index: 0, time: 0, process: 0, type: 'invoke' }), 1, /^expected "f" to be a string; got nothing$/],
    ['an ill-typed key', inv(0, 0, 'read', { key: [1] }), 1, /^expected "key" to be a string or an integer; got \[1\]$/],
    ['an ill-typed node', inv(0, 0, 'read', { node: 3 }), 1, /^expected "node" to be a string; got 3$/],
    ['a completion without invoke', `${inv(0, 0)}\n${done(1, 1, 'ok')}`, 2, /^expected an invoke of process 1 before this ok; got none pending$/],
    ['a completion with another f', `${inv(0, 0)}\n\n${done(1, 0, 'ok', 'write')}`, 3, /^expected "f" to be "read" like its invoke at line 1; got "write"$/],
    ['a completion with another key', `${inv(0, 0, 'read', { key: 'a' })}\n${done(1, 0, 'fail', 'read', { key: 'b' })}`, 2, /^expected "key" to be "a" like its invoke at line 1; got "b"$/],
    ['a completion without the key', `${inv(0, 0, 'read', { key: 'a' })}\n${done(1, 0, 'ok')}`, 2, /^expected "key" to be "a" .*; got nothing$/],
    ['a second invoke while one is pending', `${inv(0, 0)}\n${inv(1, 0)}`, 2, /^expected a completion \(ok, fail or info\) of process 0's invoke at line 1; got another invoke$/],
    ['an index gap', `${inv(0, 0)}\n${done(2, 0, 'ok')}`, 2, /^expected "index" to be 1 \(indices are dense from 0\); got 2$/],
    ['an index not starting at 0', inv(1, 0), 1, /^expected "index" to be 0 .*; got 1$/],
    ['a repeated index', `${inv(0, 0)}\n${inv(0, 1)}`, 2, /^expected "index" to be 1 .*; got 0$/],
  ];
  for (const [name, text, line, what] of cases) {
    it(`rejects ${name} with file:line and what was expected`, () => {
      const err = errorOf(text);
      expect(err.file).toBe('h.jsonl');
      expect(err.line).toBe(line);
      expect(err.what).toMatch(what);
      expect(err.message).toBe(`h.jsonl:${line}: ${err.what}`);
      expect(err.message).not.toContain('\n');
      expect(err.exitCode).toBe(65);
    });
  }

  it('does not pair nemesis events', () => {
    const text = [inv(0, 'nemesis', 'start-partition'), inv(1, 'nemesis', 'kill'), JSON.stringify({ index: 2, time: 0, process: 'nemesis', type: 'info', f: 'heal' })].join('\n');
    expect(parseJsonlText(text, 'h').events).toHaveLength(3);
  });

  it('bounds the length of the JSON error message', () => {
    const err = errorOf(`{"index": 0, "x": "${'a'.repeat(5000)}\n`);
    expect(err.message.length).toBeLessThan(300);
  });
});
