// `switchover-readonly` / `switchover-fence`: the two-site switchover procedure — mark one node down, drain its
// clients to the other node, stop it, bring it back (checking it is still marked down), re-enable it.
// readonly marks with ALTER SYSTEM default_transaction_read_only (not a fence: an open transaction keeps writing);
// fence restarts the node as a standby (standby.signal), which ends every session and refuses every write.
import pg from 'pg';
import type { Cluster } from '../src/cluster/types.js';
import type { Json } from '../src/history/types.js';
import type { DrainControl, FaultRecord, Nemesis, NemesisContext } from './types.js';

export type SwitchoverMode = 'readonly' | 'fence';

/** The table the simulated stray application session and the new active site both write. */
export const SWITCHOVER_TABLE = 'faultline_switchover';

function drainControl(ctx: NemesisContext): DrainControl | null {
  return ctx.routing ?? null;
}

function config(c: Cluster, node: string): pg.ClientConfig {
  return { ...c.adminConfig(node), connectionTimeoutMillis: 5000, query_timeout: 30_000 };
}

async function sql(c: Cluster, node: string, text: string, values?: unknown[]): Promise<pg.QueryResult> {
  const db = new pg.Client(config(c, node));
  db.on('error', () => undefined);
  await db.connect();
  try {
    return await db.query(text, values);
  } finally {
    await db.end().catch(() => undefined);
  }
}

function errText(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown };
  return `${typeof e.code === 'string' ? `${e.code} ` : ''}${typeof e.message === 'string' ? e.message : String(err)}`;
}

/** Try a statement sequence in a fresh session: 'ok' or the error. */
async function attempt(c: Cluster, node: string, statements: string[]): Promise<string> {
  const db = new pg.Client(config(c, node));
  db.on('error', () => undefined);
  try {
    await db.connect();
    for (const s of statements) await db.query(s);
    return 'ok';
  } catch (err) {
    return errText(err);
  } finally {
    await db.end().catch(() => undefined);
  }
}

async function ensureTable(c: Cluster): Promise<void> {
  const up = c.nodes.filter((n) => n.state === 'running').map((n) => n.name);
  let created = false;
  for (const n of up) {
    const r = await sql(c, n, `SELECT to_regclass('${SWITCHOVER_TABLE}') IS NOT NULL AS e`);
    if (r.rows[0].e) continue;
    await sql(c, n, `CREATE TABLE ${SWITCHOVER_TABLE} (k text PRIMARY KEY, v text NOT NULL, origin int NOT NULL DEFAULT current_setting('port')::int)`);
    created = true;
  }
  if (created && c.supports('subscriptions')) for (const n of up) await c.capability('subscriptions').refresh(n);
}

/** Is the node still refusing writes (after a restart)? With the evidence. */
async function markedDown(c: Cluster, node: string, mode: SwitchoverMode): Promise<{ down: boolean; evidence: Record<string, Json> }> {
  const r = await sql(
    c,
    node,
    `SELECT pg_is_in_recovery() AS recovery, current_setting('default_transaction_read_only') AS ro,
       (SELECT source FROM pg_settings WHERE name = 'default_transaction_read_only') AS source`,
  );
  const row = r.rows[0] as { recovery: boolean; ro: string; source: string };
  const write = await attempt(c, node, [`INSERT INTO ${SWITCHOVER_TABLE} (k, v) VALUES ('probe-${Date.now()}', 'write while marked down')`]);
  const down = mode === 'fence' ? row.recovery : row.ro === 'on';
  return { down: down && write !== 'ok', evidence: { inRecovery: row.recovery, defaultTransactionReadOnly: row.ro, source: row.source, writeAttempt: write } };
}

export function switchoverNemesis(mode: SwitchoverMode): Nemesis {
  let round = 0;
  let inForce: { node: string; drained: boolean } | null = null;
  return {
    name: `switchover-${mode}`,
    names: ['switchover-down', 'switchover-up'],
    async start(ctx): Promise<FaultRecord> {
      const c = ctx.cluster;
      await ensureTable(c);
      const up = c.nodes.filter((n) => n.state === 'running').map((n) => n.name);
      if (up.length < 2) throw new Error('switchover needs two running nodes');
      const node = ctx.rng.pick(up);
      const other = up.find((n) => n !== node) as string;
      const key = `cmd-${process.pid}-${++round}`;
      // an application session on the node, in a transaction when the node is marked down (a batch job, a pool)
      const stray = new pg.Client(config(c, node));
      stray.on('error', () => undefined);
      await stray.connect();
      await stray.query('BEGIN');
      // it is working on command `key` (row inserted, not yet committed)
      await stray.query(`INSERT INTO ${SWITCHOVER_TABLE} (k, v) VALUES ($1, 'stray session on the node marked down')`, [key]);
      // 1. mark down
      if (mode === 'readonly') {
        await sql(c, node, 'ALTER SYSTEM SET default_transaction_read_only = on');
        await sql(c, node, 'SELECT pg_reload_conf()');
      } else {
        const dir = (await sql(c, node, 'SHOW data_directory')).rows[0].data_directory as string;
        await sql(c, node, `COPY (SELECT 1 WHERE false) TO '${dir.replace(/'/g, "''")}/standby.signal'`);
        await c.restart(node);
      }
      await new Promise((r) => setTimeout(r, 200));
      // 2. drain: clients of the node move to the other node
      const drain = drainControl(ctx);
      drain?.drain(node);
      // the new active site takes the command the stray session is still working on
      const activeSite = await attempt(c, other, [`INSERT INTO ${SWITCHOVER_TABLE} (k, v) VALUES ('${key}', 'new active site ${other}')`]);
      // the stray session finishes its transaction on the node that is marked down
      let strayCommit: string;
      try {
        await stray.query(`INSERT INTO ${SWITCHOVER_TABLE} (k, v) VALUES ($1, 'stray session, after the drain')`, [`${key}-late`]);
        await stray.query('COMMIT');
        strayCommit = 'ok';
      } catch (err) {
        strayCommit = errText(err);
      } finally {
        await stray.end().catch(() => undefined);
      }
      // anybody can opt out of a read-only default; nobody can write on a standby
      const bypass = await attempt(c, node, ['BEGIN READ WRITE', `INSERT INTO ${SWITCHOVER_TABLE} (k, v) VALUES ('${key}-bypass', 'BEGIN READ WRITE')`, 'COMMIT']);
      // 3. stop it
      await c.stopNode(node);
      inForce = { node, drained: drain !== null };
      return {
        f: 'switchover-down',
        value: { mode, node, to: other, key, drained: drain !== null, activeSiteWrite: activeSite, strayCommit, bypassWrite: bypass, wroteWhileDown: strayCommit === 'ok' || bypass === 'ok' },
      };
    },
    async stop(ctx): Promise<FaultRecord | null> {
      if (!inForce) return null;
      const c = ctx.cluster;
      const { node } = inForce;
      inForce = null;
      // 4. bring it back: it must still be marked down
      await c.start(node);
      const after = await markedDown(c, node, mode);
      // 5. re-enable
      if (mode === 'readonly') {
        await sql(c, node, 'ALTER SYSTEM RESET default_transaction_read_only');
        await sql(c, node, 'SELECT pg_reload_conf()');
      } else {
        await sql(c, node, 'SELECT pg_promote(true, 60)');
      }
      drainControl(ctx)?.undrain(node);
      return { f: 'switchover-up', value: { mode, node, downAfterRestart: after.down, ...after.evidence } };
    },
  };
}
