// HistoryWriter: appends events to history.jsonl as they happen, assigning dense indices.
// Durability: every event is one synchronous write(2) of a whole line on an O_APPEND descriptor, so a
// killed process (even SIGKILL) leaves every event appended before the kill, as whole lines, in the file:
// the OS keeps written pages after the process dies. close() also fsyncs (survives a machine crash too).
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { MonotonicClock } from './clock.js';
import type { EventType, HistoryEvent, Json, Key, Process } from './types.js';
import { HistoryValidator } from './validate.js';

/** An event as the runner produces it: no index (the writer assigns it), time optional (the writer's clock). */
export interface NewEvent {
  time?: number;
  process: Process;
  type: EventType;
  f: string;
  key?: Key;
  value?: Json;
  node?: string;
  error?: string;
  [extra: string]: unknown;
}

export interface HistoryWriterOptions {
  /** clock for events given without time (default: a clock started when the writer opens) */
  clock?: MonotonicClock;
  /** check each event like the reader will (pairing, field types) and throw on a bad one (default true) */
  validate?: boolean;
  /**
   * 'sync' (default): one write(2) per event. 'tick': events of one event-loop turn are written together at
   * its end (far fewer system calls under load); a SIGKILL then loses at most that turn's last events, still
   * whole lines, so the history stays checkable. close() writes everything pending.
   */
  flush?: 'sync' | 'tick';
}

const KNOWN = new Set(['index', 'time', 'process', 'type', 'f', 'key', 'value', 'node', 'error']);

export class HistoryWriter {
  readonly clock: MonotonicClock;
  private fd: number | null;
  private index = 0;
  private readonly validator: HistoryValidator | null;
  private readonly batched: boolean;
  private pending: string[] = [];
  private scheduled = false;

  /** Create the history file at `path` (it must not exist yet: indices start at 0). */
  constructor(readonly path: string, options: HistoryWriterOptions = {}) {
    this.clock = options.clock ?? new MonotonicClock();
    this.validator = options.validate === false ? null : new HistoryValidator(path);
    this.fd = openSync(path, 'ax');
    this.batched = options.flush === 'tick';
  }

  /** Number of events written. */
  get count(): number {
    return this.index;
  }

  /** Append one event: assigns its index (and time if absent), writes it durably, returns it. */
  append(event: NewEvent): HistoryEvent {
    if (this.fd === null) throw new Error(`history writer for ${this.path} is closed`);
    const e: HistoryEvent = {
      index: this.index,
      time: event.time ?? this.clock.now(),
      process: event.process,
      type: event.type,
      f: event.f,
    };
    if (event.key !== undefined) e.key = event.key;
    if (event.value !== undefined) e.value = event.value;
    if (event.node !== undefined) e.node = event.node;
    if (event.error !== undefined) e.error = event.error;
    for (const k of Object.keys(event)) if (!KNOWN.has(k) && event[k] !== undefined) e[k] = event[k];
    this.validator?.accept(e, this.index + 1);
    const line = `${JSON.stringify(e)}\n`;
    this.index++;
    if (!this.batched) {
      this.write(line);
      return e;
    }
    this.pending.push(line);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flushPending());
    }
    return e;
  }

  /** Write every pending line now (batched mode). */
  flushPending(): void {
    this.scheduled = false;
    if (this.pending.length === 0 || this.fd === null) return;
    const text = this.pending.join('');
    this.pending = [];
    this.write(text);
  }

  private write(text: string): void {
    const buf = Buffer.from(text, 'utf8');
    let off = 0;
    while (off < buf.length) off += writeSync(this.fd as number, buf, off, buf.length - off);
  }

  /** fsync and close; idempotent. */
  close(): void {
    if (this.fd === null) return;
    this.flushPending();
    const fd = this.fd;
    this.fd = null;
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
}
