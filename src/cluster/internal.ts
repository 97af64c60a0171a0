// The cluster's internal state shared by the topology, failover, sampler and snapshot modules (not exported publicly).
import type pg from 'pg';
import type { PgBinaries } from './binaries.js';
import type { ExternalNodeSpec } from './external.js';
import type { LinkPlane } from './links.js';
import type { OsUser } from './osuser.js';
import type { PgServer } from './server.js';
import type { TlsMaterial } from './tls.js';
import type { ClusterNode, ClusterOptions } from './types.js';

export interface NodeRec {
  node: ClusterNode;
  server: PgServer | null;
  external: ExternalNodeSpec | null;
  /** streaming standbys: the node this one replicates from */
  upstream: string | null;
  /** holds (or may hold) WAL past a fork point: re-cloned before it runs again */
  needsReclone: boolean;
}

export interface ClusterCtx {
  readonly opts: ClusterOptions;
  readonly dir: string;
  readonly bins: PgBinaries | null;
  readonly user: OsUser | null;
  readonly password: string;
  readonly tls: TlsMaterial | null;
  readonly plane: LinkPlane;
  readonly recs: Map<string, NodeRec>;
  rec(name: string): NodeRec;
  adminConfig(name: string): pg.ClientConfig;
  /** libpq conninfo from node `from` to node `to` through the `repl-from-to` link (created if needed) */
  replConninfo(from: string, to: string, dbname?: string): Promise<string>;
  /** writes postgresql.conf, pg_hba.conf and postgresql.auto.conf (standby settings when `upstream` is set) */
  writeConfig(rec: NodeRec, upstream: string | null): Promise<void>;
  /** starts the server and waits for readiness */
  startServer(rec: NodeRec): Promise<void>;
  /** bumps the generation and tells listeners about the new primary */
  primaryChanged(name: string): void;
  persist(): void;
}
