// The cluster's options (faultline cluster up's, and part of faultline run's): what every topology shares, then
// each topology's own as its module declares them (the registry merges them).
import { BOOLEAN, int, num, STRING, type OptionSpec } from '../util/option-spec.js';
import { TOPOLOGY_OPTIONS } from './topology/index.js';

/** The cluster's options every topology shares (also `faultline cluster up`'s), then each topology's own. */
export const CLUSTER_OPTIONS: readonly OptionSpec[] = [
  { key: 'nodes', arg: 'n', type: int(1, 26), help: 'number of nodes (single: 1; streaming: primary + standbys; logical-bidir: ≥ 2)', defaultText: 'per topology', cluster: true },
  { key: 'sites', arg: 'n', type: int(1, 26), help: 'split the nodes round-robin across this many sites (a, b, …)', defaultText: '1', cluster: true },
  { key: 'wanLatency', field: 'wanLatencyMs', arg: 'ms', type: num(0, 60_000), help: 'latency (each direction) on every link that crosses sites', defaultText: '0', cluster: true },
  ...TOPOLOGY_OPTIONS,
  { key: 'tls', type: BOOLEAN, help: 'TLS (per-cluster CA, sslmode=verify-ca) on every client and replication connection', cluster: true },
  { key: 'pgBin', arg: 'dir', type: STRING, help: 'PostgreSQL binaries (initdb, postgres) instead of the embedded ones', cluster: true },
  { key: 'hosts', arg: 'file', type: STRING, help: 'run the nodes on these hosts over SSH, one per host (a hosts file: see "Remote hosts and the lab")', cluster: true },
  { key: 'toxiproxyUrl', arg: 'url', type: STRING, help: 'use this Toxiproxy server instead of the embedded proxy', cluster: true },
];
