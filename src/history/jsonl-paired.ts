// The JSONL fast path all the way to ops: a file paired as it is read (op-pairing.ts), lines of the common shape
// scanned from their bytes (jsonl-flat.ts), others parsed as the event reader does. Anything it would refuse or warn
// of (but a time going backwards) returns null: the file is then read event by event, which says what is wrong.
import { closeSync, constants as fsConstants, fstatSync, openSync, readSync } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import type { ReadLimits } from './guards.js';
import { checkLineNumbers, isBlankLine, parseLineJson } from './jsonl.js';
import { JsonLine } from './jsonl-flat.js';
import { OpPairing, type PairedRead } from './op-pairing.js';
import { checkEventShape } from './validate.js';

const CHUNK = 1 << 20;

/** Pairs the lines of a file as they come; each call answers false to give the file up. */
class LinePairing {
  readonly pairing = new OpPairing();
  private readonly scanner = new JsonLine();
  line = 0;
  /** bytes of the first line not in the buffer (its byte order mark) that the line limit counts */
  firstExtra = 0;

  constructor(
    private readonly file: string,
    private readonly maxLine: number,
  ) {}

  /** The lines of bytes [from, to): one more than the newlines in it, the last ending at `to` (empty ones too). */
  lines(buf: Buffer, from: number, to: number): boolean {
    let start = from;
    for (;;) {
      let end = buf.indexOf(10, start);
      if (end < 0 || end > to) end = to;
      if (!this.one(buf, start, end)) return false;
      if (end >= to) return true;
      start = end + 1;
    }
  }

  /** One line, bytes [start, end) without its newline. */
  one(buf: Buffer, start: number, end: number): boolean {
    const line = ++this.line;
    if (end - start + (line === 1 ? this.firstExtra : 0) > this.maxLine) return false;
    const first = start < end ? buf[start] : 32;
    const s = this.scanner;
    if (first === 123 && s.scan(buf, start, end) && s.process !== 'nemesis') {
      return s.index === this.pairing.count && this.pairing.take(s, line);
    }
    // any other line as the event reader reads it (the rare one: a nemesis event, a field of its own, blank…)
    const text = buf.toString('utf8', start, end);
    if (isBlankLine(text)) return true;
    try {
      const e = checkEventShape(parseLineJson(text, this.file, line), this.file, line);
      checkLineNumbers(e, text, true, this.file, line);
      if (e.index !== this.pairing.count) return false;
      return e.process === 'nemesis' ? this.pairing.takeNemesis(e, line) : this.pairing.take(e, line);
    } catch {
      return false; // refused: the event reader says why
    }
  }
}

/**
 * Read and pair a JSONL history file (a regular file: the caller has checked, and opens it again if this gives up);
 * null when the file is anything the event-by-event reader would refuse or has more to say about.
 */
export function pairJsonlFile(path: string, file: string, limits: ReadLimits): PairedRead | null {
  let fd: number;
  try {
    fd = openSync(path, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
  } catch {
    return null;
  }
  try {
    if (!fstatSync(fd).isFile()) return null;
    const p = new LinePairing(file, limits.maxLineBytes);
    let carry: Buffer | null = null;
    let firstChunk = true;
    const chunk = Buffer.allocUnsafe(CHUNK);
    for (;;) {
      const n = readSync(fd, chunk, 0, CHUNK, null);
      if (n === 0) break;
      let buf: Buffer = carry === null ? chunk.subarray(0, n) : Buffer.concat([carry, chunk.subarray(0, n)]);
      carry = null;
      if (firstChunk) {
        firstChunk = false;
        if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) {
          // a byte order mark: the event reader counts it towards the limit of a first line it holds past its chunk,
          // so a first line that long with the mark is left to it
          buf = buf.subarray(3);
          p.firstExtra = 3;
        }
      }
      const nl = buf.lastIndexOf(10);
      if (nl < 0) {
        if (buf.length + (p.line === 0 ? p.firstExtra : 0) > limits.maxLineBytes) return null;
        carry = Buffer.from(buf);
        continue;
      }
      // the complete lines must be valid UTF-8 (the event reader names the line that is not)
      if (!isUtf8(buf.subarray(0, nl)) || !p.lines(buf, 0, nl)) return null;
      if (nl + 1 < buf.length) carry = Buffer.from(buf.subarray(nl + 1));
    }
    // a last line without a newline: taken when whole (as the event reader takes it), else the event reader's
    // warning about a torn tail is to be given
    if (carry !== null && (!isUtf8(carry) || !p.one(carry, 0, carry.length))) return null;
    return p.pairing.result();
  } finally {
    closeSync(fd);
  }
}
