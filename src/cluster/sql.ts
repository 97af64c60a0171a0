// Short-lived pg connections for setup and inspection: connect, run, always end; errors never leak as events.
// node-postgres is loaded on first use, so the topology modules (which the CLI lists at start-up) stay cheap to import.
import type pg from 'pg';

export async function withClient<T>(config: pg.ClientConfig, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const { default: driver } = await import('pg');
  const c = new driver.Client(config);
  c.on('error', () => undefined);
  try {
    await c.connect();
    return await fn(c);
  } finally {
    await c.end().catch(() => undefined);
  }
}

/** Whether the server answers `SELECT 1` on `config` now: null when it does, else why not (the driver's message). */
export async function answers(config: pg.ClientConfig, connectTimeoutMs: number): Promise<string | null> {
  try {
    await withClient({ ...config, connectionTimeoutMillis: connectTimeoutMs }, (c) => c.query('SELECT 1'));
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

export async function query<R extends pg.QueryResultRow = pg.QueryResultRow>(config: pg.ClientConfig, text: string, values?: unknown[]): Promise<R[]> {
  return withClient(config, async (c) => (await c.query<R>(text, values)).rows);
}

/** Polls `check` every `everyMs` until it returns true; false after `timeoutMs`. Errors count as false. */
export async function poll(check: () => Promise<boolean>, timeoutMs: number, everyMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return true;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** LSN text (`16/B374D848`) → bigint, null stays null. */
export function lsn(v: string | null | undefined): bigint | null {
  if (!v) return null;
  const [hi, lo] = v.split('/');
  return (BigInt(`0x${hi}`) << 32n) + BigInt(`0x${lo}`);
}
