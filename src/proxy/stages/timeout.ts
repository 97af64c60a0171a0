// timeout: drops all data in its direction; with timeout > 0 closes the connection after that long
// without data (each chunk restarts the timer); with 0 holds forever. Removal closes the connection.
import type { ToxicModel } from '../model.js';
import { Stage, type StageContext } from './stage.js';

export class TimeoutStage extends Stage {
  private timer: NodeJS.Timeout | null = null;

  constructor(toxic: ToxicModel, ctx: StageContext) {
    super(toxic, ctx);
    this.arm();
  }

  private arm(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const ms = this.attr('timeout');
    if (ms > 0) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.ctx.close();
      }, ms);
    }
  }

  push(_chunk: Buffer): void {
    this.arm();
  }

  override end(): void {
    this.dispose();
    this.next.end();
  }

  override updated(): void {
    this.arm();
  }

  override detach(): void {
    this.dispose();
    this.ctx.close();
  }

  override dispose(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}
