// Loads histories from any source `faultline check` accepts: .jsonl, Jepsen .edn, `-` (stdin, format
// sniffed), other regular files (sniffed), and directories (every *.jsonl / *.edn below, sorted).
import { closeSync, constants as fsConstants, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { EXIT, InputError, UserError } from '../util/exit.js';
import { parseEdnHistory, readEdnHistory } from './edn.js';
import { pairFlatEdn } from './edn-paired.js';
import { pairJsonlFile } from './jsonl-paired.js';
import type { PairedRead } from './op-pairing.js';
import { DEFAULT_LIMITS, EDN_MAX_BYTES, MiB, utf8Problem, type ReadLimits } from './guards.js';
import { JsonlParser } from './jsonl.js';
import { Pairer } from './pair.js';
import type { HistoryEvent, PairedHistory } from './types.js';
import { HistoryValidator, type InputWarning } from './validate.js';

export type HistoryFormat = 'jsonl' | 'edn';

export interface LoadedEvents {
  /** the source as given (`-` for stdin) */
  file: string;
  format: HistoryFormat;
  events: HistoryEvent[];
  /** 1-based source line of each event: lines[i] for events[i] (= event index i) */
  lines: number[];
  /** what was accepted but is worth a word ("file:line: what"): renumbered indices, times going backwards */
  warnings: string[];
}

/** A loaded history paired into ops (the raw events are not kept: big histories need the memory). */
export interface LoadedHistory {
  file: string;
  format: HistoryFormat;
  /** 1-based source line of each event, by event index */
  lines: number[];
  /** see LoadedEvents.warnings */
  warnings: string[];
  history: PairedHistory;
}

/** One input of a check: a file to read, or an argument that named nothing readable (exit 66). */
export interface Source {
  file: string;
  /** why it cannot be read (message without the `faultline:` prefix) */
  problem?: string;
}

/** Name used in file:line messages. */
export function displayName(file: string): string {
  return file === '-' ? 'stdin' : file;
}

function isHistoryFile(name: string): boolean {
  return name.endsWith('.jsonl') || name.endsWith('.edn');
}

/** The history file of a run directory (RUN_FILES.history). */
export const HISTORY_FILE = 'history.jsonl';

async function walk(dir: string, out: string[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  // a run directory: its history.jsonl is the history; its other JSON Lines (metrics.jsonl) are not histories
  const runDir = entries.some((d) => d.name === HISTORY_FILE);
  for (const d of entries) {
    if (d.name.startsWith('.') || d.name === 'node_modules') continue;
    if (runDir && d.name !== HISTORY_FILE && d.name.endsWith('.jsonl')) continue;
    const p = join(dir, d.name);
    if (d.isDirectory()) await walk(p, out);
    else if ((d.isFile() || d.isSymbolicLink()) && isHistoryFile(d.name)) out.push(p);
  }
}

function fsProblem(file: string, err: unknown): string {
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code === 'ENOENT') return `${file}: no such file or directory`;
  if (code === 'EACCES') return `${file}: permission denied`;
  return `${file}: cannot read (${code ?? String(err)})`;
}

/** Expand arguments into sources in argument order: directories become their history files, sorted. */
export async function expandSources(args: readonly string[]): Promise<Source[]> {
  const out: Source[] = [];
  for (const arg of args) {
    if (arg === '-') {
      out.push({ file: arg });
      continue;
    }
    try {
      const st = await stat(arg);
      if (!st.isDirectory()) {
        out.push({ file: arg });
        continue;
      }
      const found: string[] = [];
      await walk(arg, found);
      found.sort();
      if (found.length === 0) out.push({ file: arg, problem: `${arg}: no history files (*.jsonl, *.edn) in this directory` });
      for (const f of found) out.push({ file: f });
    } catch (err) {
      out.push({ file: arg, problem: fsProblem(arg, err) });
    }
  }
  return out;
}

function formatFromName(file: string): HistoryFormat | null {
  if (file.endsWith('.edn')) return 'edn';
  if (file.endsWith('.jsonl') || file.endsWith('.json')) return 'jsonl';
  return null;
}

/** EDN if the first non-blank text starts with `[`, `(` or `{:`; JSONL otherwise. null: not decided yet. */
function sniff(head: string): HistoryFormat | null {
  const m = /[^\s\ufeff]/.exec(head);
  if (!m) return null;
  const c = head[m.index];
  if (c === '[' || c === '(') return 'edn';
  if (c !== '{') return 'jsonl';
  const after = /[^\s]/.exec(head.slice(m.index + 1));
  if (!after) return null;
  return after[0] === ':' ? 'edn' : 'jsonl';
}

/** Options of a read: the line / form limit (`faultline check --max-line`). */
export interface ReadOptions {
  limits?: ReadLimits;
}

function ednMax(limits: ReadLimits): number {
  return limits.ednMaxBytes ?? EDN_MAX_BYTES;
}

function ednTooLarge(name: string, bytes: number, limits: ReadLimits): UserError {
  const max = ednMax(limits);
  return new UserError(
    `${name}: expected an EDN history of at most ${+(max / MiB).toFixed(2)} MiB (EDN is read whole, and JavaScript strings end near 512 MiB); got ${+(bytes / MiB).toFixed(2)} MiB or more: give it as JSONL, which is read line by line`,
    EXIT.DATA,
  );
}

/** Where the events of a read go (validated), with their source lines. */
type Sink = (event: HistoryEvent, line: number) => void;

/** A reader of a whole EDN document (its valid UTF-8 bytes) tried before the sink: its warnings when it took the history, null when not. */
type WholeEdn = (bytes: Buffer) => InputWarning[] | null;

/**
 * One source read chunk by chunk into a sink: JSONL streamed line by line as soon as the format is known
 * (from the name, or sniffed from the first bytes), EDN held (up to its limit) and parsed at the end.
 */
class SourceReader {
  private fmt: HistoryFormat | null;
  private jsonl: JsonlParser | null = null;
  private readonly held: Buffer[] = [];
  private heldBytes = 0;
  private readonly name: string;

  constructor(
    file: string,
    format: HistoryFormat | null,
    private readonly limits: ReadLimits,
    private readonly sink: Sink,
    /** bytes expected in all, when known (a file's size): a too large EDN file is refused before reading */
    size?: number,
    private readonly wholeEdn?: WholeEdn,
  ) {
    this.name = displayName(file);
    this.fmt = format;
    if (format === 'jsonl') this.jsonl = new JsonlParser(this.name, sink, limits);
    if (format === 'edn' && size !== undefined && size > ednMax(limits)) throw ednTooLarge(this.name, size, limits);
  }

  /** Feed a chunk, which the reader may keep as it is (an EDN reader holds its input): the caller does not reuse it. */
  push(chunk: Buffer): void {
    if (this.jsonl) {
      this.jsonl.push(chunk);
      return;
    }
    this.held.push(chunk);
    this.heldBytes += chunk.length;
    if (this.heldBytes > ednMax(this.limits)) throw ednTooLarge(this.name, this.heldBytes, this.limits);
    if (this.fmt === null) {
      this.fmt = sniff(Buffer.concat(this.held).toString('utf8'));
      if (this.fmt === 'jsonl') {
        this.jsonl = new JsonlParser(this.name, this.sink, this.limits);
        for (const h of this.held) this.jsonl.push(h);
        this.held.length = 0;
      }
    }
  }

  end(): { format: HistoryFormat; warnings: string[] } {
    const name = this.name;
    if (this.jsonl) {
      this.jsonl.end();
      return { format: 'jsonl', warnings: this.jsonl.warnings().map((w) => `${name}:${w.line}: ${w.what}`) };
    }
    if (this.fmt === null) return { format: 'jsonl', warnings: [] }; // empty or blank input: no events
    const bytes = this.held.length === 1 ? this.held[0] : Buffer.concat(this.held);
    const bad = utf8Problem(bytes, 1);
    if (bad !== null) throw new InputError(name, bad.line, bad.what);
    // a whole-EDN reader that declined has scanned the flat shape already: the full reader then, not the flat one again
    const taken = this.wholeEdn?.(bytes);
    if (taken != null) return { format: 'edn', warnings: taken.map((w) => `${name}:${w.line}: ${w.what}`) };
    const parsed = this.wholeEdn ? parseEdnHistory(bytes.toString('utf8'), name, this.limits) : readEdnHistory(bytes, name, this.limits);
    const validator = new HistoryValidator(name);
    parsed.events.forEach((e, i) => {
      const line = parsed.lines[i] ?? 0;
      this.sink(validator.accept(e, line), line);
    });
    return { format: 'edn', warnings: [...parsed.warnings, ...validator.warnings()].map((w) => `${name}:${w.line}: ${w.what}`) };
  }
}

async function readStream(input: Readable, reader: SourceReader): Promise<{ format: HistoryFormat; warnings: string[] }> {
  for await (const c of input) reader.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  return reader.end();
}

/** Read every event of a stream; format null = sniff from the first bytes. */
export async function readEventsFromStream(input: Readable, file: string, format: HistoryFormat | null, options: ReadOptions = {}): Promise<LoadedEvents> {
  const events: HistoryEvent[] = [];
  const lines: number[] = [];
  const reader = new SourceReader(file, format, options.limits ?? DEFAULT_LIMITS, (e, l) => {
    events.push(e);
    lines.push(l);
  });
  const { format: fmt, warnings } = await readStream(input, reader);
  return { file, format: fmt, events, lines, warnings };
}

const CHUNK = 1 << 20;

/** What a non-regular file is, for the refusal. */
function kindOf(st: Stats): string {
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  if (st.isDirectory()) return 'a directory';
  return 'not a regular file';
}

function notRegular(file: string, st: Stats): UserError {
  return new UserError(`${file}: expected a regular file; got ${kindOf(st)} (give - to read a pipe on stdin)`, EXIT.NO_INPUT);
}

/** Read a regular file synchronously, chunk by chunk (no stream machinery: most of a small check is start-up). */
function readFile(file: string, limits: ReadLimits, sink: Sink, wholeEdn?: WholeEdn): { format: HistoryFormat; warnings: string[] } {
  // stat first: opening a FIFO would block until a writer comes; O_NONBLOCK and fstat close the race
  const st = statSync(file);
  if (!st.isFile()) throw notRegular(file, st);
  const fd = openSync(file, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
  try {
    const fst = fstatSync(fd);
    if (!fst.isFile()) throw notRegular(file, fst);
    const reader = new SourceReader(file, formatFromName(file), limits, sink, fst.size, wholeEdn);
    // each chunk in a buffer of its own (the reader may keep it), as large as what is left: one for most files
    let read = 0;
    for (;;) {
      const buf = Buffer.allocUnsafe(fst.size > read ? Math.min(CHUNK, fst.size - read) : 1 << 16);
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      read += n;
      reader.push(buf.subarray(0, n));
    }
    return reader.end();
  } finally {
    closeSync(fd);
  }
}

/** Read one source (a file path or `-`) into a sink, turning fs errors into exit 66. */
async function readSource(file: string, stdin: Readable, options: ReadOptions, sink: Sink, wholeEdn?: WholeEdn): Promise<{ format: HistoryFormat; warnings: string[] }> {
  const limits = options.limits ?? DEFAULT_LIMITS;
  try {
    if (file === '-') return await readStream(stdin, new SourceReader(file, null, limits, sink, undefined, wholeEdn));
    return readFile(file, limits, sink, wholeEdn);
  } catch (err) {
    if (err instanceof UserError) throw err;
    const code = (err as NodeJS.ErrnoException)?.code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) throw new UserError(fsProblem(file, err), EXIT.NO_INPUT);
    throw err;
  }
}

/**
 * Read the events of one source (a file path or `-`), validated.
 * Throws InputError (exit 65) on malformed input, UserError with exit 66 when it cannot be read (missing,
 * unreadable, or not a regular file: a FIFO or a device would block or never end).
 */
export async function readHistoryEvents(file: string, stdin: Readable = process.stdin, options: ReadOptions = {}): Promise<LoadedEvents> {
  const events: HistoryEvent[] = [];
  const lines: number[] = [];
  const { format, warnings } = await readSource(file, stdin, options, (e, l) => {
    events.push(e);
    lines.push(l);
  });
  return { file, format, events, lines, warnings };
}

/** Read and pair one source into ops, pairing as it reads (the events themselves are not kept); errors as readHistoryEvents. */
export async function loadHistory(file: string, stdin: Readable = process.stdin, options: ReadOptions = {}): Promise<LoadedHistory> {
  // a JSONL file is paired as it is read, without events (jsonl-paired.ts); read event by event when it declines
  if (file !== '-' && formatFromName(file) === 'jsonl') {
    const fast = pairJsonlFile(file, file, options.limits ?? DEFAULT_LIMITS);
    if (fast !== null) return { file, format: 'jsonl', lines: fast.lines, warnings: fast.warnings.map((w) => `${file}:${w.line}: ${w.what}`), history: fast.history };
  }
  const pairer = new Pairer();
  const lines: number[] = [];
  // an EDN history of the common shape is paired as it is read, without events (edn-paired.ts)
  let paired: PairedRead | null = null;
  const whole = (bytes: Buffer): InputWarning[] | null => {
    paired = pairFlatEdn(bytes, displayName(file), options.limits ?? DEFAULT_LIMITS);
    return paired?.warnings ?? null;
  };
  const { format, warnings } = await readSource(
    file,
    stdin,
    options,
    (e, l) => {
      pairer.accept(e);
      lines.push(l);
    },
    whole,
  );
  const fast = paired as PairedRead | null;
  if (fast !== null) return { file, format, lines: fast.lines, warnings, history: fast.history };
  return { file, format, lines, warnings, history: pairer.result() };
}
