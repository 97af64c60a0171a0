// Streaming JSONL history reader: splits byte chunks into lines, checks them (UTF-8, line length, nesting
// depth, numbers in `value` / `key` a double cannot hold: see guards.ts), JSON-parses and validates each
// (validate.ts) and hands typed events to a sink. Blank lines are skipped but still counted; a leading BOM is dropped.
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { InputError } from '../util/exit.js';
import {
  DEFAULT_LIMITS,
  depthMessage,
  inexactNumberInJson,
  jsonTooDeep,
  lineLimitMessage,
  utf8Problem,
  mayHideFraction,
  numberKind,
  type ReadLimits,
} from './guards.js';
import type { HistoryEvent } from './types.js';
import { HistoryValidator, type InputWarning } from './validate.js';

export type EventSink = (event: HistoryEvent, line: number) => void;

/** One-line, bounded rendering of a JSON.parse error. */
function jsonError(err: unknown): string {
  const msg = (err instanceof Error ? err.message : String(err)).replace(/\s+/g, ' ');
  return msg.length > 120 ? `${msg.slice(0, 117)}...` : msg;
}

/**
 * Push-style JSONL parser: feed it byte chunks in order, then call end().
 * Chunks are cut at their last newline before decoding (a newline byte is never inside a multi-byte
 * UTF-8 character); the bytes of an unfinished line are held (up to the line limit) and decoded with
 * the rest of their line.
 */
export class JsonlParser {
  readonly validator: HistoryValidator;
  private held: Buffer[] = [];
  private heldBytes = 0;
  private line = 0;
  private first = true;
  private tornTail: InputWarning | null = null;
  private readonly maxLine: number;

  constructor(
    readonly file: string,
    private readonly sink: EventSink,
    limits: ReadLimits = DEFAULT_LIMITS,
  ) {
    this.validator = new HistoryValidator(file);
    this.maxLine = limits.maxLineBytes;
  }

  /** Number of events accepted so far. */
  get events(): number {
    return this.validator.count;
  }

  push(chunk: Buffer): void {
    const nl = chunk.lastIndexOf(10);
    if (nl < 0) {
      this.hold(chunk);
      return;
    }
    let from = 0;
    if (this.heldBytes > 0) {
      // the held bytes may end inside a multi-byte character: decode them together with the chunk's first line
      const first = chunk.indexOf(10);
      this.hold(chunk.subarray(0, first));
      const head = Buffer.concat(this.held, this.heldBytes);
      this.held = [];
      this.heldBytes = 0;
      this.lines(this.decode(head, this.line + 1));
      from = first + 1;
    }
    if (from <= nl) this.lines(this.decode(chunk.subarray(from, nl), this.line + 1));
    if (nl + 1 < chunk.length) this.hold(chunk.subarray(nl + 1));
  }

  /**
   * Flush the last line. A final line without newline is accepted when it is whole JSON; when it is not, it is
   * the tail of a write cut short (a SIGKILLed writer: Linux may end a multi-page write(2) early on a fatal
   * signal), so it is dropped with a warning and the events before it stand.
   */
  end(): void {
    if (this.heldBytes > 0) {
      const head = Buffer.concat(this.held, this.heldBytes);
      this.held = [];
      this.heldBytes = 0;
      const text = this.decode(head, this.line + 1);
      if (this.torn(text)) {
        this.tornTail = { line: this.line + 1, what: `the last line has no newline and is not whole JSON (${head.length} bytes: a writer killed mid-write?); it was ignored` };
        return;
      }
      this.lines(text);
    }
  }

  /**
   * Is this final, unterminated text the cut-off start of a JSON object? Only when the parser ran out of input:
   * a syntax error before the end (`{"a": 1}x`) is malformed input as anywhere else.
   */
  private torn(text: string): boolean {
    if (!text.startsWith('{')) return false;
    try {
      JSON.parse(text);
      return false;
    } catch (err) {
      const msg = err instanceof Error ? err.message : '';
      if (/end of JSON input/.test(msg)) return true;
      const at = /at position (\d+)/.exec(msg);
      return at !== null && Number(at[1]) >= text.length;
    }
  }

  /** What was accepted but is worth a word: the validator's warnings, and a dropped torn last line. */
  warnings(): InputWarning[] {
    return this.tornTail ? [...this.validator.warnings(), this.tornTail] : this.validator.warnings();
  }

  /** Keep the bytes of an unfinished line (copied: a caller may reuse its chunk buffer). */
  private hold(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.held.push(Buffer.from(bytes));
    this.heldBytes += bytes.length;
    if (this.heldBytes > this.maxLine) throw new InputError(this.file, this.line + 1, lineLimitMessage('a line', this.maxLine));
  }

  /** UTF-8 text of complete lines, the first of which is line `firstLine`. */
  private decode(bytes: Buffer, firstLine: number): string {
    const bad = utf8Problem(bytes, firstLine);
    if (bad !== null) throw new InputError(this.file, bad.line, bad.what);
    return bytes.toString('utf8');
  }

  /** Parse a block of complete lines (without its final newline). */
  private lines(text: string): void {
    if (this.first) {
      this.first = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    // one fast scan of the block tells whether any line may hide an inexact number behind a safe integer
    const suspect = mayHideFraction(text);
    let start = 0;
    const n = text.length;
    for (;;) {
      let end = text.indexOf('\n', start);
      if (end < 0) end = n;
      this.one(text.slice(start, end), suspect);
      if (end >= n) break;
      start = end + 1;
    }
  }

  private one(s: string, suspect: boolean): void {
    const line = ++this.line;
    if (isBlankLine(s)) return;
    if (s.length > this.maxLine) throw new InputError(this.file, line, lineLimitMessage('a line', this.maxLine));
    const e = this.validator.accept(parseLineJson(s, this.file, line), line);
    checkLineNumbers(e, s, suspect, this.file, line);
    this.sink(e, line);
  }
}

/** A line the reader skips (still counted): empty or white space only. */
export function isBlankLine(s: string): boolean {
  return s.length === 0 || (s.charCodeAt(0) <= 32 && s.trim() === '');
}

/** The JSON value of one line, bounded in depth; InputError when it is not JSON or nests too deep. */
export function parseLineJson(s: string, file: string, line: number): unknown {
  let raw: unknown;
  try {
    raw = JSON.parse(s);
  } catch (err) {
    throw new InputError(file, line, `expected one JSON object per line; got invalid JSON (${jsonError(err)})`);
  }
  if (jsonTooDeep(s)) throw new InputError(file, line, depthMessage());
  return raw;
}

/**
 * The fields checkers read must hold their numbers exactly: safe integers written plainly are, others are checked
 * literal by literal (`suspect`: the block the line is in has a '.' or a '-' somewhere). InputError when one is not.
 */
export function checkLineNumbers(e: HistoryEvent, s: string, suspect: boolean, file: string, line: number): void {
  const kind = Math.max(numberKind(e.value), numberKind(e.key));
  if (kind === 2 || (kind === 1 && suspect && mayHideFraction(s))) {
    const p = inexactNumberInJson(s);
    if (p !== null) throw new InputError(file, line, p);
  }
}

/** Read a JSONL history from a stream, feeding the sink. `file` names the source in error messages. */
export async function readJsonlStream(input: Readable, file: string, sink: EventSink, limits?: ReadLimits): Promise<number> {
  const parser = new JsonlParser(file, sink, limits);
  for await (const chunk of input) {
    parser.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  }
  parser.end();
  return parser.events;
}

/** Read a JSONL history file; throws InputError on malformed input, the fs error if it cannot be opened. */
export async function readJsonlFile(path: string, sink: EventSink, file: string = path): Promise<number> {
  return readJsonlStream(createReadStream(path, { highWaterMark: 1 << 20 }), file, sink);
}

/** Parse JSONL text held in memory (tests, small inputs). */
export function parseJsonlText(text: string, file: string, limits?: ReadLimits): { events: HistoryEvent[]; lines: number[] } {
  const events: HistoryEvent[] = [];
  const lines: number[] = [];
  const parser = new JsonlParser(
    file,
    (e, l) => {
      events.push(e);
      lines.push(l);
    },
    limits,
  );
  parser.push(Buffer.from(text, 'utf8'));
  parser.end();
  return { events, lines };
}
