// bandwidth: at most `rate` KB/s (1 KB = 1000 B); data is released in pieces of at most 100 ms worth,
// each when its transmission time has elapsed. rate 0 passes data through unlimited.
import { QueuedStage } from './timed-queue.js';

export class BandwidthStage extends QueuedStage {
  push(chunk: Buffer): void {
    const rate = this.attr('rate'); // KB/s = bytes per ms
    if (rate <= 0) {
      if (this.q.empty) this.next.push(chunk);
      else this.q.add(chunk, 0);
      return;
    }
    const piece = Math.max(1, Math.floor(rate * 100));
    let t = Math.max(performance.now(), this.q.tail);
    for (let off = 0; off < chunk.length; off += piece) {
      const part = chunk.subarray(off, Math.min(chunk.length, off + piece));
      t += part.length / rate;
      this.q.add(part, t);
    }
  }
}
