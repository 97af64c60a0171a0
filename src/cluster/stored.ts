// Reading a running cluster's cluster.json (written at start, e.g. by `faultline cluster up --dir D`):
// its description plus admin connection settings per node, for `cluster status` and `faultline repair`.
import { existsSync, readFileSync } from 'node:fs';
import type pg from 'pg';
import { EXIT, UserError } from '../cli/exit.js';
import type { ClusterDescription } from './types.js';

export interface StoredCluster extends ClusterDescription {
  password: string;
  caFile: string | null;
}

export function readStoredCluster(file: string): StoredCluster {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as StoredCluster;
  } catch (err) {
    throw new UserError(`cannot read ${file}: ${(err as Error).message}`, EXIT.NO_INPUT);
  }
}

/** Admin settings straight to a stored node's server (TLS with the cluster's CA when it has one). */
export function storedAdminConfig(stored: StoredCluster, port: number): pg.ClientConfig {
  const ca = stored.caFile && existsSync(stored.caFile) ? readFileSync(stored.caFile, 'utf8') : null;
  return {
    host: '127.0.0.1',
    port,
    user: 'postgres',
    password: stored.password,
    database: 'postgres',
    ssl: ca ? { ca, rejectUnauthorized: true } : false,
  };
}
