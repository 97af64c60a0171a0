// Reads a running cluster's cluster.json (written by src/cluster, e.g. `faultline cluster up --dir D`) into probe
// targets: admin connection per node (straight to the server) and the server log path.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT, UserError } from '../util/exit.js';
import type { ProbeNode } from '../cluster/replication-probe.js';
import { readStoredCluster, storedAdminConfig } from '../cluster/stored.js';

/** DIR holds cluster.json, or is a run directory whose cluster/ holds it. */
export function findClusterFile(dir: string): string {
  for (const f of [join(dir, 'cluster.json'), join(dir, 'cluster', 'cluster.json')]) if (existsSync(f)) return f;
  throw new UserError(`no cluster.json in ${dir} or ${join(dir, 'cluster')} (start one with: faultline cluster up --topology logical-bidir --dir ${dir})`, EXIT.NO_INPUT);
}

export function readClusterTargets(dir: string): { topology: string; nodes: ProbeNode[] } {
  const file = findClusterFile(dir);
  const stored = readStoredCluster(file);
  const base = join(file, '..');
  const nodes = stored.nodes.map((n): ProbeNode => {
    const config = storedAdminConfig(stored, n.port);
    const log = join(base, n.name, 'server.log');
    return { name: n.name, config, logFile: existsSync(log) ? log : null };
  });
  return { topology: stored.topology, nodes };
}
