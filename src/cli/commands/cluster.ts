// `faultline cluster`: command-line definition (options from the cluster's part of the option table, help);
// the implementation is imported lazily.
import type { Command } from 'commander';
import { CLUSTER_OPTIONS } from '../../cluster/option-table.js';
import { runOption } from '../../runner/option-table.js';
import { STRING } from '../../util/option-spec.js';
import { addOptions, commanderOption } from '../option-commander.js';

/** `cluster up`'s flags as commander parsed them: the option table's keys (topology, nodes, wanLatency, …) and --dir. */
export interface ClusterUpOptions {
  topology: string;
  dir?: string;
  [key: string]: unknown;
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
  const up = cluster
    .command('up')
    .description('start a cluster and keep it running until Ctrl-C')
    .addOption(commanderOption({ ...runOption('topology'), help: 'how the nodes are wired', default: undefined }).makeOptionMandatory());
  addOptions(up, [...CLUSTER_OPTIONS, { key: 'dir', arg: 'dir', type: STRING, help: 'run directory (kept); default a temporary directory removed at exit' }])
    .addHelpText('after', UP_HELP)
    .action(async (opts: ClusterUpOptions) => {
      const { clusterUp } = await import('../cluster.js');
      process.exitCode = await clusterUp(opts);
    });
  cluster
    .command('status')
    .description('role, lag and replication health of every node of a running cluster')
    .requiredOption('--dir <dir>', 'run directory of the cluster (holds cluster.json)')
    .option('--json', 'print JSON instead of a table')
    .action(async (opts: ClusterStatusOptions) => {
      const { clusterStatus } = await import('../cluster.js');
      process.exitCode = await clusterStatus(opts);
    });
}
