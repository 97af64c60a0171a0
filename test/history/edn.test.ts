// EDN importer: the reader's data types, Jepsen op maps → history events, and syntax errors with lines.
import { describe, expect, it } from 'vitest';
import { pairHistory } from '../../src/history/pair.js';
import { InputError } from '../../src/util/exit.js';
import { EdnTuple, readEdn } from '../../src/history/edn-reader.js';
import { parseEdnHistory } from '../../src/history/edn.js';

function inputError(fn: () => unknown): InputError {
  try {
    fn();
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error('expected an InputError');
}

describe('EDN reader', () => {
  it('reads scalars', () => {
    expect(readEdn('nil')).toBe(null);
    expect(readEdn('true')).toBe(true);
    expect(readEdn('false')).toBe(false);
    expect(readEdn(':read')).toBe('read');
    expect(readEdn(':jepsen.history/op')).toBe('jepsen.history/op');
    expect(readEdn('some-symbol')).toBe('some-symbol');
    expect(readEdn('42')).toBe(42);
    expect(readEdn('-7')).toBe(-7);
    expect(readEdn('+3')).toBe(3);
    expect(readEdn('12345678901234N')).toBe(12345678901234);
    expect(readEdn('1.5')).toBe(1.5);
    expect(readEdn('-2.5e3')).toBe(-2500);
    expect(readEdn('1.25M')).toBe(1.25);
    expect(readEdn('1/4')).toBe(0.25);
    expect(readEdn('-3/2')).toBe(-1.5);
    expect(readEdn('0x1F')).toBe(31);
    expect(readEdn('##Inf')).toBe(Infinity);
  });

  it('reads strings with escapes and characters', () => {
    expect(readEdn('"a\\"b\\\\c\\nd\\te\\u00e9"')).toBe('a"b\\c\nd\teé');
    expect(readEdn('"two\nlines"')).toBe('two\nlines');
    expect(readEdn('\\a')).toBe('a');
    expect(readEdn('\\newline')).toBe('\n');
    expect(readEdn('\\space')).toBe(' ');
    expect(readEdn('\\u0041')).toBe('A');
    expect(readEdn('[\\a \\b]')).toEqual(['a', 'b']);
  });

  it('reads collections, comments, commas and discards', () => {
    expect(readEdn('[1, 2 (3 4) #{5}]')).toEqual([1, 2, [3, 4], [5]]);
    expect(readEdn('{:a 1, "b" [2] 3 nil}')).toEqual({ a: 1, b: [2], '3': null });
    expect(readEdn('[1 ; a comment ]\n 2]')).toEqual([1, 2]);
    expect(readEdn('[1 #_ 2 3 #_[4 5]]')).toEqual([1, 3]);
    expect(readEdn('#_ {:x 1} :kept')).toBe('kept');
    expect(readEdn('{:__proto__ 1}')).toEqual(JSON.parse('{"__proto__": 1}'));
  });

  it('reads tagged literals', () => {
    expect(readEdn('#inst "2024-01-02T03:04:05.000-00:00"')).toBe('2024-01-02T03:04:05.000-00:00');
    expect(readEdn('#uuid "0b4bbbcc-6b5e-4d9c-9a54-1f1f3e9b3c4a"')).toBe('0b4bbbcc-6b5e-4d9c-9a54-1f1f3e9b3c4a');
    expect(readEdn('#jepsen.history.Op{:index 0 :f :read}')).toEqual({ index: 0, f: 'read' });
    expect(readEdn('#jepsen.independent/tuple [3 :x]')).toEqual(new EdnTuple(3, 'x'));
    expect(readEdn('#jepsen.independent.Tuple{:key 3 :value 4}')).toEqual(new EdnTuple(3, 4));
  });
});

describe('parseEdnHistory', () => {
  it('reads a vector of op maps, numbering events in file order', () => {
    const text = `[{:process 0, :type :invoke, :f :write, :value 1}
 {:process 0, :type :ok, :f :write, :value 1}
 {:process :nemesis, :type :info, :f :start, :value "Cut off [:n1 #{:n2}]"}
 {:process 1, :type :invoke, :f :cas, :value [1 2]}]`;
    const { events, lines } = parseEdnHistory(text, 'h.edn');
    expect(lines).toEqual([1, 2, 3, 4]);
    expect(events).toEqual([
      { index: 0, time: 0, process: 0, type: 'invoke', f: 'write', value: 1 },
      { index: 1, time: 1, process: 0, type: 'ok', f: 'write', value: 1 },
      { index: 2, time: 2, process: 'nemesis', type: 'info', f: 'start', value: 'Cut off [:n1 #{:n2}]' },
      { index: 3, time: 3, process: 1, type: 'invoke', f: 'cas', value: [1, 2] },
    ]);
  });

  it('reads an op without :process (or with :process nil) as a non-client event, :f optional, with one warning', () => {
    const text = `{:index 0 :type :invoke :value [[:append 1 1]]}
{:index 1 :type :ok :value [[:append 1 1]]}
{:index 2 :process nil :type :info :f :note}
{:index 3 :process 0 :type :invoke :f :txn :value [[:r 1 nil]]}
{:index 4 :process 0 :type :ok :f :txn :value [[:r 1 [1]]]}`;
    const { events, warnings } = parseEdnHistory(text, 'np.edn');
    expect(events[0]).toEqual({ index: 0, time: 0, process: 'nemesis', type: 'invoke', f: 'unknown', value: [['append', 1, 1]], noProcess: true });
    expect(events[2]).toEqual({ index: 2, time: 2, process: 'nemesis', type: 'info', f: 'note', value: null, noProcess: true });
    expect(events[3]!.process).toBe(0);
    expect(warnings).toEqual([{ line: 1, what: 'this op has no :process (3 ops have none): read as non-client events, as Elle reads them, so no checker judges them' }]);
    const paired = pairHistory(events);
    expect(paired.ops.map((o) => o.invokeIndex)).toEqual([3]);
    expect(paired.nemesis).toHaveLength(3);
    // a client op still needs its :f, and a process of another kind is still refused
    expect(() => parseEdnHistory('[{:process 1 :type :ok}]', 'x')).toThrow('x:1: expected :f to be a keyword, found nothing');
  });

  it('reads a list, or one map per line, with comments', () => {
    const list = parseEdnHistory('; header\n({:process 0 :type :invoke :f :read :value nil}\n ; note\n {:process 0 :type :ok :f :read :value nil})', 'l.edn');
    expect(list.lines).toEqual([2, 4]);
    expect(list.events[1]).toMatchObject({ type: 'ok', value: null });
    const lines = parseEdnHistory('{:process 0 :type :invoke :f :read}\n\n{:process 0 :type :ok :f :read :value 3}\n', 'p.edn');
    expect(lines.lines).toEqual([1, 3]);
    expect(lines.events[0].value).toBe(null);
  });

  it('keeps :time and other fields, takes key and value from independent tuples', () => {
    const text = `#jepsen.history.Op{:index 0, :time 1500, :type :invoke, :process 3, :f :write, :value #jepsen.independent/tuple [:k1 5], :node "n1"}
#jepsen.history.Op{:index 1, :time 2500, :type :info, :process 3, :f :write, :value #jepsen.independent/tuple [:k1 5], :error [:timeout "slow"], :debug {:a 1}}`;
    const { events } = parseEdnHistory(text, 'i.edn');
    expect(events[0]).toEqual({ index: 0, time: 1500, process: 3, type: 'invoke', f: 'write', key: 'k1', value: 5, node: 'n1' });
    expect(events[1]).toMatchObject({ index: 1, time: 2500, key: 'k1', value: 5, error: '["timeout","slow"]', debug: { a: 1 } });
  });

  it('renumbers indices that are not dense', () => {
    const { events } = parseEdnHistory('[{:index 5 :process 0 :type :invoke :f :read} {:index 9 :process 0 :type :ok :f :read :value 1}]', 'x');
    expect(events.map((e) => e.index)).toEqual([0, 1]);
    expect(events.map((e) => e.time)).toEqual([0, 1]);
  });

  it('reads an empty history', () => {
    expect(parseEdnHistory('[]', 'e')).toEqual({ events: [], lines: [], warnings: [] });
    expect(parseEdnHistory('  ; nothing\n', 'e')).toEqual({ events: [], lines: [], warnings: [] });
  });

  it.each([
    ['[{:process 0 :type :invoke :f :read}\n {:process 0 :type :ok', 2, "expected '}' to close the '{' opened at line 2, found end of input"],
    ['[{:process 0 :type :invoke :f :read}\n\n', 3, "expected ']' to close the '[' opened at line 1, found end of input"],
    ['[{:process 0 :type :invoke :f :read)]', 1, "expected '}' to close the '{' opened at line 1, found ')'"],
    ['[{:process 0\n :type :invoke :f}]', 1, 'expected a value for the key f in the map opened at line 1'],
    ['[{:process 0 :type :invoke :f :read :value "abc\n\n]', 1, 'expected \'"\' to close the string opened at line 1, found end of input'],
    ['[{:process 0 :type :invoke :f :read :value 12x}]', 1, "expected a number, found '12x'"],
    ['[{:process 0 :type :invoke :f :read}]\n]', 2, "expected end of input after the history opened at line 1, found ']'"],
    ['[{:process 0 :type :invoke :f :read}\n 42]', 2, 'expected an op map {:process …, :type …, :f …, :value …}, found 42'],
    ['[{:process "p1" :type :invoke :f :read}]', 1, 'expected :process to be an integer or :nemesis, found "p1"'],
    ['[\n{:process 1 :type :begin :f :read}]', 2, 'expected :type to be :invoke, :ok, :fail or :info, found "begin"'],
    ['[{:process 1 :type :ok}]', 1, 'expected :f to be a keyword, found nothing'],
    ['[{:process 1 :type :ok :f :read :value "\\q"}]', 1, 'expected a string escape (\\t \\r \\n \\\\ \\" \\b \\f \\uXXXX), found \'\\q\''],
    ['[{:process 1 :type :ok :f :read :value #}]', 1, "expected a tag, set or discard after '#', found '}'"],
    ['[{:process 1 :type :ok :f :read :value #jepsen.independent/tuple [1]}]', 1, 'expected [key value] after #jepsen.independent/tuple'],
  ])('syntax error in %j → line %i', (text, line, what) => {
    const e = inputError(() => parseEdnHistory(text, 'bad.edn'));
    expect({ file: e.file, line: e.line, what: e.what }).toEqual({ file: 'bad.edn', line, what });
    expect(e.message).toBe(`bad.edn:${line}: ${what}`);
  });
});
