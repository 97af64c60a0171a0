// libpq's multi-host connection list with target_session_attrs=read-write, which node-postgres lacks: try the hosts in
// order and take the first whose session is read-write (SHOW transaction_read_only = off), as libpq does. The choice
// is pure over a probe; the probe over SQL is at the edge.
import type pg from 'pg';
import { withClient } from '../sql.js';

export type SessionState = 'read-write' | 'read-only' | 'unreachable';

/** The first host in list order whose session is read-write, or null (libpq then fails the connection). */
export async function firstReadWrite<H>(hosts: readonly H[], probe: (h: H) => Promise<SessionState>): Promise<H | null> {
  for (const h of hosts) {
    if ((await probe(h)) === 'read-write') return h;
  }
  return null;
}

/** A libpq-style probe: connect, SHOW transaction_read_only; any error is unreachable (libpq moves to the next host). */
export function sqlProbe(timeoutMs = 1500): (config: pg.ClientConfig) => Promise<SessionState> {
  return async (config) => {
    try {
      return await withClient({ ...config, connectionTimeoutMillis: timeoutMs, query_timeout: timeoutMs }, async (c) => {
        const r = await c.query<{ transaction_read_only: string }>('SHOW transaction_read_only');
        return r.rows[0]?.transaction_read_only === 'off' ? 'read-write' : 'read-only';
      });
    } catch {
      return 'unreachable';
    }
  };
}

/** The libpq URI of the list (what an application would be given): postgres://h1:p1,h2:p2/db?target_session_attrs=read-write */
export function multiHostUri(hosts: readonly { host: string; port: number }[], user: string, database: string): string {
  return `postgres://${encodeURIComponent(user)}@${hosts.map((h) => `${h.host}:${h.port}`).join(',')}/${encodeURIComponent(database)}?target_session_attrs=read-write`;
}
