// Documented exit codes and the error classes that carry them, so no user error ends in a stack trace.

export const EXIT = {
  /** valid / success */
  OK: 0,
  /** an anomaly was found */
  INVALID: 1,
  /** no verdict: a time or memory limit ran out */
  UNKNOWN: 2,
  /** bad usage: unknown option, missing argument */
  USAGE: 64,
  /** malformed input: file:line and what was expected */
  DATA: 65,
  /** an input file could not be opened */
  NO_INPUT: 66,
  /** a run could not record its results (disk full, I/O error): it stopped; what it wrote is whole lines */
  IOERR: 74,
  /** not permitted: the command needs root (faultline lab) */
  NOPERM: 77,
  /** internal error (a bug: please report it) */
  SOFTWARE: 70,
  /** an external resource failed: PostgreSQL, a proxy, the OS */
  UNAVAILABLE: 69,
  /** interrupted by SIGINT */
  INTERRUPTED: 130,
} as const;

/** An error whose message is meant for the user, with the exit code to leave with. */
export class UserError extends Error {
  constructor(message: string, readonly exitCode: number) {
    super(message);
    this.name = 'UserError';
  }
}

export class UsageError extends UserError {
  constructor(message: string) {
    super(message, EXIT.USAGE);
  }
}

/** Malformed input: the message should name file:line and what was expected. */
export class InputError extends UserError {
  constructor(readonly file: string, readonly line: number, readonly what: string) {
    super(`${file}:${line}: ${what}`, EXIT.DATA);
  }
}
