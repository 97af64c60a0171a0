// The cluster's internal state shared with the topology modules and their helpers (failover, cloning, sampling):
// one record per node, and the context a topology wires its nodes through. Not exported publicly.
import type pg from 'pg';
import type { Remote } from '../remote/types.js';
import type { LinkPlane } from './links.js';
import type { Endpoint, NodeProcess } from './process.js';
import type { TlsMaterial } from './tls.js';
import type { ClusterNode, ClusterOptions, NodeRole } from './types.js';

export interface NodeRec {
  node: ClusterNode & { role: NodeRole };
  /** the node's server, wherever it runs */
  process: NodeProcess;
  /** how faultline reaches the server directly */
  endpoint: Endpoint;
  /** faultline runs and configures this server (false: an attached node, e.g. external) */
  managed: boolean;
  /** streaming standbys: the node this one replicates from */
  upstream: string | null;
  /** holds (or may hold) WAL past a fork point: brought back through the topology's rejoin before it runs again */
  needsReclone: boolean;
}

/**
 * The host a node runs on (--hosts): what a topology needs to run more there than PostgreSQL (an HA manager
 * beside it: spawn it over `remote`, in `dir`, as `pgUser`, listening on `address`).
 */
export interface NodeHost {
  /** the host's name in the hosts file */
  name: string;
  site: string;
  /** the address the other hosts and faultline reach it at */
  address: string;
  /** the node's directory on the host (data/, server.log, the socket), inside the run's directory there */
  dir: string;
  pgBin: string;
  pgUser: string;
  remote: Remote;
}

/** What a topology wires its nodes through (the cluster implements it). */
export interface ClusterCtx {
  readonly opts: ClusterOptions;
  readonly dir: string;
  readonly password: string;
  readonly tls: TlsMaterial | null;
  readonly plane: LinkPlane;
  readonly recs: Map<string, NodeRec>;
  /** bumped on every change of primary */
  readonly generation: number;
  rec(name: string): NodeRec;
  adminConfig(name: string): pg.ClientConfig;
  /** libpq conninfo from node `from` to node `to` through the `repl-from-to` link (created if needed) */
  replConninfo(from: string, to: string, dbname?: string): Promise<string>;
  /** writes postgresql.conf, pg_hba.conf and postgresql.auto.conf (standby settings when `upstream` is set) */
  writeConfig(rec: NodeRec, upstream: string | null): Promise<void>;
  /** starts the server and waits for readiness */
  startServer(rec: NodeRec): Promise<void>;
  /** the host a node runs on (--hosts), or null on this machine */
  nodeHost(name: string): NodeHost | null;
  /** bumps the generation and tells listeners about the new primary */
  primaryChanged(name: string): void;
  persist(): void;
}
