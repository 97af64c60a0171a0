// The embedded Toxiproxy-compatible server, in this process: the HTTP API plus every proxy it creates.
// startProxyServer() resolves once the API listens; close() stops every proxy and connection.
import { createServer } from 'node:http';
import { formatHostPort, listenRefusal } from './address.js';
import { createApiHandler } from './http/api.js';
import type { Random } from './proxy.js';
import { Registry } from './registry.js';

export interface ProxyServer {
  url: string;
  host: string;
  port: number;
  close(): Promise<void>;
}

export interface ProxyServerOptions {
  /** Address of the HTTP API (default 127.0.0.1). */
  host?: string;
  /** Port of the HTTP API (default 0: any free port). */
  port?: number;
  /** Let the API and proxies listen on non-loopback addresses and host names (default false). */
  allowRemote?: boolean;
  /** Source of toxicity draws (tests script it; default Math.random). */
  random?: Random;
}

export async function startProxyServer(opts: ProxyServerOptions = {}): Promise<ProxyServer> {
  const host = opts.host ?? '127.0.0.1';
  const allowRemote = opts.allowRemote === true;
  const refused = listenRefusal({ host, port: opts.port ?? 0 }, allowRemote);
  if (refused) throw new Error(refused);
  const registry = new Registry({ allowRemote }, opts.random);
  const http = createServer({ keepAliveTimeout: 30_000 }, createApiHandler(registry));
  http.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen({ host, port: opts.port ?? 0 }, () => {
      http.off('error', reject);
      resolve();
    });
  });
  const addr = http.address();
  const port = addr && typeof addr === 'object' ? addr.port : (opts.port ?? 0);
  const boundHost = addr && typeof addr === 'object' ? addr.address : host;
  let closing: Promise<void> | null = null;
  return {
    url: `http://${formatHostPort(boundHost, port)}`,
    host: boundHost,
    port,
    close: () =>
      (closing ??= (async () => {
        const done = new Promise<void>((resolve) => http.close(() => resolve()));
        http.closeAllConnections();
        await registry.closeAll();
        await done;
      })()),
  };
}
