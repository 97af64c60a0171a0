// limit_data: passes exactly `bytes` bytes in its direction of the connection, then closes it.
import { Stage } from './stage.js';

export class LimitDataStage extends Stage {
  private passed = 0;
  private done = false;

  push(chunk: Buffer): void {
    if (this.done) return;
    const remaining = this.attr('bytes') - this.passed;
    if (remaining > 0) {
      const part = chunk.length <= remaining ? chunk : chunk.subarray(0, remaining);
      this.passed += part.length;
      this.next.push(part);
    }
    if (this.passed >= this.attr('bytes')) {
      this.done = true;
      this.ctx.close();
    }
  }
}
