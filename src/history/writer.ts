// HistoryWriter: appends events to history.jsonl as they happen, assigning dense indices.
// Durability: each write(2) carries whole lines on an O_APPEND descriptor (one per event by default, or one
// per batch), so a killed process (even SIGKILL) leaves every line written before the kill, whole, in the file:
// the OS keeps written pages after the process dies. close() writes what is pending and fsyncs. A write that fails
// (a full disk) is cut back to the last whole line, so what was written stays checkable.
import { closeSync, fsyncSync, ftruncateSync, openSync, writeSync } from 'node:fs';
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
   * 'sync' (default): one write(2) per event. 'tick': events are written together at the end of the
   * event-loop turn (or after batchMs); far fewer system calls under load. A SIGKILL then loses at most the
   * last batch, still whole lines, so the history stays checkable. close() writes everything pending.
   */
  flush?: 'sync' | 'tick';
  /**
   * with flush 'tick': also wait this many ms before writing, so one write(2) carries many turns' events
   * (default 0: write at the end of the turn). A SIGKILL then loses at most this window's events, still whole lines.
   */
  batchMs?: number;
  /**
   * called once when a write fails (ENOSPC, EIO…), after the file was cut back to its last whole line; from
   * then on events are dropped. Without it the failure is thrown (from append, or from the batch timer).
   */
  onError?: (err: Error) => void;
}

/** batched mode: the write buffer's size; a full buffer is written at once, whatever the timer */
const PENDING_BYTES = 256 * 1024;

const KNOWN = new Set(['index', 'time', 'process', 'type', 'f', 'key', 'value', 'node', 'error']);

/** JSON strings of the few names that recur in every event (f, node, "nemesis"), computed once each. */
const QUOTED = new Map<string, string>();

function quoted(s: string): string {
  let q = QUOTED.get(s);
  if (q === undefined) {
    q = JSON.stringify(s);
    if (QUOTED.size < 1024) QUOTED.set(s, q);
  }
  return q;
}

/** JSON text of a value, as JSON.stringify writes it inside an object (numbers and null without the call). */
function jsonOf(v: unknown): string {
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'null';
  if (v === null) return 'null';
  return JSON.stringify(v) ?? 'null';
}

/**
 * The JSON line of an event's known fields, without the closing brace, in the order JSON.stringify of the
 * event would write them: the runner appends two events per op, and JSON.stringify's generic walk of a fresh
 * object costs more (bench/runner.bench.ts).
 */
function knownFields(index: number, time: number, process: Process, type: EventType, f: string, key: Key | undefined, value: Json | undefined, node: string | undefined, error: string | undefined): string {
  let line = `{"index":${index},"time":${time},"process":${typeof process === 'number' ? process : quoted(process)},"type":${quoted(type)},"f":${quoted(f)}`;
  if (key !== undefined) line += `,"key":${jsonOf(key)}`;
  if (value !== undefined) line += `,"value":${jsonOf(value)}`;
  if (node !== undefined) line += `,"node":${quoted(node)}`;
  if (error !== undefined) line += `,"error":${JSON.stringify(error)}`;
  return line;
}

export class HistoryWriter {
  readonly clock: MonotonicClock;
  private fd: number | null;
  private index = 0;
  private readonly validator: HistoryValidator | null;
  private readonly batched: boolean;
  /**
   * batched mode: lines not yet written, encoded at once into this buffer: a string kept for the whole batch
   * would outlive a young-generation GC or two and be copied each time (bench/runner.bench.ts)
   */
  private pending = Buffer.allocUnsafe(PENDING_BYTES);
  private pendingBytes = 0;
  private scheduled = false;
  private readonly batchMs: number;
  /** bytes in the file, all whole lines */
  private bytes = 0;
  private readonly onError: ((err: Error) => void) | undefined;
  /** the write failure, once one happened (events are then dropped) */
  failure: Error | null = null;

  /** Create the history file at `path` (it must not exist yet: indices start at 0). */
  constructor(readonly path: string, options: HistoryWriterOptions = {}) {
    this.clock = options.clock ?? new MonotonicClock();
    this.validator = options.validate === false ? null : new HistoryValidator(path);
    this.fd = openSync(path, 'ax');
    this.batched = options.flush === 'tick';
    this.batchMs = options.batchMs ?? 0;
    this.onError = options.onError;
  }

  /** Number of events written. */
  get count(): number {
    return this.index;
  }

  /** Append one event: assigns its index (and time if absent), writes it durably, returns it. */
  append(event: NewEvent): HistoryEvent {
    if (this.fd === null && this.failure === null) throw new Error(`history writer for ${this.path} is closed`);
    const { process, type, f, key, value, node, error } = event;
    const e: HistoryEvent = { index: this.index, time: event.time ?? this.clock.now(), process, type, f };
    if (key !== undefined) e.key = key;
    if (value !== undefined) e.value = value;
    if (node !== undefined) e.node = node;
    if (error !== undefined) e.error = error;
    let line = knownFields(e.index, e.time, process, type, f, key, value, node, error);
    for (const k in event) {
      if (KNOWN.has(k)) continue;
      const v = event[k];
      if (v === undefined) continue;
      e[k] = v;
      line += `,${JSON.stringify(k)}:${jsonOf(v)}`;
    }
    line += '}\n';
    this.validator?.accept(e, this.index + 1);
    this.index++;
    this.emit(line);
    return e;
  }

  /**
   * Append a client op's event from its fields: the runner's hot path (two per op). The same line and index
   * as append() of an event with these fields and no others, without building the event or walking its keys;
   * returns the index.
   */
  appendOp(process: number, type: EventType, f: string, key: Key | undefined, value: Json | undefined, node: string, error?: string): number {
    if (this.fd === null && this.failure === null) throw new Error(`history writer for ${this.path} is closed`);
    const index = this.index;
    const time = this.clock.now();
    const line = `${knownFields(index, time, process, type, f, key, value, node, error)}}\n`;
    if (this.validator) {
      const e: HistoryEvent = { index, time, process, type, f, node };
      if (key !== undefined) e.key = key;
      if (value !== undefined) e.value = value;
      if (error !== undefined) e.error = error;
      this.validator.accept(e, index + 1);
    }
    this.index++;
    this.emit(line);
    return index;
  }

  private emit(line: string): void {
    if (this.failure !== null) return; // a write failed: the run is stopping; nothing more is recorded
    if (!this.batched) {
      this.write(line);
      return;
    }
    this.queue(line);
    if (!this.scheduled) {
      this.scheduled = true;
      if (this.batchMs > 0) setTimeout(() => this.flushPending(), this.batchMs).unref();
      else setImmediate(() => this.flushPending());
    }
  }

  /** Write every pending line now (batched mode). */
  flushPending(): void {
    this.scheduled = false;
    if (this.pendingBytes === 0 || this.fd === null) return;
    const n = this.pendingBytes;
    this.pendingBytes = 0;
    this.writeBytes(this.pending, n);
  }

  private queue(line: string): void {
    // a line of n UTF-16 units takes at most 3n bytes: measure exactly only when that bound does not fit
    if (this.pendingBytes + 3 * line.length > this.pending.length) {
      const bytes = Buffer.byteLength(line, 'utf8');
      if (this.pendingBytes + bytes > this.pending.length) {
        this.flushPending();
        if (bytes > this.pending.length) {
          this.write(line); // larger than the whole buffer: on its own
          return;
        }
      }
    }
    this.pendingBytes += this.pending.write(line, this.pendingBytes, 'utf8');
  }

  private write(text: string): void {
    const buf = Buffer.from(text, 'utf8');
    this.writeBytes(buf, buf.length);
  }

  /** Writes whole lines; on failure cuts the file back to the last whole line and reports (or throws). */
  private writeBytes(buf: Buffer, length: number): void {
    if (this.fd === null) return;
    let off = 0;
    try {
      while (off < length) off += writeSync(this.fd, buf, off, length - off);
      this.bytes += length;
    } catch (err) {
      this.fail(err as Error, true);
    }
  }

  private fail(err: Error, torn: boolean): void {
    const fd = this.fd;
    if (torn && fd !== null) {
      try {
        ftruncateSync(fd, this.bytes);
      } catch {
        // nothing more can be done; the reader names the torn line
      }
    }
    this.failure = err;
    this.pendingBytes = 0;
    this.fd = null;
    if (fd !== null) {
      try {
        closeSync(fd);
      } catch {
        // already failing
      }
    }
    if (this.onError) this.onError(err);
    else throw err;
  }

  /** fsync and close; idempotent. */
  close(): void {
    if (this.fd === null) return;
    this.flushPending();
    const fd = this.fd;
    if (fd === null) return; // the last write failed (reported)
    this.fd = null;
    try {
      fsyncSync(fd);
    } catch (err) {
      this.fd = fd;
      this.fail(err as Error, false);
      return;
    }
    closeSync(fd);
  }
}
