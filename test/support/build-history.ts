// Test helper: builds small histories event by event (dense indices, time = index) for checker and reader tests.
import { pairHistory } from '../../src/history/pair.js';
import type { CompletionType, HistoryEvent, Json, Key, PairedHistory } from '../../src/history/types.js';

export class HistoryBuilder {
  readonly events: HistoryEvent[] = [];
  private readonly open = new Map<number, { f: string; key?: Key }>();

  private push(e: Omit<HistoryEvent, 'index' | 'time'> & Partial<HistoryEvent>): HistoryEvent {
    const ev = { index: this.events.length, time: this.events.length * 1000, ...e } as HistoryEvent;
    this.events.push(ev);
    return ev;
  }

  /** Start an op of process p; returns the invoke's index. */
  invoke(p: number, f: string, value: Json = null, extra: { key?: Key; node?: string } = {}): number {
    this.open.set(p, { f, ...(extra.key !== undefined ? { key: extra.key } : {}) });
    return this.push({ process: p, type: 'invoke', f, value, ...extra }).index;
  }

  /** Complete process p's pending op; returns the completion's index. */
  complete(p: number, type: CompletionType, value?: Json, node?: string, error?: string): number {
    const o = this.open.get(p);
    if (!o) throw new Error(`process ${p} has no pending op`);
    this.open.delete(p);
    const e: Record<string, unknown> = { process: p, type, f: o.f };
    if (o.key !== undefined) e.key = o.key;
    if (value !== undefined) e.value = value;
    if (node !== undefined) e.node = node;
    if (error !== undefined) e.error = error;
    return this.push(e as Omit<HistoryEvent, 'index' | 'time'>).index;
  }

  ok(p: number, value?: Json, node?: string): number {
    return this.complete(p, 'ok', value, node);
  }

  fail(p: number, error?: string, node?: string): number {
    return this.complete(p, 'fail', undefined, node, error);
  }

  info(p: number, error?: string, node?: string): number {
    return this.complete(p, 'info', undefined, node, error);
  }

  nemesis(f: string, type: 'invoke' | 'info' = 'info', value: Json = null): number {
    return this.push({ process: 'nemesis', type, f, value }).index;
  }

  /** An op invoked and completed at once (sequential). */
  op(p: number, f: string, value: Json, result: Json | undefined, type: CompletionType = 'ok', extra: { key?: Key; node?: string } = {}): this {
    this.invoke(p, f, value, extra);
    this.complete(p, type, result === undefined ? value : result, extra.node);
    return this;
  }

  paired(): PairedHistory {
    return pairHistory(this.events);
  }

  jsonl(): string {
    return this.events.map((e) => JSON.stringify(e)).join('\n') + '\n';
  }
}
