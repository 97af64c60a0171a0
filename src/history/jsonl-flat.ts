// The JSONL fast path's line scanner: one history event line of the common shape (the fields checkers read, with
// integers of at most 15 digits, strings, null, booleans and arrays of them) read from its UTF-8 bytes into fields,
// without JSON.parse or an event object. Any other line (another field, an object, a fraction…) is declined.
import { BAIL, eventType, FIELD, JSON_ESCAPES, MAX_NESTING, Names, QuotedString, wordAt, type Got } from './scan-bytes.js';
import type { EventType, Json, Key, Process } from './types.js';

// the field bits as constants (a property read per field would cost the reader's first, unoptimised runs)
const { index: INDEX, time: TIME, process: PROCESS, type: TYPE, f: F, key: KEY, value: VALUE, node: NODE, error: ERROR } = FIELD;

/** The fields of the line last scanned, as the validator would type them (null key, node, error: absent). */
export class JsonLine {
  index = 0;
  time = 0;
  process: Process = 0;
  type: EventType = 'invoke';
  f = '';
  key: Key | undefined;
  value: Json | undefined;
  node: string | undefined;
  error: string | undefined;

  private t: Buffer = Buffer.alloc(0);
  private pos = 0;
  private end = 0;
  /** short strings (types, fs, nodes), one string each */
  private readonly names = new Names();
  private readonly quoted = new QuotedString();

  /**
   * Scan the line in bytes [start, end) of `buf` (valid UTF-8, no newline): true when it is an event of the common
   * shape whose fields have the validator's types, now in the fields; false for any other line.
   */
  scan(buf: Buffer, start: number, end: number): boolean {
    this.t = buf;
    this.pos = start;
    this.end = end;
    this.key = undefined;
    this.value = undefined;
    this.node = undefined;
    this.error = undefined;
    if (this.ws() !== 123) return false; // '{'
    this.pos++;
    let seen = 0;
    if (this.ws() === 125) return false; // '{}': no fields
    for (;;) {
      if (this.ws() !== 34) return false; // a key is a string
      const bit = this.field();
      if (bit === 0 || (seen & bit) !== 0) return false; // another field, or one given twice
      seen |= bit;
      if (this.ws() !== 58) return false; // ':'
      this.pos++;
      if (this.ws() === -1) return false;
      const v = this.read(0);
      if (v === BAIL || !this.set(bit, v)) return false;
      const c = this.ws();
      this.pos++;
      if (c === 125) break; // '}'
      if (c !== 44) return false; // ','
    }
    if (this.ws() !== -1) return false; // something after the object
    return (seen & (INDEX | TIME | PROCESS | TYPE | F)) === (INDEX | TIME | PROCESS | TYPE | F);
  }

  /** Store a field's value when it has the validator's type for it. */
  private set(bit: number, v: Json): boolean {
    switch (bit) {
      case INDEX:
        if (typeof v !== 'number' || v < 0) return false;
        this.index = v;
        return true;
      case TIME:
        if (typeof v !== 'number' || v < 0) return false;
        this.time = v;
        return true;
      case PROCESS:
        if (typeof v === 'number') this.process = v;
        else if (v === 'nemesis') this.process = 'nemesis';
        else return false;
        return true;
      case TYPE: {
        const type = eventType(v);
        if (type === null) return false;
        this.type = type;
        return true;
      }
      case F:
        if (typeof v !== 'string') return false;
        this.f = v;
        return true;
      case KEY:
        if (v !== null && typeof v !== 'string' && typeof v !== 'number') return false;
        this.key = v ?? undefined;
        return true;
      case VALUE:
        this.value = v;
        return true;
      case NODE:
        if (v !== null && typeof v !== 'string') return false;
        this.node = v ?? undefined;
        return true;
      default:
        // ERROR
        if (v !== null && typeof v !== 'string') return false;
        this.error = v ?? undefined;
        return true;
    }
  }

  /** Skip JSON whitespace; the next byte, or -1 at the end of the line. */
  private ws(): number {
    const t = this.t;
    let pos = this.pos;
    while (pos < this.end) {
      const c = t[pos];
      if (c !== 32 && c !== 9 && c !== 13) {
        this.pos = pos;
        return c;
      }
      pos++;
    }
    this.pos = pos;
    return -1;
  }

  /** The field bit of the key at pos (its '"'), moving past it; 0 for any other key. */
  private field(): number {
    const t = this.t;
    const start = this.pos + 1;
    let end = start;
    while (end < this.end && t[end] !== 34) {
      if (t[end] === 92) return 0; // an escaped key: JSON.parse
      end++;
    }
    if (end >= this.end) return 0;
    this.pos = end + 1;
    // by length and bytes (the common keys, compared byte by byte without a string)
    const c0 = t[start];
    switch (end - start) {
      case 1:
        return c0 === 102 ? F : 0; // f
      case 3:
        return c0 === 107 && t[start + 1] === 101 && t[start + 2] === 121 ? KEY : 0;
      case 4: {
        const c1 = t[start + 1];
        const c2 = t[start + 2];
        const c3 = t[start + 3];
        if (c0 === 116 && c1 === 105 && c2 === 109 && c3 === 101) return TIME;
        if (c0 === 116 && c1 === 121 && c2 === 112 && c3 === 101) return TYPE;
        return c0 === 110 && c1 === 111 && c2 === 100 && c3 === 101 ? NODE : 0;
      }
      case 5:
        if (c0 === 105) return wordAt(this.t, start, 'index') ? INDEX : 0;
        if (c0 === 118) return wordAt(this.t, start, 'value') ? VALUE : 0;
        return c0 === 101 && wordAt(this.t, start, 'error') ? ERROR : 0;
      case 7:
        return c0 === 112 && wordAt(this.t, start, 'process') ? PROCESS : 0;
      default:
        return 0;
    }
  }

  /** A JSON integer of at most 15 digits (exact in a double); a fraction or an exponent is declined. */
  private integer(): Got {
    const t = this.t;
    let pos = this.pos;
    const neg = t[pos] === 45;
    if (neg) pos++;
    const digits = pos;
    let v = 0;
    while (pos < this.end) {
      const c = t[pos];
      if (c < 48 || c > 57) break;
      v = v * 10 + (c - 48);
      pos++;
    }
    const len = pos - digits;
    if (len === 0 || len > 15 || (len > 1 && t[digits] === 48)) return BAIL; // none, too long, a leading zero
    if (pos < this.end) {
      const c = t[pos];
      if (c === 46 || c === 101 || c === 69) return BAIL; // '.', 'e', 'E'
    }
    this.pos = pos;
    return neg ? -v : v;
  }

  /** A JSON string (pos at its '"'); BAIL at a control character, a bad escape or no closing quote. */
  private string(): Got {
    const q = this.quoted;
    const t = this.t;
    if (!q.read(t, this.pos, this.end, JSON_ESCAPES, true)) return BAIL;
    this.pos = q.close + 1;
    return q.escaped ? q.value : this.names.get(t, q.start, q.close);
  }

  /** One value: null, true, false, an integer, a string, or an array of values. */
  private read(depth: number): Got {
    const t = this.t;
    const c = t[this.pos];
    if (c === 34) return this.string();
    if ((c >= 48 && c <= 57) || c === 45) return this.integer();
    if (c === 91) {
      // '['
      if (depth >= MAX_NESTING) return BAIL;
      this.pos++;
      const out: Json[] = [];
      if (this.ws() === 93) {
        this.pos++;
        return out;
      }
      for (;;) {
        if (this.ws() === -1) return BAIL;
        const v = this.read(depth + 1);
        if (v === BAIL) return BAIL;
        out.push(v);
        const d = this.ws();
        this.pos++;
        if (d === 93) return out; // ']'
        if (d !== 44) return BAIL; // ','
      }
    }
    if (c === 110 && wordAt(this.t, this.pos, 'null')) {
      this.pos += 4;
      return null;
    }
    if (c === 116 && wordAt(this.t, this.pos, 'true')) {
      this.pos += 4;
      return true;
    }
    if (c === 102 && wordAt(this.t, this.pos, 'false')) {
      this.pos += 5;
      return false;
    }
    return BAIL; // an object, or anything else
  }
}
