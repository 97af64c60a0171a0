// slow_close: the end of the stream (FIN) is delivered `delay` ms late; data passes unchanged.
import { Stage } from './stage.js';

export class SlowCloseStage extends Stage {
  private timer: NodeJS.Timeout | null = null;
  private ended = false;

  push(chunk: Buffer): void {
    this.next.push(chunk);
  }

  override end(): void {
    if (this.ended) return;
    this.ended = true;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.next.end();
    }, this.attr('delay'));
  }

  override detach(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
      this.next.end();
    }
  }

  override dispose(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}
