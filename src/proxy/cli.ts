// Implementation of `faultline proxy`: start the server in this process, print its URL, wait for a signal.
import { UsageError, UserError, EXIT } from '../util/exit.js';
import { listenRefusal, netHost, parseHostPort } from './address.js';
import { startProxyServer } from './server.js';

export async function runProxyCommand(listen: string, allowRemote = false): Promise<void> {
  const hp = parseHostPort(listen);
  if (!hp) throw new UsageError(`--listen: expected host:port, got ${JSON.stringify(listen)}`);
  const refused = listenRefusal(hp, allowRemote);
  if (refused) throw new UsageError(`--listen: ${refused}`);
  const server = await startProxyServer({ host: netHost(hp.host), port: hp.port, allowRemote }).catch((e: NodeJS.ErrnoException) => {
    throw new UserError(`cannot listen on ${listen}: ${e.code ?? e.message}`, EXIT.UNAVAILABLE);
  });
  process.stdout.write(`faultline proxy: Toxiproxy API listening on ${server.url}\n`);
  await new Promise<void>((resolve) => {
    const done = (): void => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.on('SIGINT', done);
    process.on('SIGTERM', done);
  });
  await server.close();
}
