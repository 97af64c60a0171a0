// `faultline proxy`: command-line definition (options, help); the implementation is imported lazily.
// Runs the embedded Toxiproxy-compatible server in the foreground until SIGINT/SIGTERM.
import type { Command } from 'commander';

export function registerProxy(program: Command): void {
  program
    .command('proxy')
    .description('run the embedded Toxiproxy-compatible server (HTTP API + TCP proxies) until SIGINT/SIGTERM')
    .option('--listen <host:port>', 'address of the HTTP API', '127.0.0.1:8474')
    .action(async (opts: { listen: string }) => {
      const { runProxyCommand } = await import('../../proxy/cli.js');
      await runProxyCommand(opts.listen);
    });
}
