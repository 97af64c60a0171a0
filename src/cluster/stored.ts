// Reading a running cluster's cluster.json (written at start, e.g. by `faultline cluster up --dir D`):
// its description plus admin connection settings per node, for `cluster status` and `faultline repair`.
// The password comes from the passfile cluster.json names (older cluster.json files carried it inline).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type pg from 'pg';
import { EXIT, UserError } from '../util/exit.js';
import { passwordFor, readPassfile, type PassEntry } from './passfile.js';
import type { ClusterDescription } from './types.js';

export interface StoredCluster extends Omit<ClusterDescription, 'passfile'> {
  /** the passfile, relative to cluster.json's directory (or absolute) */
  passfile?: string;
  /** only in cluster.json files written before the passfile existed */
  password?: string;
  caFile: string | null;
  /** the passfile's lines, read with cluster.json */
  passwords: PassEntry[];
}

export function readStoredCluster(file: string): StoredCluster {
  let stored: StoredCluster;
  try {
    stored = JSON.parse(readFileSync(file, 'utf8')) as StoredCluster;
  } catch (err) {
    throw new UserError(`cannot read ${file}: ${(err as Error).message}`, EXIT.NO_INPUT);
  }
  stored.passwords = [];
  if (stored.passfile) {
    const pf = resolve(dirname(file), stored.passfile);
    try {
      stored.passwords = readPassfile(pf);
    } catch (err) {
      throw new UserError(`cannot read the cluster's passfile ${pf}: ${(err as Error).message}`, EXIT.NO_INPUT);
    }
  }
  return stored;
}

/** Admin settings straight to a stored node's server (TLS with the cluster's CA when it has one). */
export function storedAdminConfig(stored: StoredCluster, port: number): pg.ClientConfig {
  const ca = stored.caFile && existsSync(stored.caFile) ? readFileSync(stored.caFile, 'utf8') : null;
  return {
    host: '127.0.0.1',
    port,
    user: 'postgres',
    password: passwordFor(stored.passwords, port, 'postgres') ?? stored.password,
    database: 'postgres',
    ssl: ca ? { ca, rejectUnauthorized: true } : false,
  };
}
