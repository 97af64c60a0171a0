// latency: each chunk is delayed `latency` ± uniform `jitter` ms from its arrival; order is kept.
import { Stage } from './stage.js';
import { TimedQueue } from './timed-queue.js';

export class LatencyStage extends Stage {
  private readonly q = new TimedQueue(() => this.next, this.ctx);

  push(chunk: Buffer): void {
    const now = performance.now();
    const latency = this.attr('latency');
    const jitter = this.attr('jitter');
    const delay = Math.max(0, latency + (jitter > 0 ? (Math.random() * 2 - 1) * jitter : 0));
    if (delay === 0 && this.q.empty) this.next.push(chunk);
    else this.q.add(chunk, now + delay);
  }

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
