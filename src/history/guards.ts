// Guards on raw history text, shared by the JSONL and EDN readers: nesting depth, numbers a double cannot
// hold exactly (never rounded silently), invalid UTF-8, and the size limits with the option that raises them.
import { isUtf8 } from 'node:buffer';

/** Deepest nesting of arrays / objects (maps, vectors, sets) accepted in an event. */
export const MAX_DEPTH = 128;
/** Default bound on one JSONL line or one EDN top-level form, in MiB (`--max-line`). */
export const DEFAULT_MAX_LINE_MIB = 64;
/** EDN is read whole into one string: JavaScript's largest string is just under 512 MiB. */
export const EDN_MAX_BYTES = 500 * 1024 * 1024;
export const MiB = 1024 * 1024;

export interface ReadLimits {
  /** the longest JSONL line / EDN top-level form, in bytes */
  maxLineBytes: number;
  /** the largest EDN document (read whole), in bytes; default EDN_MAX_BYTES */
  ednMaxBytes?: number;
}

export const DEFAULT_LIMITS: ReadLimits = { maxLineBytes: DEFAULT_MAX_LINE_MIB * MiB };

/** "line longer than 64 MiB (the --max-line limit; raise it with --max-line 128)". */
export function lineLimitMessage(what: string, maxLineBytes: number): string {
  const mib = Math.max(1, Math.round(maxLineBytes / MiB));
  return `expected ${what} of at most ${mib} MiB (the --max-line limit); got a longer one (raise it with --max-line ${mib * 2})`;
}

export function depthMessage(): string {
  return `expected values nested at most ${MAX_DEPTH} levels deep; got deeper nesting`;
}

// ---------------------------------------------------------------- numbers

/** A decimal number as sign, significant digits (no leading / trailing zeros) and the power of ten of the point. */
interface Decimal {
  neg: boolean;
  digits: string;
  point: number;
}

/** Decompose a decimal literal (`-12.50e3`, `1E+21`, `0.0001`); null when it is not one. */
function decimal(lit: string): Decimal | null {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(lit);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return null;
  const int = m[2];
  const frac = m[3] ?? '';
  let digits = int + frac;
  let point = int.length + (m[4] === undefined ? 0 : Number(m[4]));
  let lead = 0;
  while (lead < digits.length && digits.charCodeAt(lead) === 48) lead++;
  digits = digits.slice(lead);
  point -= lead;
  let end = digits.length;
  while (end > 0 && digits.charCodeAt(end - 1) === 48) end--;
  digits = digits.slice(0, end);
  if (digits === '') return { neg: false, digits: '', point: 0 }; // zero (and -0, which equals it)
  return { neg: m[1] === '-', digits, point };
}

/**
 * Why a decimal literal cannot be taken as the double it parses to, or null when it can: a literal is
 * accepted only when it is the value of that double's shortest form, so two different numbers in a
 * history never compare equal after parsing (2^53 + 1 = 9007199254740993 would read as …992).
 */
export function inexactDecimal(lit: string): string | null {
  const want = decimal(lit);
  if (want === null) return null;
  const x = Number(lit);
  const got = Number.isFinite(x) ? decimal(String(x)) : null;
  if (got !== null && got.neg === want.neg && got.digits === want.digits && got.point === want.point) return null;
  return inexactMessage(lit, Number.isFinite(x) ? String(x) : String(x));
}

export function inexactMessage(lit: string, readAs: string): string {
  const shown = lit.length > 40 ? `${lit.slice(0, 39)}…` : lit;
  return `expected a number a double holds exactly; got ${shown}, which would be read as ${readAs} (give it as a string, "${shown}", to compare it exactly)`;
}

/** Could a literal need the exactness check? (More than 15 significant digits, or an exponent.) */
function mayBeInexact(lit: string): boolean {
  let sig = 0;
  let started = false;
  for (let i = 0; i < lit.length; i++) {
    const c = lit.charCodeAt(i);
    if (c === 101 || c === 69) return true; // e E
    if (c >= 48 && c <= 57) {
      if (c !== 48) started = true;
      if (started) sig++;
    }
  }
  return sig > 15;
}

/**
 * What numbers a parsed JSON value holds: 0 none, 1 safe integers only, 2 some other number. A literal that
 * JSON.parse reads as a safe integer is exact unless it has a fraction or a negative exponent (3.0000000000000001
 * reads as 3, 1e-400 as 0): so a text with a safe integer needs a closer look only when it has a `.` or a `-`.
 */
export function numberKind(v: unknown): 0 | 1 | 2 {
  if (typeof v === 'number') return Number.isSafeInteger(v) ? 1 : 2;
  if (typeof v !== 'object' || v === null) return 0;
  let kind: 0 | 1 | 2 = 0;
  if (Array.isArray(v)) {
    for (const x of v) {
      const k = numberKind(x);
      if (k === 2) return 2;
      if (k === 1) kind = 1;
    }
    return kind;
  }
  for (const key in v) {
    const k = numberKind((v as Record<string, unknown>)[key]);
    if (k === 2) return 2;
    if (k === 1) kind = 1;
  }
  return kind;
}

/** Could a text holding only safe integers hide an inexact literal? Only with a `.` or a `-` in it (a fast scan). */
export function mayHideFraction(s: string): boolean {
  return s.indexOf('.') >= 0 || s.indexOf('-') >= 0;
}

/** Scan one JSON text for a number literal (outside strings) that a double cannot hold exactly: the problem, or null. */
export function inexactNumberInJson(s: string): string | null {
  const n = s.length;
  let i = 0;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c === 34) {
      // a string: skip to its closing quote
      i++;
      while (i < n) {
        const d = s.charCodeAt(i);
        if (d === 92) i += 2;
        else if (d === 34) break;
        else i++;
      }
      i++;
      continue;
    }
    if (c === 45 || (c >= 48 && c <= 57)) {
      const start = i;
      i++;
      while (i < n) {
        const d = s.charCodeAt(i);
        if ((d >= 48 && d <= 57) || d === 46 || d === 101 || d === 69 || d === 43 || d === 45) i++;
        else break;
      }
      const lit = s.slice(start, i);
      if (mayBeInexact(lit)) {
        const p = inexactDecimal(lit);
        if (p !== null) return p;
      }
      continue;
    }
    i++;
  }
  return null;
}

// ---------------------------------------------------------------- nesting depth

/** Is JSON text `s` nested deeper than MAX_DEPTH? Only a text longer than 2 × MAX_DEPTH can be. */
export function jsonTooDeep(s: string): boolean {
  if (s.length <= 2 * MAX_DEPTH) return false;
  let depth = 0;
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 34) {
      i++;
      while (i < n) {
        const d = s.charCodeAt(i);
        if (d === 92) i += 2;
        else if (d === 34) break;
        else i++;
      }
    } else if (c === 91 || c === 123) {
      if (++depth > MAX_DEPTH) return true;
    } else if (c === 93 || c === 125) {
      depth--;
    }
  }
  return false;
}

// ---------------------------------------------------------------- UTF-8

/** Byte offset of the first invalid UTF-8 sequence in `b`, or -1 when it is all valid (fast native check first). */
export function invalidUtf8At(b: Uint8Array): number {
  if (isUtf8(b)) return -1;
  const n = b.length;
  let i = 0;
  while (i < n) {
    const c = b[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    let len: number;
    let min: number;
    if (c >= 0xc2 && c <= 0xdf) {
      len = 2;
      min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
      len = 3;
      min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
      len = 4;
      min = 0x10000;
    } else {
      return i;
    }
    if (i + len > n) return i;
    let cp = c & (0xff >> (len + 1));
    for (let k = 1; k < len; k++) {
      const d = b[i + k];
      if ((d & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (d & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += len;
  }
  return -1;
}

/** Where the first invalid UTF-8 sequence of `b` is: its 1-based line (counting from `firstLine`) and the byte. */
export function utf8Problem(b: Uint8Array, firstLine: number): { line: number; what: string } | null {
  const at = invalidUtf8At(b);
  if (at < 0) return null;
  let line = firstLine;
  let lineStart = 0;
  for (let i = 0; i < at; i++) {
    if (b[i] === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  const byte = b[at].toString(16).padStart(2, '0');
  return { line, what: `expected UTF-8 text; got the invalid byte 0x${byte} at byte ${at - lineStart + 1} of the line` };
}
