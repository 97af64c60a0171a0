// One direction of one connection (client→upstream or upstream→client): a straight pipe while no toxic
// applies (fast path), else a chain of toxic stages ending in the destination socket, rebuilt live.
import type { Socket } from 'node:net';
import type { ToxicModel } from './model.js';
import { createStage } from './stages/index.js';
import type { Sink, Stage, StageContext } from './stages/stage.js';

/** Bytes held inside stages above which the source is paused. */
const HIGH_WATER = 1024 * 1024;

export interface LinkControl {
  close(): void;
  reset(): void;
}

export class Direction {
  private stages: Stage[] = [];
  private piping = false;
  private srcEnded = false;
  private stopped = false;
  private held = 0;
  private dstBlocked = false;
  private paused = false;
  private readonly ctx: StageContext;
  private readonly sink: Sink;

  constructor(
    private readonly src: Socket,
    private readonly dst: Socket,
    link: LinkControl,
  ) {
    this.ctx = {
      close: () => link.close(),
      reset: () => link.reset(),
      hold: (n) => {
        this.held += n;
        this.updateFlow();
      },
    };
    this.sink = {
      push: (chunk) => {
        if (this.stopped) return;
        if (!this.dst.write(chunk) && !this.dstBlocked) {
          this.dstBlocked = true;
          this.updateFlow();
          this.dst.once('drain', () => {
            this.dstBlocked = false;
            this.updateFlow();
          });
        }
      },
      end: () => {
        if (!this.stopped) this.dst.end();
      },
    };
    src.on('end', () => {
      this.srcEnded = true;
      if (!this.piping && !this.stopped) this.head().end();
    });
    this.startPipe();
  }

  /** Number of toxic stages now active (0 = fast path). */
  get depth(): number {
    return this.stages.length;
  }

  /** Makes the chain match `toxics` (in order), keeping the state of stages that stay. */
  setToxics(toxics: readonly ToxicModel[]): void {
    if (this.stopped) return;
    const old = this.stages;
    const byToxic = new Map(old.map((s) => [s.toxic, s] as const));
    const next = toxics.map((t) => byToxic.get(t) ?? createStage(t, this.ctx));
    const keep = new Set(next);
    for (let i = 0; i < next.length; i++) next[i].next = next[i + 1] ?? this.sink;
    // a removed stage hands its held data to the next surviving stage (newer data after older: order kept)
    const removed: Stage[] = [];
    for (let i = 0; i < old.length; i++) {
      const s = old[i];
      if (keep.has(s)) continue;
      let succ: Sink = this.sink;
      for (let j = i + 1; j < old.length; j++) {
        if (keep.has(old[j])) {
          succ = old[j];
          break;
        }
      }
      s.next = succ;
      removed.push(s);
    }
    this.stages = next;
    if (next.length > 0 && this.piping) this.stopPipe();
    for (let i = removed.length - 1; i >= 0; i--) {
      removed[i].detach();
      if (this.stopped) return;
    }
    if (next.length === 0 && !this.piping) this.startPipe();
  }

  /** Attributes of `toxic` changed. */
  updated(toxic: ToxicModel): void {
    for (const s of this.stages) if (s.toxic === toxic) s.updated();
  }

  /** Stop moving data (connection closing): timers off, nothing more written to dst. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.piping) this.src.unpipe(this.dst);
    this.src.off('data', this.onData);
    for (const s of this.stages) s.dispose();
    this.stages = [];
  }

  private head(): Sink {
    return this.stages[0] ?? this.sink;
  }

  private readonly onData = (chunk: Buffer): void => {
    this.head().push(chunk);
  };

  private startPipe(): void {
    this.src.off('data', this.onData);
    this.piping = true;
    this.paused = false;
    if (!this.srcEnded) this.src.pipe(this.dst);
  }

  private stopPipe(): void {
    this.src.unpipe(this.dst);
    this.piping = false;
    this.src.on('data', this.onData);
    this.dstBlocked = false;
    if (this.dst.writableNeedDrain) {
      this.dstBlocked = true;
      this.dst.once('drain', () => {
        this.dstBlocked = false;
        this.updateFlow();
      });
    }
    this.src.pause();
    this.paused = true; // updateFlow resumes unless blocked
    this.updateFlow();
  }

  private updateFlow(): void {
    if (this.piping || this.stopped) return;
    const pause = this.dstBlocked || this.held > HIGH_WATER;
    if (pause && !this.paused) {
      this.paused = true;
      this.src.pause();
    } else if (!pause && this.paused) {
      this.paused = false;
      this.src.resume();
    }
  }
}
