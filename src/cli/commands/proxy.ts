// `faultline proxy`: command-line definition (options, help); the implementation is imported lazily.
// Runs the embedded Toxiproxy-compatible server in the foreground until SIGINT/SIGTERM.
import type { Command } from 'commander';

export function registerProxy(program: Command): void {
  program
    .command('proxy')
    .description('run the embedded Toxiproxy-compatible server (HTTP API + TCP proxies) until SIGINT/SIGTERM')
    .option('--listen <host:port>', 'address of the HTTP API (loopback only unless --allow-remote)', '127.0.0.1:8474')
    .option('--allow-remote', 'let the API and the proxies listen on non-loopback addresses and host names (resolved with DNS)')
    .action(async (opts: { listen: string; allowRemote?: boolean }) => {
      const { runProxyCommand } = await import('../../proxy/cli.js');
      await runProxyCommand(opts.listen, opts.allowRemote === true);
    });
}
