// Transactions for the append and rw-register workloads, as Elle generates them: 1..maxLength micro-ops over a
// pool of active keys chosen with an exponential skew; a key written maxWritesPerKey times is retired for a fresh one.
import type { Json } from '../src/history/types.js';
import type { Rng } from '../src/util/rng.js';

export interface TxnGenOptions {
  /** keys in the active pool at any time (default 10) */
  keyCount?: number;
  /** micro-ops per transaction: minLength..maxLength, uniform (default 1..4) */
  minLength?: number;
  maxLength?: number;
  /** writes a key takes before a fresh key replaces it in the pool (default 32) */
  maxWritesPerKey?: number;
  /** fraction of micro-ops that are reads (default 0.5) */
  readFraction?: number;
  /**
   * the skew: the pool's slot i is chosen with weight base^-i, so slot 0 is `base` times as likely as slot 1
   * (default 2); 1 is uniform
   */
  keyDistBase?: number;
}

/** One micro-op as the history holds it: ["r", k, null] at invoke, ["append", k, v] or ["w", k, v]. */
export type MicroOp = [string, number, Json];

/**
 * The shared state of one run's transaction generator: the active key pool and how often each key was written.
 * Every client draws from the same instance (the runner calls generate one op at a time), so a value is written to
 * a key at most once in a run: each key's writes are 1, 2, 3… in the order they were generated.
 */
export class TxnGenerator {
  readonly keyCount: number;
  readonly minLength: number;
  readonly maxLength: number;
  readonly maxWritesPerKey: number;
  readonly readFraction: number;
  private readonly cumulative: number[];
  /** the active keys, by pool slot */
  private readonly pool: number[];
  /** how many writes each active key has had (by slot) */
  private readonly writes: number[];
  private nextKey: number;

  constructor(
    private readonly writeF: 'append' | 'w',
    o: TxnGenOptions = {},
  ) {
    this.keyCount = o.keyCount ?? 10;
    this.minLength = o.minLength ?? 1;
    this.maxLength = o.maxLength ?? 4;
    this.maxWritesPerKey = o.maxWritesPerKey ?? 32;
    this.readFraction = o.readFraction ?? 0.5;
    const base = o.keyDistBase ?? 2;
    if (!(this.keyCount >= 1 && Number.isInteger(this.keyCount))) throw new RangeError(`keyCount must be a positive integer, got ${this.keyCount}`);
    if (!(this.minLength >= 1 && this.maxLength >= this.minLength)) throw new RangeError(`txn length must be 1 <= min <= max, got ${this.minLength}..${this.maxLength}`);
    if (!(this.maxWritesPerKey >= 1)) throw new RangeError(`maxWritesPerKey must be at least 1, got ${this.maxWritesPerKey}`);
    if (!(base >= 1)) throw new RangeError(`keyDistBase must be at least 1, got ${base}`);
    // cumulative weights of the slots: slot i weighs base^-i
    this.cumulative = [];
    let total = 0;
    for (let i = 0; i < this.keyCount; i++) this.cumulative.push((total += base ** -i));
    this.pool = Array.from({ length: this.keyCount }, (_, i) => i);
    this.writes = new Array<number>(this.keyCount).fill(0);
    this.nextKey = this.keyCount;
  }

  /** The pool slot of a random key, skewed towards slot 0. */
  private slot(rng: Rng): number {
    const c = this.cumulative;
    const x = rng.next() * c[c.length - 1]!;
    let lo = 0;
    let hi = c.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (x < c[mid]!) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** The next transaction's micro-ops. */
  next(rng: Rng): MicroOp[] {
    const length = rng.int(this.minLength, this.maxLength);
    const txn: MicroOp[] = [];
    while (txn.length < length) {
      const s = this.slot(rng);
      if (rng.chance(this.readFraction)) {
        txn.push(['r', this.pool[s]!, null]);
        continue;
      }
      const v = ++this.writes[s]!;
      txn.push([this.writeF, this.pool[s]!, v]);
      // its last write: the slot takes a fresh key from now on
      if (v >= this.maxWritesPerKey) {
        this.pool[s] = this.nextKey++;
        this.writes[s] = 0;
      }
    }
    return txn;
  }

  /** The keys currently in the pool (tests). */
  activeKeys(): number[] {
    return [...this.pool];
  }
}

/** Does the transaction write anything? (a read-only one may go to a standby and can only fail when it errs) */
export function writesIn(txn: readonly MicroOp[]): boolean {
  return txn.some((m) => m[0] !== 'r');
}
