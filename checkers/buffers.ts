// Buffers the linearizability search takes and gives back, reused across the keys and histories one process
// checks: V8 collects the whole heap for about every 64 MiB of new ArrayBuffer memory, so a check of a
// thousand keys (or a hundred files) would otherwise pay full collections of a heap holding the history.

/** Free buffers by size class (a power of two, in bytes). */
const free = new Map<number, ArrayBuffer[]>();
let freeBytes = 0;
const MAX_FREE_BYTES = 64 * 1024 * 1024;

function sizeClass(bytes: number): number {
  if (bytes <= 64) return 64;
  // the next power of two: by counting leading zeros up to 1 GiB, by a logarithm beyond
  return bytes <= 1 << 30 ? 2 ** (32 - Math.clz32(bytes - 1)) : 2 ** Math.ceil(Math.log2(bytes));
}

/** A zeroed buffer of at least `bytes` bytes. */
export function takeBuffer(bytes: number): ArrayBuffer {
  const cls = sizeClass(bytes);
  const list = free.get(cls);
  const buf = list?.pop();
  if (buf === undefined) return new ArrayBuffer(cls);
  freeBytes -= cls;
  new Uint8Array(buf, 0, Math.min(cls, Math.ceil(bytes / 8) * 8)).fill(0);
  return buf;
}

/** Give a buffer from takeBuffer() back; it must not be used afterwards. */
export function giveBuffer(buf: ArrayBuffer): void {
  const cls = buf.byteLength;
  if (freeBytes + cls > MAX_FREE_BYTES || cls !== sizeClass(cls)) return;
  let list = free.get(cls);
  if (list === undefined) free.set(cls, (list = []));
  list.push(buf);
  freeBytes += cls;
}

/** A zeroed Int32Array of `n` elements on a pooled buffer. */
export function takeInt32(n: number): Int32Array {
  return new Int32Array(takeBuffer(4 * n), 0, n);
}

export function takeUint8(n: number): Uint8Array {
  return new Uint8Array(takeBuffer(n), 0, n);
}

export function takeFloat64(n: number): Float64Array {
  return new Float64Array(takeBuffer(8 * n), 0, n);
}

/** Give back the buffers of these views (from the take functions). */
export function give(...views: ArrayBufferView[]): void {
  for (const v of views) giveBuffer(v.buffer as ArrayBuffer);
}
