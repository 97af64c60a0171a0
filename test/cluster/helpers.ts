// Helpers for the cluster integration tests: liveness by PID, polling reads through the client proxies.
import { existsSync, readFileSync } from 'node:fs';
import pg from 'pg';
import type { Cluster } from '../../src/cluster/index.js';
import { eventually } from '../support/wait.js';

/** True once /proc/PID is gone (or a zombie). */
export function gone(pid: number): boolean {
  if (!existsSync(`/proc/${pid}`)) return true;
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = s.slice(s.lastIndexOf(')') + 2, s.lastIndexOf(')') + 3);
    return state === 'Z' || state === 'X';
  } catch {
    return true;
  }
}

/** Resolves true once `check` holds, polling every `everyMs` (no deadline: a hang is ended by the test's own timeout). */
export function until(check: () => boolean | Promise<boolean>, everyMs = 50): Promise<true> {
  return eventually(check, { everyMs });
}

/** Runs one statement on a fresh connection; `timeoutMs` bounds connect and query. */
export async function sql<R extends pg.QueryResultRow = pg.QueryResultRow>(config: pg.ClientConfig, text: string, values?: unknown[], timeoutMs = 10_000): Promise<R[]> {
  const c = new pg.Client({ ...config, connectionTimeoutMillis: timeoutMs, query_timeout: timeoutMs });
  c.on('error', () => undefined);
  try {
    await c.connect();
    return (await c.query<R>(text, values)).rows;
  } finally {
    await c.end().catch(() => undefined);
  }
}

/** Waits until `node` (through its client proxy) returns `expected` for `SELECT count(*) FROM table`. */
export async function seesCount(cluster: Cluster, node: string, table: string, expected: number): Promise<true> {
  return until(async () => {
    const rows = await sql<{ n: string }>(cluster.clientConfig(node), `SELECT count(*)::text AS n FROM ${table}`, [], 3000);
    return Number(rows[0]!.n) === expected;
  });
}

/** Every PID of the cluster's servers (postmasters and their children) right now. */
export function serverPids(cluster: Cluster): number[] {
  return cluster.nodes.map((n) => n.pid).filter((p): p is number => p !== null);
}
