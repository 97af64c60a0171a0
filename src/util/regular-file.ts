// Opening files that someone else may have put in a directory faultline reads (a results directory served
// by `faultline serve`): regular files only, opened without blocking (a FIFO would otherwise hold a libuv
// thread forever), and read no further than the size they had when opened.
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';

/** The file is not a regular file (a FIFO, socket, device or directory) or is larger than allowed. */
export class UnsafeFileError extends Error {
  constructor(
    readonly path: string,
    readonly reason: 'not a regular file' | 'too large',
  ) {
    super(`${path}: ${reason}`);
    this.name = 'UnsafeFileError';
  }
}

/** Opens `path` read-only without blocking; throws UnsafeFileError unless it is a regular file. */
export async function openRegular(path: string): Promise<{ handle: FileHandle; size: number }> {
  const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new UnsafeFileError(path, 'not a regular file');
    return { handle, size: st.size };
  } catch (err) {
    await handle.close().catch(() => undefined);
    throw err;
  }
}

/** The text of a regular file of at most `maxBytes` bytes (UnsafeFileError otherwise). */
export async function readRegular(path: string, maxBytes: number): Promise<string> {
  const { handle, size } = await openRegular(path);
  try {
    if (size > maxBytes) throw new UnsafeFileError(path, 'too large');
    const buf = Buffer.alloc(size);
    let at = 0;
    while (at < size) {
      const { bytesRead } = await handle.read(buf, at, size - at, at);
      if (bytesRead === 0) break;
      at += bytesRead;
    }
    return buf.subarray(0, at).toString('utf8');
  } finally {
    await handle.close().catch(() => undefined);
  }
}
