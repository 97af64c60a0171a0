// Free TCP ports on 127.0.0.1 below 32768 (outside the kernel's ephemeral range, so no TIME-WAIT clashes).
// Ports are picked at run time, never fixed; a port is reserved in this process so two calls never collide.
import { createServer } from 'node:net';

const LOW = 10_000;
const HIGH = 32_767;
const handedOut = new Set<number>();

function tryBind(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen({ port, host, exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

/** A port in [10000, 32767] that was free on `host` a moment ago and not handed out before by this process. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW + 1));
    if (handedOut.has(port)) continue;
    if (await tryBind(port, host)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error(`no free port found in ${LOW}-${HIGH} on ${host}`);
}

/** Forget a port handed out earlier (after its server has closed), so it may be reused. */
export function releasePort(port: number): void {
  handedOut.delete(port);
}
