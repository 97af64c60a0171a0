// latency: each chunk is delayed `latency` ± uniform `jitter` ms from its arrival; order is kept.
import { QueuedStage } from './timed-queue.js';

export class LatencyStage extends QueuedStage {
  push(chunk: Buffer): void {
    const now = performance.now();
    const latency = this.attr('latency');
    const jitter = this.attr('jitter');
    const delay = Math.max(0, latency + (jitter > 0 ? (Math.random() * 2 - 1) * jitter : 0));
    if (delay === 0 && this.q.empty) this.next.push(chunk);
    else this.q.add(chunk, now + delay);
  }
}
