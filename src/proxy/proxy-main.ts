// Entry of the proxy server child process (see spawn.ts): starts the API on a free port, prints one JSON
// line `{"url": ...}` and exits when stdin closes, the parent dies, or on SIGTERM/SIGINT. Loads no CLI code.
import { freePort } from '../util/ports.js';
import { startProxyServer } from './server.js';

async function run(): Promise<void> {
  const host = process.env.FAULTLINE_PROXY_HOST ?? '127.0.0.1';
  const portEnv = process.env.FAULTLINE_PROXY_PORT;
  const allowRemote = process.env.FAULTLINE_PROXY_ALLOW_REMOTE === '1';
  const server = await startProxyServer({ host, port: portEnv ? Number(portEnv) : await freePort(host), allowRemote });
  let stopping = false;
  const stop = (code: number): void => {
    if (stopping) return;
    stopping = true;
    const force = setTimeout(() => process.exit(code), 2000);
    force.unref();
    server.close().finally(() => process.exit(code));
  };
  process.on('SIGTERM', () => stop(0));
  process.on('SIGINT', () => stop(0));
  // the parent holds our stdin: when it goes away (even killed with SIGKILL), stdin ends
  process.stdin.on('end', () => stop(0));
  process.stdin.on('close', () => stop(0));
  process.stdin.on('error', () => stop(0));
  process.stdin.resume();
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) stop(0);
  }, 1000).unref();
  process.stdout.write(JSON.stringify({ url: server.url }) + '\n');
}

run().catch((err: unknown) => {
  process.stderr.write(`faultline proxy: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(69);
});
