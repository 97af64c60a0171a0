// Typed arrays carved out of a few large ArrayBuffers. V8 runs a full garbage collection about every 64 MiB of
// new ArrayBuffer memory; with a million-txn history alive that is seconds each, so the checker's arrays come
// from one arena sized from the history instead of hundreds of separate allocations.

export interface Alloc {
  i32(n: number): Int32Array;
  u8(n: number): Uint8Array;
  f64(n: number): Float64Array;
}

/** Plain allocation, for small graphs. */
export const HEAP: Alloc = {
  i32: (n) => new Int32Array(n),
  u8: (n) => new Uint8Array(n),
  f64: (n) => new Float64Array(n),
};

/** A bump allocator over chunks of at least `chunkBytes`; arrays start zeroed (chunks are never reused). */
export class Arena implements Alloc {
  private buf: ArrayBuffer | null = null;
  private at = 0;

  constructor(private readonly chunkBytes: number) {}

  private take(bytes: number): [ArrayBuffer, number] {
    const need = (bytes + 7) & ~7;
    if (this.buf === null || this.at + need > this.buf.byteLength) {
      this.buf = new ArrayBuffer(Math.max(this.chunkBytes, need));
      this.at = 0;
    }
    const off = this.at;
    this.at += need;
    return [this.buf, off];
  }

  i32(n: number): Int32Array {
    const [b, off] = this.take(n * 4);
    return new Int32Array(b, off, n);
  }

  u8(n: number): Uint8Array {
    const [b, off] = this.take(n);
    return new Uint8Array(b, off, n);
  }

  f64(n: number): Float64Array {
    const [b, off] = this.take(n * 8);
    return new Float64Array(b, off, n);
  }
}
