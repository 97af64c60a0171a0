// The SQL side of the transactional workloads (Jepsen's PostgreSQL schema): tables txn0..txn2 (id, sk, val), a key
// in table hash(k) mod 3, one transaction per op at the run's isolation level, and how far it got when it failed.
import type { Json } from '../src/history/types.js';
import type { Db } from './types.js';
import type { MicroOp } from './txn-gen.js';

export const TXN_TABLE_COUNT = 3;
export const TXN_TABLES: readonly string[] = Array.from({ length: TXN_TABLE_COUNT }, (_, i) => `txn${i}`);

export const ISOLATIONS = ['read-committed', 'repeatable-read', 'serializable'] as const;
export type Isolation = (typeof ISOLATIONS)[number];

/** The consistency model a history at each isolation level should satisfy (PostgreSQL's RR is snapshot isolation). */
export const EXPECTED_MODEL: Readonly<Record<Isolation, string>> = {
  'read-committed': 'read-committed',
  'repeatable-read': 'snapshot-isolation',
  serializable: 'serializable',
};

const SQL_LEVEL: Readonly<Record<Isolation, string>> = {
  'read-committed': 'READ COMMITTED',
  'repeatable-read': 'REPEATABLE READ',
  serializable: 'SERIALIZABLE',
};

/** The table holding key k (keys are non-negative integers; the hash is the key itself). */
export function tableOf(k: number): string {
  return TXN_TABLES[((k % TXN_TABLE_COUNT) + TXN_TABLE_COUNT) % TXN_TABLE_COUNT]!;
}

/** Jepsen's schema: `sk` repeats the id (a secondary key Jepsen's test can read by). */
export async function setupTxnTables(db: Db): Promise<void> {
  for (const t of TXN_TABLES) await db.query(`CREATE TABLE IF NOT EXISTS ${t} (id int PRIMARY KEY, sk int NOT NULL, val text)`);
}

/**
 * An error of an explicit transaction before its COMMIT was sent: the transaction certainly aborted (a server
 * error rolled it back, or the connection went away with the transaction open), so the op fails, even a write.
 * The SQLSTATE stays readable as `code`, so the client still tells a lost connection from a server error.
 */
export class AbortedBeforeCommit extends Error {
  readonly commitSent = false;
  readonly code?: string;
  constructor(override readonly cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause));
    const code = (cause as { code?: unknown })?.code;
    if (typeof code === 'string') this.code = code;
  }
}

/** An explicit transaction whose COMMIT was answered ROLLBACK (the server had aborted it): certainly no effect. */
export class RolledBack extends Error {
  readonly definite = true;
  readonly code = 'ROLLBACK';
  constructor() {
    super('COMMIT answered ROLLBACK: the transaction had aborted');
  }
}

/** What a transaction does per micro-op: the SQL of a read and of a write, and how a read's row becomes a value. */
export interface TxnSql {
  read(db: Db, k: number): Promise<Json>;
  write(db: Db, k: number, v: Json): Promise<void>;
}

interface Session {
  /** the node was in recovery when the session started (a standby: it refuses SERIALIZABLE) */
  standby: boolean;
  /** the level the session's single-statement transactions run at */
  level: Isolation;
}

/**
 * Runs one transaction per op at `isolation`. Every session first sets its default isolation, so a transaction of
 * one micro-op runs as one statement without BEGIN, at the same level as the others: under SSI a statement at READ
 * COMMITTED is not tracked for rw-conflicts, and could close a cycle of serializable transactions unnoticed.
 * PostgreSQL refuses SERIALIZABLE on a hot standby (0A000, "You can use REPEATABLE READ instead"): there, at
 * isolation serializable, read-only transactions run at REPEATABLE READ, the strongest level a standby offers; each
 * first checks, inside its transaction, that the node is still in recovery, and starts over at SERIALIZABLE when it
 * has been promoted since the session began.
 */
export class TxnRunner {
  private readonly sessions = new WeakMap<Db, Session>();

  constructor(
    readonly isolation: Isolation,
    private readonly sql: TxnSql,
  ) {}

  /** The level a session on a standby (true) or a primary runs at. */
  levelOn(standby: boolean): Isolation {
    return standby && this.isolation === 'serializable' ? 'repeatable-read' : this.isolation;
  }

  private async session(db: Db, writes: boolean): Promise<Session> {
    const known = this.sessions.get(db);
    // a write on a session begun on a standby: the node may have been promoted since, so look again
    if (known !== undefined && !(writes && known.standby)) return known;
    const r = await db.query<{ standby: boolean }>('SELECT pg_is_in_recovery() AS standby');
    const standby = r.rows[0]?.standby === true;
    const level = this.levelOn(standby);
    await db.query(`SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL ${SQL_LEVEL[level]}`);
    const s: Session = { standby, level };
    this.sessions.set(db, s);
    return s;
  }

  /** Perform the transaction; resolves with its micro-ops, reads filled in. */
  async run(db: Db, txn: readonly MicroOp[], writes: boolean): Promise<Json> {
    let s: Session;
    try {
      s = await this.session(db, writes);
    } catch (err) {
      // nothing of the transaction was sent
      throw new AbortedBeforeCommit(err);
    }
    const below = s.standby && s.level !== this.isolation;
    if (txn.length === 1 && !below) return [await this.mop(db, txn[0]!)] as Json;
    const out: Json[] = [];
    let promoted = false;
    try {
      await db.query(`BEGIN ISOLATION LEVEL ${SQL_LEVEL[s.level]}`);
      // a session begun on a standby runs below the level asked for; if the node has been promoted since, a
      // read-only txn would run at REPEATABLE READ on a primary, unseen by SSI, and could show a read-only anomaly
      // PostgreSQL never allowed at SERIALIZABLE: start again on a fresh session at the level asked for
      promoted = below && !(await this.stillStandby(db));
      if (promoted) await db.query('ROLLBACK');
      else for (const m of txn) out.push(await this.mop(db, m));
    } catch (err) {
      await db.query('ROLLBACK').catch(() => undefined);
      throw new AbortedBeforeCommit(err);
    }
    if (promoted) {
      this.sessions.delete(db);
      return this.run(db, txn, writes);
    }
    // from here the transaction may commit: errors are classified as the client classifies any (info, or fail for
    // a server error that rolled the transaction back, such as 40001 at COMMIT)
    const done = await db.query('COMMIT');
    if (done.command !== 'COMMIT') throw new RolledBack();
    return out;
  }

  /** Inside a transaction begun on a session that started on a standby: is the node still in recovery? */
  private async stillStandby(db: Db): Promise<boolean> {
    const r = await db.query<{ standby: boolean }>('SELECT pg_is_in_recovery() AS standby');
    return r.rows[0]?.standby === true;
  }

  private async mop(db: Db, [f, k, v]: MicroOp): Promise<Json> {
    if (f === 'r') return [f, k, await this.sql.read(db, k)];
    await this.sql.write(db, k, v);
    return [f, k, v];
  }
}
