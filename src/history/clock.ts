// Monotonic nanosecond clock for history `time` fields: process.hrtime.bigint() relative to a start.
// Numbers stay exact for ~104 days of run time (2^53 ns).

export class MonotonicClock {
  private readonly start: bigint;

  /** start: an hrtime.bigint() reading that becomes time 0 (default: now). */
  constructor(start: bigint = process.hrtime.bigint()) {
    this.start = start;
  }

  /** Nanoseconds since the start, as an integer. */
  now(): number {
    return Number(process.hrtime.bigint() - this.start);
  }
}
