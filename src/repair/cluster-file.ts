// Reads a running cluster's cluster.json (written by src/cluster, e.g. `faultline cluster up --dir D`) into probe
// targets: admin connection per node (straight to the server) and the server log path.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';
import { EXIT, UserError } from '../cli/exit.js';
import type { ProbeNode } from '../runner/replication-probe.js';

interface StoredCluster {
  topology: string;
  dir: string;
  password: string;
  caFile: string | null;
  nodes: { name: string; port: number; host?: string }[];
}

/** DIR holds cluster.json, or is a run directory whose cluster/ holds it. */
export function findClusterFile(dir: string): string {
  for (const f of [join(dir, 'cluster.json'), join(dir, 'cluster', 'cluster.json')]) if (existsSync(f)) return f;
  throw new UserError(`no cluster.json in ${dir} or ${join(dir, 'cluster')} (start one with: faultline cluster up --topology logical-bidir --dir ${dir})`, EXIT.NO_INPUT);
}

export function readClusterTargets(dir: string): { topology: string; nodes: ProbeNode[] } {
  const file = findClusterFile(dir);
  let stored: StoredCluster;
  try {
    stored = JSON.parse(readFileSync(file, 'utf8')) as StoredCluster;
  } catch (err) {
    throw new UserError(`cannot read ${file}: ${(err as Error).message}`, EXIT.NO_INPUT);
  }
  const base = join(file, '..');
  const ca = stored.caFile && existsSync(stored.caFile) ? readFileSync(stored.caFile, 'utf8') : null;
  const nodes = stored.nodes.map((n): ProbeNode => {
    const config: pg.ClientConfig = {
      host: '127.0.0.1',
      port: n.port,
      user: 'postgres',
      password: stored.password,
      database: 'postgres',
      ssl: ca ? { ca, rejectUnauthorized: true } : false,
    };
    const log = join(base, n.name, 'server.log');
    return { name: n.name, config, logFile: existsSync(log) ? log : null };
  });
  return { topology: stored.topology, nodes };
}
