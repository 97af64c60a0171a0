// Streaming JSONL history reader: splits byte chunks into lines, JSON-parses each, validates it
// (see validate.ts) and hands typed events to a sink. Blank lines are skipped but still counted.
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { InputError } from '../cli/exit.js';
import type { HistoryEvent } from './types.js';
import { HistoryValidator } from './validate.js';

export type EventSink = (event: HistoryEvent, line: number) => void;

/** One-line, bounded rendering of a JSON.parse error. */
function jsonError(err: unknown): string {
  const msg = (err instanceof Error ? err.message : String(err)).replace(/\s+/g, ' ');
  return msg.length > 120 ? `${msg.slice(0, 117)}...` : msg;
}

/**
 * Push-style JSONL parser: feed it byte chunks in order, then call end().
 * Chunks are cut at their last newline before decoding (a newline byte is never inside a multi-byte
 * UTF-8 character), and held bytes are decoded together with what follows them.
 */
export class JsonlParser {
  private readonly validator: HistoryValidator;
  private rest: Buffer | null = null;
  private line = 0;
  private first = true;

  constructor(readonly file: string, private readonly sink: EventSink) {
    this.validator = new HistoryValidator(file);
  }

  /** Number of events accepted so far. */
  get events(): number {
    return this.validator.count;
  }

  push(chunk: Buffer): void {
    const nl = chunk.lastIndexOf(10);
    if (nl < 0) {
      this.rest = this.rest ? Buffer.concat([this.rest, chunk]) : chunk;
      return;
    }
    let text: string;
    if (this.rest) {
      // the held bytes may end inside a multi-byte character: decode them together with the chunk's first line
      const first = chunk.indexOf(10);
      text = Buffer.concat([this.rest, chunk.subarray(0, first)]).toString('utf8') + chunk.toString('utf8', first, nl);
    } else {
      text = chunk.toString('utf8', 0, nl);
    }
    this.rest = nl + 1 < chunk.length ? chunk.subarray(nl + 1) : null;
    this.lines(text);
  }

  /** Flush the last line (a final line without newline is accepted). */
  end(): void {
    if (this.rest) {
      const text = this.rest.toString('utf8');
      this.rest = null;
      this.lines(text);
    }
  }

  /** Parse a block of complete lines (without its final newline). */
  private lines(text: string): void {
    if (this.first) {
      this.first = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    let start = 0;
    const n = text.length;
    for (;;) {
      let end = text.indexOf('\n', start);
      if (end < 0) end = n;
      this.one(text.slice(start, end));
      if (end >= n) break;
      start = end + 1;
    }
  }

  private one(s: string): void {
    const line = ++this.line;
    if (s.length === 0 || (s.charCodeAt(0) <= 32 && s.trim() === '')) return;
    let raw: unknown;
    try {
      raw = JSON.parse(s);
    } catch (err) {
      throw new InputError(this.file, line, `expected one JSON object per line; got invalid JSON (${jsonError(err)})`);
    }
    this.sink(this.validator.accept(raw, line), line);
  }
}

/** Read a JSONL history from a stream, feeding the sink. `file` names the source in error messages. */
export async function readJsonlStream(input: Readable, file: string, sink: EventSink): Promise<number> {
  const parser = new JsonlParser(file, sink);
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
export function parseJsonlText(text: string, file: string): { events: HistoryEvent[]; lines: number[] } {
  const events: HistoryEvent[] = [];
  const lines: number[] = [];
  const parser = new JsonlParser(file, (e, l) => {
    events.push(e);
    lines.push(l);
  });
  parser.push(Buffer.from(text, 'utf8'));
  parser.end();
  return { events, lines };
}
