// reset_peer: on the first chunk, drops it (and all that follows), waits `timeout` ms, then closes
// the connection with RST, so the client sees ECONNRESET.
import { Stage } from './stage.js';

export class ResetPeerStage extends Stage {
  private timer: NodeJS.Timeout | null = null;
  private triggered = false;

  push(_chunk: Buffer): void {
    if (this.triggered) return;
    this.triggered = true;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.ctx.reset();
    }, this.attr('timeout'));
  }

  override end(): void {
    if (!this.triggered) this.next.end();
  }

  override detach(): void {
    this.dispose();
  }

  override dispose(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}
