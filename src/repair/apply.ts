// Runs a repair plan's SQL, one action per session (the replication-origin session setup is per connection).
import pg from 'pg';
import type { ProbeNode } from '../cluster/replication-probe.js';
import type { RepairAction } from './plan.js';

export interface Applied {
  action: RepairAction;
  ok: boolean;
  error?: string;
}

export async function applyActions(nodes: readonly ProbeNode[], actions: readonly RepairAction[]): Promise<Applied[]> {
  const out: Applied[] = [];
  for (const action of actions) {
    const cfg = nodes.find((n) => n.name === action.node)?.config;
    if (!cfg) {
      out.push({ action, ok: false, error: `node ${action.node} is not reachable` });
      continue;
    }
    const db = new pg.Client({ ...cfg, connectionTimeoutMillis: 5000, query_timeout: 30_000 });
    db.on('error', () => undefined);
    try {
      await db.connect();
      for (const s of action.sql) await db.query(s);
      out.push({ action, ok: true });
    } catch (err) {
      out.push({ action, ok: false, error: err instanceof Error ? err.message : String(err) });
    } finally {
      await db.end().catch(() => undefined);
    }
  }
  return out;
}
