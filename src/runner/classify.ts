// Honest outcomes: maps what node-postgres reported for an operation to ok / fail / info.
// Rules from the architecture's error semantics and the measured error table (postgres-platform notes §4).
import type { CompletionType } from '../history/types.js';

/** What the client knew about the op when the error happened. */
export interface OpContext {
  /** does the op change data (write, cas, add, insert)? reads never have an effect */
  write: boolean;
  /** had the request (or the COMMIT of an explicit transaction) possibly been sent to the server? */
  sent: boolean;
}

export interface Classified {
  type: Exclude<CompletionType, 'ok'>;
  /** short text for the history's `error` field: SQLSTATE and message where there is one */
  error: string;
}

/** SQLSTATEs of a server ERROR that aborts the statement (and its transaction) before any commit. */
const ABORTING_CLASSES = ['22', '23', '25', '40', '42', '44', '53', '54', '55', '0A', 'P0'];
/** SQLSTATEs meaning the connection or server went away: effect unknown for a statement in flight. */
const CONNECTION_LOST = new Set(['57P01', '57P02', '57P05', '08000', '08003', '08006', '08007', '08P01']);
/** Refused before anything ran: server starting up or shutting down, too many connections, auth. */
const REFUSED_AT_CONNECT = new Set(['57P03', '53300', '28P01', '28000', '3D000']);

function sqlstate(err: unknown): string | undefined {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

function describe(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown };
  const msg = typeof e?.message === 'string' ? e.message : String(err);
  return typeof e?.code === 'string' ? `${e.code} ${msg}` : msg;
}

/**
 * Did an explicit transaction fail before its COMMIT was sent? (a workload says so with `commitSent: false` on the
 * error it throws) Then it certainly aborted: a transaction block commits only on COMMIT, and the server rolls back
 * one whose statement failed or whose connection went away.
 */
export function abortedBeforeCommit(err: unknown): boolean {
  return (err as { commitSent?: unknown })?.commitSent === false;
}

/**
 * Classify an error that ended an op.
 * - reads: always fail (no effect, whatever happened);
 * - not sent (connect failed, refused), or a transaction that failed before its COMMIT was sent: fail;
 * - a server ERROR with an aborting SQLSTATE (constraint, serialization, read-only, cancel…): fail;
 * - everything else once the write may have reached the server (connection reset, timeout,
 *   57P01 during COMMIT, errors without a code): info.
 */
export function classifyError(err: unknown, ctx: OpContext): Classified {
  const error = describe(err);
  if (!ctx.write || !ctx.sent || abortedBeforeCommit(err)) return { type: 'fail', error };
  // a workload's own "certainly no effect" (e.g. a cas whose expected value did not match)
  if ((err as { definite?: unknown })?.definite === true) return { type: 'fail', error };
  const state = sqlstate(err);
  if (state !== undefined) {
    if (REFUSED_AT_CONNECT.has(state)) return { type: 'fail', error };
    if (CONNECTION_LOST.has(state)) return { type: 'info', error };
    if (state === '57014') {
      // statement cancelled: before commit it rolled back; a cancelled sync-rep wait is reported as a
      // WARNING on a successful reply, never as 57014, so 57014 means not committed
      return { type: 'fail', error };
    }
    // a server ERROR of these classes rolled the statement back (also at COMMIT: serialization
    // failures and deferred constraint violations roll the whole transaction back)
    if (ABORTING_CLASSES.includes(state.slice(0, 2))) return { type: 'fail', error };
  }
  return { type: 'info', error };
}

/** The NoticeResponse PostgreSQL sends when a commit's wait for synchronous replication was cancelled. */
export function isSyncRepCancelNotice(notice: { code?: string; message?: string; severity?: string }): boolean {
  return notice.code === '01000' && /synchronous replication/i.test(notice.message ?? '');
}
