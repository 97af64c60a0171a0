// slicer: splits data into pieces of `average_size` ± `size_variation` bytes, `delay` µs apart.
// average_size 0 passes chunks unsliced.
import { QueuedStage } from './timed-queue.js';

export class SlicerStage extends QueuedStage {
  push(chunk: Buffer): void {
    const avg = this.attr('average_size');
    const variation = Math.min(this.attr('size_variation'), Math.max(0, avg - 1));
    const delayMs = this.attr('delay') / 1000;
    if (avg <= 0) {
      if (this.q.empty) this.next.push(chunk);
      else this.q.add(chunk, 0);
      return;
    }
    let t = Math.max(performance.now(), this.q.tail);
    for (let off = 0; off < chunk.length; ) {
      const size = Math.max(1, avg + Math.round((Math.random() * 2 - 1) * variation));
      const part = chunk.subarray(off, Math.min(chunk.length, off + size));
      off += part.length;
      if (delayMs === 0 && this.q.empty) this.next.push(part);
      else {
        this.q.add(part, t);
        t += delayMs;
      }
    }
  }
}
