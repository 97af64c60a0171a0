// An ordered queue of chunks (and an end marker) each released at a due time, one timer for the head.
// Release times never go backwards, so order is kept and delays do not pile up beyond that.
import { Stage, type Sink, type StageContext } from './stage.js';

interface Item {
  chunk: Buffer | null; // null = end of stream
  due: number;
}

export class TimedQueue {
  private items: Item[] = [];
  private head = 0;
  private timer: NodeJS.Timeout | null = null;
  private lastDue = 0;

  constructor(
    private readonly out: () => Sink,
    private readonly ctx: StageContext,
  ) {}

  get empty(): boolean {
    return this.head >= this.items.length;
  }

  /** Latest due time queued so far (0 when nothing was ever queued). */
  get tail(): number {
    return this.lastDue;
  }

  add(chunk: Buffer | null, due: number): void {
    const d = Math.max(due, this.lastDue);
    this.lastDue = d;
    this.items.push({ chunk, due: d });
    if (chunk) this.ctx.hold(chunk.length);
    if (this.timer === null) this.arm();
  }

  /** Release everything now, in order. */
  flush(): void {
    this.clearTimer();
    this.releaseUntil(Infinity);
  }

  dispose(): void {
    this.clearTimer();
    let held = 0;
    for (let i = this.head; i < this.items.length; i++) held += this.items[i].chunk?.length ?? 0;
    this.items = [];
    this.head = 0;
    if (held) this.ctx.hold(-held);
  }

  private clearTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private arm(): void {
    if (this.empty) return;
    const wait = Math.max(0, this.items[this.head].due - performance.now());
    this.timer = setTimeout(this.fire, wait);
  }

  private readonly fire = (): void => {
    this.timer = null;
    this.releaseUntil(performance.now() + 0.5);
    this.arm();
  };

  private releaseUntil(t: number): void {
    while (!this.empty && this.items[this.head].due <= t) {
      const it = this.items[this.head++];
      if (it.chunk) {
        this.ctx.hold(-it.chunk.length);
        this.out().push(it.chunk);
      } else {
        this.out().end();
      }
    }
    if (this.empty) {
      this.items = [];
      this.head = 0;
    } else if (this.head > 1024) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}

/** A stage that releases data through a TimedQueue (latency, bandwidth, slicer): end, detach and dispose in order. */
export abstract class QueuedStage extends Stage {
  protected readonly q = new TimedQueue(() => this.next, this.ctx);

  override end(): void {
    if (this.q.empty) this.next.end();
    else this.q.add(null, 0);
  }

  override detach(): void {
    this.q.flush();
  }

  override dispose(): void {
    this.q.dispose();
  }
}
