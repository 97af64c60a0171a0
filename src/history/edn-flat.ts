// The fast path of the EDN importer: a Jepsen history in its common shape (flat op maps with keyword keys and
// plain values) read from its UTF-8 bytes straight into op fields, without a string or EDN values first. Anything
// else (tags, sets, nested maps, odd fields, anything malformed) leaves the fast path: the full reader decides.
import { BAIL, EDN_ESCAPES, eventType, FIELD, MAX_NESTING, Names, QuotedString, wordAt, type Got } from './scan-bytes.js';
import type { EventType, Json, Process } from './types.js';

// the field bits as constants (a property read per field would cost the reader's first, unoptimised runs)
const { process: PROCESS, type: TYPE, f: F, value: VALUE, time: TIME, index: INDEX, node: NODE, error: ERROR } = FIELD;

/** 1 for the ASCII codes that end an EDN token (as edn-reader.ts): whitespace, commas, brackets, quotes, ';'. */
const DELIMITER = new Uint8Array(128);
for (const c of ' ,\n\t\r\f()[]{}";') DELIMITER[c.charCodeAt(0)] = 1;

/**
 * The op maps of a history in the flat shape, one at a time: a vector or list of op maps, or op maps one after
 * another. next() reads the next one into the fields. The bytes must be valid UTF-8 (the caller checks).
 */
export class FlatOps {
  // the op map just read
  /** the line it starts on */
  line = 1;
  process: Process = 0;
  type: EventType = 'invoke';
  f = '';
  /** :value (null when absent or nil) */
  value: Json = null;
  /** :time, :index when given (not nil) */
  time: number | undefined;
  index: number | undefined;
  node: string | undefined;
  /** :error as the importer keeps it: a string as is, another value as its JSON text */
  error: string | undefined;

  private pos = 0;
  /** the line at pos */
  private at = 1;
  private started = false;
  private wrapped = false;
  private closer = 0;
  private readonly n: number;
  /** keywords, one string each (a history has a handful) */
  private readonly names = new Names(32, Number.POSITIVE_INFINITY);
  private readonly quoted = new QuotedString();

  /** `maxItem` bounds one op map's length in bytes (the full reader counts characters: where they differ it decides). */
  constructor(
    private readonly text: Buffer,
    private readonly maxItem: number,
  ) {
    this.n = text.length;
    if (text[0] === 0xef && text[1] === 0xbb && text[2] === 0xbf) this.pos = 3; // a byte order mark
  }

  /** Read the next op map: 1 when its fields are set, 0 at the end of the history, -1 when the text leaves the flat shape. */
  next(): 1 | 0 | -1 {
    let c = this.skip();
    if (!this.started) {
      this.started = true;
      if (c === 91 || c === 40) {
        this.wrapped = true;
        this.closer = c === 91 ? 93 : 41;
        this.pos++;
        c = this.skip();
      }
    }
    if (c === -1) return this.wrapped ? -1 : 0; // unclosed, or the end
    if (this.wrapped && c === this.closer) {
      this.pos++;
      return this.skip() === -1 ? 0 : -1; // something after the history
    }
    if (c !== 123) return -1; // not an op map
    const start = this.pos;
    this.line = this.at;
    if (!this.op() || this.pos - start > this.maxItem) return -1;
    return 1;
  }

  /** Skip whitespace, commas and comments; the next byte, or -1 at the end. */
  private skip(): number {
    const t = this.text;
    const n = this.n;
    let pos = this.pos;
    while (pos < n) {
      const c = t[pos];
      if (c === 10) {
        this.at++;
        pos++;
      } else if (c === 32 || c === 44 || c === 9 || c === 13 || c === 12) {
        pos++;
      } else if (c === 59) {
        while (pos < n && t[pos] !== 10) pos++;
      } else {
        this.pos = pos;
        return c;
      }
    }
    this.pos = pos;
    return -1;
  }

  /** The end of the token starting at pos (the first delimiter or the end). */
  private tokenEnd(pos: number): number {
    const t = this.text;
    const n = this.n;
    while (pos < n) {
      const c = t[pos];
      if (c < 128 && DELIMITER[c] === 1) break;
      pos++;
    }
    return pos;
  }

  /** A keyword's name (pos at its ':'); BAIL when there is none. */
  private keyword(): Got {
    const start = this.pos + 1;
    const end = this.tokenEnd(start);
    if (end === start) return BAIL;
    this.pos = end;
    return this.names.get(this.text, start, end);
  }

  /** A plain integer of at most 15 digits (exact in a double), as the full reader's own fast path reads it. */
  private integer(): Got {
    const t = this.text;
    let pos = this.pos;
    const c0 = t[pos];
    const neg = c0 === 45;
    if (neg || c0 === 43) pos++;
    const digits = pos;
    let v = 0;
    for (; pos < this.n; pos++) {
      const c = t[pos];
      if (c < 48 || c > 57) break;
      v = v * 10 + (c - 48);
    }
    if (pos === digits || pos - digits > 15) return BAIL;
    if (pos < this.n) {
      const end = t[pos];
      if (end >= 128 || DELIMITER[end] !== 1) return BAIL; // 1.5, 12N, 3/4, 0x1f: the full reader
    }
    this.pos = pos;
    return neg ? -v : v;
  }

  /** A string (pos at its '"'), with the full reader's escapes; BAIL at a bad escape or no closing quote. */
  private string(): Got {
    const q = this.quoted;
    if (!q.read(this.text, this.pos, this.n, EDN_ESCAPES, false)) return BAIL;
    this.pos = q.close + 1;
    this.at += q.lines;
    return q.escaped ? q.value : this.text.toString('utf8', q.start, q.close);
  }

  /** One value: nil, true, false, an integer, a keyword, a string, or a vector / list of values. */
  private read(depth: number): Got {
    const t = this.text;
    const c = t[this.pos];
    if (c === 58) return this.keyword(); // ':'
    if ((c >= 48 && c <= 57) || c === 45 || c === 43) return this.integer();
    if (c === 34) return this.string();
    if (c === 91 || c === 40) {
      // '[' or '(': up to the matching closer
      if (depth >= MAX_NESTING) return BAIL;
      const closer = c === 91 ? 93 : 41;
      this.pos++;
      const out: Json[] = [];
      for (;;) {
        const d = this.skip();
        if (d === closer) {
          this.pos++;
          return out;
        }
        if (d === -1 || d === 93 || d === 41 || d === 125) return BAIL;
        const v = this.read(depth + 1);
        if (v === BAIL) return BAIL;
        out.push(v);
      }
    }
    const end = this.tokenEnd(this.pos);
    const len = end - this.pos;
    if (len === 3 && wordAt(this.text, this.pos, 'nil')) {
      this.pos = end;
      return null;
    }
    if (len === 4 && wordAt(this.text, this.pos, 'true')) {
      this.pos = end;
      return true;
    }
    if (len === 5 && wordAt(this.text, this.pos, 'false')) {
      this.pos = end;
      return false;
    }
    return BAIL; // a symbol, a tag, a set, a map, a char, a discard…
  }

  /** The field bit of the keyword at pos (moving past it), or 0 for any other key. */
  private field(): number {
    const t = this.text;
    const start = this.pos + 1;
    const end = this.tokenEnd(start);
    this.pos = end;
    switch (end - start) {
      case 1:
        return t[start] === 102 ? F : 0;
      case 4:
        if (wordAt(this.text, start, 'type')) return TYPE;
        if (wordAt(this.text, start, 'time')) return TIME;
        return wordAt(this.text, start, 'node') ? NODE : 0;
      case 5:
        if (wordAt(this.text, start, 'value')) return VALUE;
        if (wordAt(this.text, start, 'index')) return INDEX;
        return wordAt(this.text, start, 'error') ? ERROR : 0;
      case 7:
        return wordAt(this.text, start, 'process') ? PROCESS : 0;
      default:
        return 0;
    }
  }

  /** One op map (pos at its '{') into the fields; false when it is not of the flat shape. */
  private op(): boolean {
    this.pos++;
    let seen = 0;
    this.value = null;
    this.time = undefined;
    this.index = undefined;
    this.node = undefined;
    this.error = undefined;
    for (;;) {
      let c = this.skip();
      if (c === 125) {
        // '}'
        this.pos++;
        break;
      }
      if (c !== 58) return false; // a key that is not a keyword
      const bit = this.field();
      if (bit === 0 || (seen & bit) !== 0) return false; // another field, or one given twice
      seen |= bit;
      c = this.skip();
      if (c === -1 || c === 125 || c === 93 || c === 41) return false;
      const v = this.read(0);
      if (v === BAIL) return false;
      switch (bit) {
        case PROCESS:
          if (typeof v === 'number') this.process = v;
          else if (v === 'nemesis') this.process = 'nemesis';
          else return false; // no process (read as a non-client event), or a bad one
          break;
        case TYPE: {
          const type = eventType(v);
          if (type === null) return false;
          this.type = type;
          break;
        }
        case F:
          if (typeof v !== 'string') return false;
          this.f = v;
          break;
        case VALUE:
          this.value = v;
          break;
        case TIME:
          if (typeof v === 'number') this.time = v;
          else if (v !== null) return false;
          break;
        case INDEX:
          if (typeof v === 'number' && v >= 0) this.index = v;
          else if (v !== null) return false;
          break;
        case NODE:
          // a node that is not a string is dropped by the importer; leave such oddities to it
          if (typeof v !== 'string') return false;
          this.node = v;
          break;
        default:
          // ERROR
          if (typeof v === 'string') this.error = v;
          else if (v !== null) this.error = JSON.stringify(v);
      }
    }
    return (seen & (PROCESS | TYPE | F)) === (PROCESS | TYPE | F);
  }
}
