// Reading a request body with a size limit, and parsing it as JSON with Toxiproxy's error wording.
import type { IncomingMessage } from 'node:http';
import { ApiError, badRequest } from '../errors.js';

export const MAX_BODY_BYTES = 1024 * 1024;

export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      reject(new ApiError(413, `request body too large (limit ${limit} bytes)`));
      return;
    }
    const parts: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (c: Buffer) => {
      if (failed) return;
      size += c.length;
      if (size > limit) {
        failed = true;
        reject(new ApiError(413, `request body too large (limit ${limit} bytes)`));
        return;
      }
      parts.push(c);
    });
    req.on('end', () => {
      if (!failed) resolve(Buffer.concat(parts));
    });
    req.on('error', (e) => {
      if (!failed) reject(badRequest(`bad request body: ${e.message}`));
      failed = true;
    });
  });
}

export function parseJson(buf: Buffer): unknown {
  const text = buf.toString('utf8');
  if (text.trim().length === 0) throw badRequest('bad request body: EOF');
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw badRequest(`bad request body: ${(e as Error).message}`);
  }
}
