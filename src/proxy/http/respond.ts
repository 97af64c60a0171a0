// Writing responses the way Toxiproxy does: JSON on success, `{"error","status"}` + newline as text/plain on error.
import type { ServerResponse } from 'node:http';
import { ApiError } from '../errors.js';

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  sendRaw(res, status, JSON.stringify(body));
}

/** Sends `data`, already JSON text, as application/json. */
export function sendRaw(res: ServerResponse, status: number, data: string, type = 'application/json'): void {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(data) });
  res.end(data);
}

export function sendEmpty(res: ServerResponse, status: number): void {
  if (status === 204) res.writeHead(204);
  else res.writeHead(status, { 'Content-Length': 0 });
  res.end();
}

export function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'X-Content-Type-Options': 'nosniff',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

export function sendError(res: ServerResponse, err: ApiError, extra?: Record<string, unknown>): void {
  const body = JSON.stringify({ error: err.message, status: err.status, ...extra }) + '\n';
  if (extra) {
    res.writeHead(err.status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  } else sendText(res, err.status, body);
}
