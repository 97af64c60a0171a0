// The unit of a toxic pipeline: one stage per active toxic, per connection and direction.
// Data flows stage → stage → sink (the destination socket); stages read their toxic's attributes live.
import type { ToxicModel } from '../model.js';

/** Where a stage hands its output. */
export interface Sink {
  push(chunk: Buffer): void;
  end(): void;
}

/** What a stage may do to its connection and to the direction's flow control. */
export interface StageContext {
  /** Close both sides of the connection (FIN), after what was already written. */
  close(): void;
  /** Close both sides with RST. */
  reset(): void;
  /** Account `n` bytes held inside a stage (negative to release): the source pauses above a watermark. */
  hold(n: number): void;
}

export abstract class Stage implements Sink {
  next: Sink = { push: () => {}, end: () => {} };

  constructor(
    readonly toxic: ToxicModel,
    protected readonly ctx: StageContext,
  ) {}

  protected attr(name: string): number {
    return this.toxic.attributes[name] ?? 0;
  }

  abstract push(chunk: Buffer): void;

  end(): void {
    this.next.end();
  }

  /** The toxic was removed from this connection: hand held data on to `next` now, stop timers. */
  detach(): void {}

  /** The connection is gone: stop timers, drop held data. */
  dispose(): void {}

  /** The toxic's attributes changed. */
  updated(): void {}
}
