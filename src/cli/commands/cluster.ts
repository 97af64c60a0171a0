// `faultline cluster`: command-line definition (options, help); the implementation is imported lazily.
import { Option, type Command } from 'commander';
import { int, num } from '../numbers.js';

const TOPOLOGY_CHOICES = ['single', 'streaming-async', 'streaming-sync', 'logical-bidir', 'external'];

export interface ClusterUpOptions {
  topology: string;
  nodes?: number;
  sites?: number;
  wanLatency?: number;
  syncCommit?: string;
  syncStandbys?: string;
  tls?: boolean;
  pgBin?: string;
  toxiproxyUrl?: string;
  dir?: string;
  external?: string;
}

export interface ClusterStatusOptions {
  dir: string;
  json?: boolean;
}

const UP_HELP = `
Starts the nodes, wires every client and replication path through its own proxy
(client-n1, repl-n2-n1, …), prints one JSON object (nodes, client URLs through
the proxies, links) and runs until Ctrl-C, which stops every process it started.
With --dir the run directory (data, server logs, cluster.json) is kept.`;

export function registerCluster(program: Command): void {
  const cluster = program.command('cluster').description('start and inspect real PostgreSQL clusters');
  cluster
    .command('up')
    .description('start a cluster and keep it running until Ctrl-C')
    .addOption(new Option('--topology <name>', 'how the nodes are wired').choices(TOPOLOGY_CHOICES).makeOptionMandatory())
    .option('--nodes <n>', 'number of nodes (single: 1; streaming: primary + standbys; logical-bidir: ≥ 2)', int(1, 26))
    .option('--sites <n>', 'split the nodes round-robin across this many sites (a, b, …)', int(1, 26))
    .option('--wan-latency <ms>', 'latency (each direction) on every link that crosses sites', num(0, 60_000))
    .addOption(new Option('--sync-commit <mode>', 'streaming-sync: synchronous_commit').choices(['remote_write', 'on', 'remote_apply']))
    .option('--sync-standbys <spec>', "streaming-sync: 'FIRST k' or 'ANY k'")
    .option('--tls', 'TLS (per-cluster CA, sslmode=verify-ca) on every client and replication connection')
    .option('--pg-bin <dir>', 'PostgreSQL binaries (initdb, postgres) instead of the embedded ones')
    .option('--toxiproxy-url <url>', 'use this Toxiproxy server instead of the embedded proxy')
    .option('--external <file>', 'external topology: JSON file with the nodes')
    .option('--dir <dir>', 'run directory (kept); default a temporary directory removed at exit')
    .addHelpText('after', UP_HELP)
    .action(async (opts: ClusterUpOptions) => {
      const { clusterUp } = await import('../../cluster/cli.js');
      process.exitCode = await clusterUp(opts);
    });
  cluster
    .command('status')
    .description('role, lag and replication health of every node of a running cluster')
    .requiredOption('--dir <dir>', 'run directory of the cluster (holds cluster.json)')
    .option('--json', 'print JSON instead of a table')
    .action(async (opts: ClusterStatusOptions) => {
      const { clusterStatus } = await import('../../cluster/cli.js');
      process.exitCode = await clusterStatus(opts);
    });
}
