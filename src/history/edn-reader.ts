// A small hand-written EDN reader, enough for Jepsen histories: values become plain JS data
// (keywords → strings, sets → arrays, maps → objects); syntax errors throw InputError(file, line, what).
// Nesting is bounded (MAX_DEPTH), numbers a double cannot hold exactly are refused, a leading BOM is skipped.
import { InputError } from '../util/exit.js';
import { DEFAULT_LIMITS, depthMessage, inexactDecimal, inexactMessage, lineLimitMessage, MAX_DEPTH, type ReadLimits } from './guards.js';

/** `#jepsen.independent/tuple [k v]` (or the record form `#jepsen.independent.Tuple{:key k :value v}`). */
export class EdnTuple {
  constructor(
    readonly key: EdnValue,
    readonly value: EdnValue,
  ) {}
}

export type EdnValue = null | boolean | number | string | EdnValue[] | EdnMap | EdnTuple;
export interface EdnMap {
  [k: string]: EdnValue;
}

/** A top-level form (or an element of the top-level collection) with the line it starts on. */
export interface EdnItem {
  value: EdnValue;
  line: number;
}

const CHAR_NAMES: Record<string, string> = {
  newline: '\n',
  space: ' ',
  tab: '\t',
  return: '\r',
  formfeed: '\f',
  backspace: '\b',
};
const STRING_ESCAPES: Record<string, string> = { t: '\t', r: '\r', n: '\n', '\\': '\\', '"': '"', b: '\b', f: '\f' };
const CLOSERS: Record<string, string> = { '(': ')', '[': ']', '{': '}' };

/** 1 for the ASCII codes that end a token (whitespace, commas, brackets, quotes, comments). */
const DELIMITER = new Uint8Array(128);
for (const c of ' ,\n\t\r\f()[]{}";') DELIMITER[c.charCodeAt(0)] = 1;

function isDelimiter(c: string): boolean {
  const code = c.charCodeAt(0);
  return code < 128 && DELIMITER[code] === 1;
}

/** What a form inside each collection is expected to be, for error messages (built once). */
const INSIDE: Record<string, string> = { ')': "a value or ')'", ']': "a value or ']'", '}': "a value or '}'" };

const DISCARD = Symbol('discard');
type Read = EdnValue | typeof DISCARD;

function display(c: string | undefined): string {
  if (c === undefined) return 'end of input';
  return c === '\n' ? 'a line break' : `'${c}'`;
}

function setField(obj: EdnMap, k: string, v: EdnValue): void {
  if (k === '__proto__') Object.defineProperty(obj, k, { value: v, enumerable: true, writable: true, configurable: true });
  else obj[k] = v;
}

/** The text of a map key: keywords and strings as is, other values as their JSON text. */
function keyText(k: EdnValue): string {
  if (typeof k === 'string') return k;
  if (typeof k === 'number' || typeof k === 'boolean' || k === null) return String(k);
  return JSON.stringify(k instanceof EdnTuple ? [k.key, k.value] : k);
}

/** Forms nested in one another: collections, and the tags, discards and metadata that wrap a form. */
const MAX_FORM_DEPTH = MAX_DEPTH + 1;

class Reader {
  pos = 0;
  line = 1;
  depth = 0;

  constructor(
    readonly text: string,
    readonly file: string,
  ) {}

  fail(what: string, line = this.line): never {
    throw new InputError(this.file, line, what);
  }

  /** Skip whitespace, commas and comments; return the next character (not consumed) or undefined at end. */
  skip(): string | undefined {
    const t = this.text;
    const n = t.length;
    let pos = this.pos;
    while (pos < n) {
      const c = t.charCodeAt(pos);
      if (c === 10) {
        this.line++;
        pos++;
      } else if (c === 32 || c === 44 || c === 9 || c === 13 || c === 12) {
        pos++;
      } else if (c === 59) {
        while (pos < n && t.charCodeAt(pos) !== 10) pos++;
      } else {
        this.pos = pos;
        return t[pos];
      }
    }
    this.pos = pos;
    return undefined;
  }

  /** Read one form, skipping #_ discards. */
  form(context: string): EdnValue {
    for (;;) {
      const v = this.read(context);
      if (v !== DISCARD) return v;
    }
  }

  /** Read one form (or a discard), bounding how deep forms nest (recursion would overflow the stack). */
  read(context: string): Read {
    if (++this.depth > MAX_FORM_DEPTH) this.fail(depthMessage());
    const v = this.readForm(context);
    this.depth--;
    return v;
  }

  private readForm(context: string): Read {
    const c = this.skip();
    if (c === undefined) this.fail(`expected ${context}, found end of input`);
    const t = this.text;
    switch (c) {
      case '(':
      case '[': {
        this.pos++;
        return this.values(c, this.line);
      }
      case '{':
        this.pos++;
        return this.map(this.line);
      case ')':
      case ']':
      case '}':
        return this.fail(`expected ${context}, found unmatched '${c}'`);
      case '"':
        return this.string();
      case '\\':
        return this.char();
      case ':':
        this.pos++;
        return this.token('a keyword name');
      case '#':
        return this.dispatch();
      case '^': {
        this.pos++;
        this.form('metadata after ^');
        return DISCARD;
      }
      default:
        break;
    }
    const first = t[this.pos];
    const second = t[this.pos + 1] ?? '';
    if ((first >= '0' && first <= '9') || ((first === '-' || first === '+') && second >= '0' && second <= '9')) {
      return this.number();
    }
    const sym = this.token('a symbol');
    if (sym === 'nil') return null;
    if (sym === 'true') return true;
    if (sym === 'false') return false;
    return sym;
  }

  /** Read symbol characters; fails when there are none. */
  token(what: string): string {
    const t = this.text;
    const n = t.length;
    const start = this.pos;
    let pos = start;
    while (pos < n) {
      const c = t.charCodeAt(pos);
      if (c < 128 && DELIMITER[c] === 1) break;
      pos++;
    }
    this.pos = pos;
    if (pos === start) this.fail(`expected ${what}, found ${display(t[pos])}`);
    return t.slice(start, pos);
  }

  /** A number token; one a double cannot hold exactly (2^53 + 1, 1/3, 1e400) is refused, never rounded. */
  number(): number {
    // fast path: a plain integer of at most 15 digits (always exact), read without a token or a regex
    const t = this.text;
    let pos = this.pos;
    const neg = t.charCodeAt(pos) === 45;
    if (neg || t.charCodeAt(pos) === 43) pos++;
    const digits = pos;
    let v = 0;
    for (; pos < t.length; pos++) {
      const c = t.charCodeAt(pos);
      if (c < 48 || c > 57) break;
      v = v * 10 + (c - 48);
    }
    const end = t.charCodeAt(pos);
    if (pos - digits <= 15 && pos > digits && (Number.isNaN(end) || (end < 128 && DELIMITER[end] === 1))) {
      this.pos = pos;
      return neg ? -v : v;
    }
    const tok = this.token('a number');
    let m: RegExpMatchArray | null;
    if ((m = /^([+-]?\d+)N?$/.exec(tok)) || (m = /^([+-]?\d+(?:\.\d*)?(?:[eE][+-]?\d+)?)M?$/.exec(tok))) return this.exact(m[1], tok);
    if ((m = /^([+-]?)0[xX]([0-9a-fA-F]+)N?$/.exec(tok))) {
      const v = (m[1] === '-' ? -1 : 1) * parseInt(m[2], 16);
      if (!Number.isSafeInteger(v)) this.fail(inexactMessage(tok, String(v)));
      return v;
    }
    if ((m = /^([+-]?\d+)\/(\d+)$/.exec(tok))) {
      const num = this.exact(m[1], tok);
      const den = this.exact(m[2], tok);
      if (den === 0) this.fail(`expected a ratio with a non-zero denominator, found ${tok}`);
      // exact only when the reduced denominator is a power of two (1/4 is 0.25; 1/3 has no double)
      let a = Math.abs(num);
      let b = den;
      while (b !== 0) [a, b] = [b, a % b];
      const reduced = den / a;
      if (!Number.isSafeInteger(num) || !Number.isSafeInteger(den) || (reduced & (reduced - 1)) !== 0 || reduced > 2 ** 30) {
        this.fail(inexactMessage(tok, String(num / den)));
      }
      return num / den;
    }
    return this.fail(`expected a number, found '${tok}'`);
  }

  private exact(lit: string, tok: string): number {
    const problem = inexactDecimal(lit);
    if (problem !== null) this.fail(problem.replaceAll(lit, tok));
    return Number(lit);
  }

  string(): string {
    const t = this.text;
    const startLine = this.line;
    this.pos++;
    let out = '';
    let from = this.pos;
    while (this.pos < t.length) {
      const c = t[this.pos];
      if (c === '"') {
        out += t.slice(from, this.pos);
        this.pos++;
        return out;
      }
      if (c === '\n') this.line++;
      if (c === '\\') {
        out += t.slice(from, this.pos);
        const e = t[this.pos + 1];
        if (e === 'u') {
          const hex = t.slice(this.pos + 2, this.pos + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail(`expected 4 hex digits after \\u in a string, found '${hex}'`);
          out += String.fromCharCode(parseInt(hex, 16));
          this.pos += 6;
        } else if (e !== undefined && STRING_ESCAPES[e] !== undefined) {
          out += STRING_ESCAPES[e];
          this.pos += 2;
        } else {
          this.fail(`expected a string escape (\\t \\r \\n \\\\ \\" \\b \\f \\uXXXX), found ${display(e === undefined ? undefined : `\\${e}`)}`);
        }
        from = this.pos;
        continue;
      }
      this.pos++;
    }
    return this.fail(`expected '"' to close the string opened at line ${startLine}, found end of input`, startLine);
  }

  char(): string {
    const t = this.text;
    this.pos++;
    const c = t[this.pos];
    if (c === undefined) this.fail('expected a character after \\, found end of input');
    const start = this.pos;
    this.pos++;
    while (this.pos < t.length && !isDelimiter(t[this.pos])) this.pos++;
    const name = t.slice(start, this.pos);
    if (name.length === 1) return name;
    if (CHAR_NAMES[name] !== undefined) return CHAR_NAMES[name];
    if (/^u[0-9a-fA-F]{4}$/.test(name)) return String.fromCharCode(parseInt(name.slice(1), 16));
    return this.fail(`expected a character (\\c, \\newline, \\space, \\tab, \\uXXXX), found '\\${name}'`);
  }

  dispatch(): Read {
    const t = this.text;
    const next = t[this.pos + 1];
    if (next === '{') {
      this.pos += 2;
      return this.values('#{', this.line);
    }
    if (next === '_') {
      this.pos += 2;
      this.form('a form after #_');
      return DISCARD;
    }
    if (next === '#') {
      this.pos += 2;
      const sym = this.token('a symbolic value after ##');
      if (sym === 'Inf') return Number.POSITIVE_INFINITY;
      if (sym === '-Inf') return Number.NEGATIVE_INFINITY;
      if (sym === 'NaN') return Number.NaN;
      return this.fail(`expected ##Inf, ##-Inf or ##NaN, found ##${sym}`);
    }
    if (next === '"') {
      this.pos++;
      return this.string(); // a regex: kept as its source text
    }
    this.pos++;
    const line = this.line;
    if (next === undefined || isDelimiter(next)) this.fail(`expected a tag, set or discard after '#', found ${display(next)}`);
    const tag = this.token('a tag');
    const value = this.form(`a value after the tag #${tag}`);
    return this.tagged(tag, value, line);
  }

  tagged(tag: string, value: EdnValue, line: number): EdnValue {
    if (tag === 'jepsen.independent/tuple') {
      if (!Array.isArray(value) || value.length !== 2) this.fail('expected [key value] after #jepsen.independent/tuple', line);
      return new EdnTuple(value[0], value[1]);
    }
    if (tag === 'jepsen.independent.Tuple') {
      if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof EdnTuple) {
        this.fail('expected {:key k, :value v} after #jepsen.independent.Tuple', line);
      }
      return new EdnTuple(value.key ?? null, value.value ?? null);
    }
    // #inst "…", #uuid "…", #jepsen.history.Op{…} and any other tag: the tagged value itself
    return value;
  }

  /** Elements up to the closer of `open`, each with its starting line (and at most maxItem characters long). */
  elements(open: string, openLine: number, maxItem = Number.POSITIVE_INFINITY): EdnItem[] {
    const closer = CLOSERS[open] ?? '}';
    const items: EdnItem[] = [];
    for (;;) {
      const c = this.skip();
      if (c === undefined) this.fail(`expected '${closer}' to close the '${open}' opened at line ${openLine}, found end of input`);
      if (c === closer) {
        this.pos++;
        return items;
      }
      if (c === ')' || c === ']' || c === '}') {
        this.fail(`expected '${closer}' to close the '${open}' opened at line ${openLine}, found '${c}'`);
      }
      const line = this.line;
      const start = this.pos;
      const v = this.read(INSIDE[closer]);
      if (this.pos - start > maxItem) this.fail(lineLimitMessage('an EDN form', maxItem), line);
      if (v !== DISCARD) items.push({ value: v, line });
    }
  }

  /** The values up to the closer of `open` (a nested collection: no lines kept). */
  values(open: string, openLine: number): EdnValue[] {
    const closer = CLOSERS[open] ?? '}';
    const context = INSIDE[closer];
    const out: EdnValue[] = [];
    for (;;) {
      const c = this.skip();
      if (c === undefined) this.fail(`expected '${closer}' to close the '${open}' opened at line ${openLine}, found end of input`);
      if (c === closer) {
        this.pos++;
        return out;
      }
      if (c === ')' || c === ']' || c === '}') {
        this.fail(`expected '${closer}' to close the '${open}' opened at line ${openLine}, found '${c}'`);
      }
      const v = this.read(context);
      if (v !== DISCARD) out.push(v);
    }
  }

  map(openLine: number): EdnMap {
    const items = this.values('{', openLine);
    if (items.length % 2 !== 0) {
      this.fail(`expected a value for the key ${keyText(items[items.length - 1])} in the map opened at line ${openLine}`, openLine);
    }
    const obj: EdnMap = {};
    for (let i = 0; i < items.length; i += 2) {
      const k = keyText(items[i]);
      const v = items[i + 1];
      // the fields of an op map by constant names: named stores, internalized keys (the common case, fast)
      switch (k) {
        case 'process':
          obj.process = v;
          break;
        case 'type':
          obj.type = v;
          break;
        case 'f':
          obj.f = v;
          break;
        case 'value':
          obj.value = v;
          break;
        case 'time':
          obj.time = v;
          break;
        case 'index':
          obj.index = v;
          break;
        default:
          setField(obj, k, v);
      }
    }
    return obj;
  }
}

/**
 * The items of an EDN document: when it is one vector or list, its elements; otherwise its top-level forms.
 * Each item carries the 1-based line where it starts.
 */
export function readEdnItems(text: string, file: string, limits: ReadLimits = DEFAULT_LIMITS): EdnItem[] {
  const r = new Reader(text, file);
  if (text.charCodeAt(0) === 0xfeff) r.pos = 1;
  const max = limits.maxLineBytes;
  const bounded = (item: EdnItem, start: number): EdnItem => {
    if (r.pos - start > max) r.fail(lineLimitMessage('an EDN form', max), item.line);
    return item;
  };
  let c = r.skip();
  // leading discards
  while (c === '#' && text[r.pos + 1] === '_') {
    r.read('a form');
    c = r.skip();
  }
  if (c === '[' || c === '(') {
    const line = r.line;
    r.pos++;
    r.depth++;
    const items = r.elements(c, line, max);
    r.depth--;
    const after = r.skip();
    if (after !== undefined) r.fail(`expected end of input after the history opened at line ${line}, found ${display(after)}`);
    return items;
  }
  const items: EdnItem[] = [];
  while (r.skip() !== undefined) {
    const line = r.line;
    const start = r.pos;
    const v = r.read('a value');
    if (v !== DISCARD) items.push(bounded({ value: v, line }, start));
  }
  return items;
}

/** Read one EDN value (the whole text must be one form). */
export function readEdn(text: string, file = '<edn>'): EdnValue {
  const r = new Reader(text, file);
  if (text.charCodeAt(0) === 0xfeff) r.pos = 1;
  const v = r.form('a value');
  const after = r.skip();
  if (after !== undefined) r.fail(`expected end of input, found ${display(after)}`);
  return v;
}
