// Byte-level pieces of the fast readers (edn-flat.ts, jsonl-flat.ts): words compared in place, the short strings a
// history repeats (types, fs, keywords) decoded once each, quoted strings with their backslash escapes, and what
// both know of an event's fields.
import type { EventType, Json } from './types.js';

/** Returned by a fast reader's value read when the text leaves the common shape. */
export const BAIL = Symbol('bail');
export type Got = Json | typeof BAIL;

/** How deep a fast reader follows nested vectors (deeper: the full reader, which bounds it properly). */
export const MAX_NESTING = 16;

/** The event fields a fast reader knows, one bit each (a field given twice leaves the fast path). */
export const FIELD = { index: 1, time: 2, process: 4, type: 8, f: 16, key: 32, value: 64, node: 128, error: 256 } as const;

const TYPE_NAMES: readonly EventType[] = ['invoke', 'ok', 'fail', 'info'];

/** The event type a value names (one string each), or null. */
export function eventType(v: Json): EventType | null {
  const i = typeof v === 'string' ? TYPE_NAMES.indexOf(v as EventType) : -1;
  return i < 0 ? null : TYPE_NAMES[i];
}

/** Do the bytes at `at` spell the ASCII word `w`? */
export function wordAt(t: Uint8Array, at: number, w: string): boolean {
  for (let i = 0; i < w.length; i++) if (t[at + i] !== w.charCodeAt(i)) return false;
  return true;
}

/** The short strings met so far, one string each: the same bytes give the same string without decoding again. */
export class Names {
  private readonly names: string[] = [];
  private readonly bytes: Uint8Array[] = [];

  constructor(
    /** how many names are kept (a history has a handful) */
    private readonly most = 64,
    /** longer strings are decoded every time */
    private readonly longest = 24,
  ) {}

  /** The string of bytes [start, end) of `t` (valid UTF-8). */
  get(t: Buffer, start: number, end: number): string {
    const len = end - start;
    if (len > this.longest) return t.toString('utf8', start, end);
    const known = this.bytes;
    for (let i = 0; i < known.length; i++) {
      const b = known[i];
      if (b.length !== len) continue;
      let j = 0;
      while (j < len && b[j] === t[start + j]) j++;
      if (j === len) return this.names[i];
    }
    const s = t.toString('utf8', start, end);
    if (known.length < this.most) {
      this.names.push(s);
      known.push(Uint8Array.from(t.subarray(start, end)));
    }
    return s;
  }
}

/** EDN's one-character string escapes, by the code after the backslash (as edn-reader.ts reads them). */
export const EDN_ESCAPES: Readonly<Record<number, string>> = { 116: '\t', 114: '\r', 110: '\n', 92: '\\', 34: '"', 98: '\b', 102: '\f' };
/** JSON's. */
export const JSON_ESCAPES: Readonly<Record<number, string>> = { 34: '"', 92: '\\', 47: '/', 98: '\b', 102: '\f', 110: '\n', 114: '\r', 116: '\t' };

/** A quoted string read from bytes: where its text lies, and its value when it has escapes. */
export class QuotedString {
  /** the bytes between the quotes: [start, close) */
  start = 0;
  close = 0;
  /** it had escapes, and `value` is its text; else the caller decodes [start, close) */
  escaped = false;
  value = '';
  /** line breaks inside it (EDN) */
  lines = 0;

  /**
   * Read the string whose opening quote is at `open`, within bytes before `limit`: false at a bad escape, no closing
   * quote, or (`json`) a control character, which JSON does not allow unescaped (EDN does, and counts line breaks).
   */
  read(t: Buffer, open: number, limit: number, escapes: Readonly<Record<number, string>>, json: boolean): boolean {
    let pos = open + 1;
    this.start = pos;
    this.escaped = false;
    this.lines = 0;
    let from = pos;
    let out = '';
    for (;;) {
      if (pos >= limit) return false;
      const d = t[pos];
      if (d === 34) break;
      if (d !== 92) {
        if (d < 32) {
          if (json) return false;
          if (d === 10) this.lines++;
        }
        pos++;
        continue;
      }
      // a backslash
      out += t.toString('utf8', from, pos);
      const e = t[pos + 1];
      const simple = e === undefined ? undefined : escapes[e];
      if (simple !== undefined) {
        out += simple;
        pos += 2;
      } else if (e === 117) {
        // \uXXXX (a lone surrogate too, as both readers take it)
        const hex = t.toString('latin1', pos + 2, pos + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) return false;
        out += String.fromCharCode(parseInt(hex, 16));
        pos += 6;
      } else {
        return false;
      }
      this.escaped = true;
      from = pos;
    }
    this.close = pos;
    if (this.escaped) this.value = out + t.toString('utf8', from, pos);
    return true;
  }
}
