// Loads histories from any source `faultline check` accepts: .jsonl, Jepsen .edn, `-` (stdin, format
// sniffed), other files (sniffed), and directories (every *.jsonl / *.edn below, sorted).
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { EXIT, UserError } from '../cli/exit.js';
import { parseEdnHistory } from './edn.js';
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
}

/** A loaded history paired into ops (the raw events are not kept: big histories need the memory). */
export interface LoadedHistory {
  file: string;
  format: HistoryFormat;
  /** 1-based source line of each event, by event index */
  lines: number[];
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

function fromEdn(text: string, file: string): LoadedEvents {
  const name = displayName(file);
  const parsed = parseEdnHistory(text, name);
  const validator = new HistoryValidator(name);
  const events = parsed.events.map((e, i) => validator.accept(e, parsed.lines[i] ?? 0));
  return { file, format: 'edn', events, lines: parsed.lines };
}

/** Read every event of a stream; format null = sniff from the first bytes. */
export async function readEventsFromStream(input: Readable, file: string, format: HistoryFormat | null): Promise<LoadedEvents> {
  const name = displayName(file);
  const events: HistoryEvent[] = [];
  const lines: number[] = [];
  let fmt = format;
  const held: Buffer[] = [];
  let parser: JsonlParser | null = null;
  const startJsonl = (): JsonlParser =>
    new JsonlParser(name, (e, l) => {
      events.push(e);
      lines.push(l);
    });
  if (fmt === 'jsonl') parser = startJsonl();
  for await (const c of input) {
    const chunk = typeof c === 'string' ? Buffer.from(c) : (c as Buffer);
    if (parser) {
      parser.push(chunk);
      continue;
    }
    held.push(chunk);
    if (fmt === null) {
      fmt = sniff(Buffer.concat(held).toString('utf8'));
      if (fmt === 'jsonl') {
        parser = startJsonl();
        for (const h of held) parser.push(h);
        held.length = 0;
      }
    }
  }
  if (parser) {
    parser.end();
    return { file, format: 'jsonl', events, lines };
  }
  const text = Buffer.concat(held).toString('utf8');
  if (fmt === null) return { file, format: 'jsonl', events, lines }; // empty or blank input: no events
  return fromEdn(text, file);
}

function openInput(file: string, stdin: Readable): Readable {
  return file === '-' ? stdin : createReadStream(file, { highWaterMark: 1 << 20 });
}

/**
 * Read the events of one source (a file path or `-`), validated.
 * Throws InputError (exit 65) on malformed input, UserError with exit 66 when it cannot be read.
 */
export async function readHistoryEvents(file: string, stdin: Readable = process.stdin): Promise<LoadedEvents> {
  try {
    return await readEventsFromStream(openInput(file, stdin), file, file === '-' ? null : formatFromName(file));
  } catch (err) {
    if (err instanceof UserError) throw err;
    const code = (err as NodeJS.ErrnoException)?.code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) throw new UserError(fsProblem(file, err), EXIT.NO_INPUT);
    throw err;
  }
}

/** Read and pair one source into ops (see readHistoryEvents for errors). */
export async function loadHistory(file: string, stdin: Readable = process.stdin): Promise<LoadedHistory> {
  const { format, events, lines } = await readHistoryEvents(file, stdin);
  return { file, format, lines, history: pairHistory(events) };
}
