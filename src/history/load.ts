// Loads histories from any source `faultline check` accepts: .jsonl, Jepsen .edn, `-` (stdin, format
// sniffed), other regular files (sniffed), and directories (every *.jsonl / *.edn below, sorted).
import { closeSync, constants as fsConstants, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { EXIT, InputError, UserError } from '../util/exit.js';
import { parseEdnHistory } from './edn.js';
import { DEFAULT_LIMITS, EDN_MAX_BYTES, MiB, utf8Problem, type ReadLimits } from './guards.js';
import { JsonlParser } from './jsonl.js';
import { pairHistory } from './pair.js';
import type { HistoryEvent, PairedHistory } from './types.js';
import { HistoryValidator } from './validate.js';

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

function fromEdn(bytes: Buffer, file: string, limits: ReadLimits): LoadedEvents {
  const name = displayName(file);
  const bad = utf8Problem(bytes, 1);
  if (bad !== null) throw new InputError(name, bad.line, bad.what);
  const parsed = parseEdnHistory(bytes.toString('utf8'), name, limits);
  const validator = new HistoryValidator(name);
  const events = parsed.events.map((e, i) => validator.accept(e, parsed.lines[i] ?? 0));
  const warnings = [...parsed.warnings, ...validator.warnings()].map((w) => `${name}:${w.line}: ${w.what}`);
  return { file, format: 'edn', events, lines: parsed.lines, warnings };
}

/** Collects the events a JSONL parser accepts, with their lines. */
function jsonlCollector(file: string, limits: ReadLimits): { parser: JsonlParser; done: () => LoadedEvents } {
  const events: HistoryEvent[] = [];
  const lines: number[] = [];
  const name = displayName(file);
  const parser = new JsonlParser(
    name,
    (e, l) => {
      events.push(e);
      lines.push(l);
    },
    limits,
  );
  return {
    parser,
    done: () => {
      parser.end();
      const warnings = parser.validator.warnings().map((w) => `${name}:${w.line}: ${w.what}`);
      return { file, format: 'jsonl', events, lines, warnings };
    },
  };
}

/** Read every event of a stream; format null = sniff from the first bytes. */
export async function readEventsFromStream(input: Readable, file: string, format: HistoryFormat | null, options: ReadOptions = {}): Promise<LoadedEvents> {
  const limits = options.limits ?? DEFAULT_LIMITS;
  let fmt = format;
  const held: Buffer[] = [];
  let heldBytes = 0;
  let jsonl: ReturnType<typeof jsonlCollector> | null = null;
  if (fmt === 'jsonl') jsonl = jsonlCollector(file, limits);
  for await (const c of input) {
    const chunk = typeof c === 'string' ? Buffer.from(c) : (c as Buffer);
    if (jsonl) {
      jsonl.parser.push(chunk);
      continue;
    }
    held.push(chunk);
    heldBytes += chunk.length;
    if (heldBytes > ednMax(limits)) throw ednTooLarge(displayName(file), heldBytes, limits);
    if (fmt === null) {
      fmt = sniff(Buffer.concat(held).toString('utf8'));
      if (fmt === 'jsonl') {
        jsonl = jsonlCollector(file, limits);
        for (const h of held) jsonl.parser.push(h);
        held.length = 0;
      }
    }
  }
  if (jsonl) return jsonl.done();
  if (fmt === null) return { file, format: 'jsonl', events: [], lines: [], warnings: [] }; // empty or blank input
  return fromEdn(Buffer.concat(held), file, limits);
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
function readFileEvents(file: string, limits: ReadLimits): LoadedEvents {
  // stat first: opening a FIFO would block until a writer comes; O_NONBLOCK and fstat close the race
  const st = statSync(file);
  if (!st.isFile()) throw notRegular(file, st);
  const fd = openSync(file, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
  try {
    const fst = fstatSync(fd);
    if (!fst.isFile()) throw notRegular(file, fst);
    let fmt = formatFromName(file);
    if (fmt === 'edn' && fst.size > ednMax(limits)) throw ednTooLarge(file, fst.size, limits);
    const buf = Buffer.allocUnsafe(Math.min(CHUNK, Math.max(1, fst.size)));
    let jsonl: ReturnType<typeof jsonlCollector> | null = fmt === 'jsonl' ? jsonlCollector(file, limits) : null;
    const held: Buffer[] = [];
    let heldBytes = 0;
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      if (jsonl) {
        jsonl.parser.push(buf.subarray(0, n));
        continue;
      }
      const copy = Buffer.from(buf.subarray(0, n));
      held.push(copy);
      heldBytes += n;
      if (heldBytes > ednMax(limits)) throw ednTooLarge(file, Math.max(heldBytes, fst.size), limits);
      if (fmt === null) {
        fmt = sniff(Buffer.concat(held).toString('utf8'));
        if (fmt === 'jsonl') {
          jsonl = jsonlCollector(file, limits);
          for (const h of held) jsonl.parser.push(h);
          held.length = 0;
        }
      }
    }
    if (jsonl) return jsonl.done();
    if (fmt === null) return { file, format: 'jsonl', events: [], lines: [], warnings: [] };
    return fromEdn(Buffer.concat(held), file, limits);
  } finally {
    closeSync(fd);
  }
}

/**
 * Read the events of one source (a file path or `-`), validated.
 * Throws InputError (exit 65) on malformed input, UserError with exit 66 when it cannot be read (missing,
 * unreadable, or not a regular file: a FIFO or a device would block or never end).
 */
export async function readHistoryEvents(file: string, stdin: Readable = process.stdin, options: ReadOptions = {}): Promise<LoadedEvents> {
  try {
    if (file === '-') return await readEventsFromStream(stdin, file, null, options);
    return readFileEvents(file, options.limits ?? DEFAULT_LIMITS);
  } catch (err) {
    if (err instanceof UserError) throw err;
    const code = (err as NodeJS.ErrnoException)?.code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) throw new UserError(fsProblem(file, err), EXIT.NO_INPUT);
    throw err;
  }
}

/** Read and pair one source into ops (see readHistoryEvents for errors). */
export async function loadHistory(file: string, stdin: Readable = process.stdin, options: ReadOptions = {}): Promise<LoadedHistory> {
  const { format, events, lines, warnings } = await readHistoryEvents(file, stdin, options);
  return { file, format, lines, warnings, history: pairHistory(events) };
}
