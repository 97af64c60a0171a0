// The Remote seam: where a node's processes live. A host is reached through exec (run and wait), spawn (a
// long-running process tied to faultline's life), upload and download. Local and SSH implementations share it.
import type { Readable, Writable } from 'node:stream';

/** An argument vector (quoted for the remote shell), or a POSIX sh script. */
export type Command = readonly string[] | { readonly sh: string };

/** Signals a Remote can send (names without the SIG prefix, as kill(1) takes them). */
export type SignalName = 'TERM' | 'KILL' | 'INT' | 'QUIT' | 'HUP' | 'STOP' | 'CONT' | 'USR1' | 'USR2';

export interface RunAs {
  /** the OS user to run as; default the login user. 'root' from a non-root login goes through `sudo -n`. */
  user?: string;
  /** working directory on the host (default: the login's home, or / when running as another user) */
  cwd?: string;
  /** extra environment variables */
  env?: Readonly<Record<string, string>>;
}

export interface ExecOptions extends RunAs {
  /** bytes for the command's standard input (default: none, EOF at once) */
  stdin?: string | Buffer | Readable;
  /** stop the command (SIGKILL to its process group) after this long; the result says timedOut */
  timeoutMs?: number;
  /** stop the command when aborted; the result says aborted */
  signal?: AbortSignal;
  /** output as it arrives (the result still holds it, up to maxOutputBytes) */
  onStdout?: (chunk: Buffer) => void;
  onStderr?: (chunk: Buffer) => void;
  /** write standard output here instead of keeping it (download) */
  stdoutTo?: Writable;
  /** keep at most this many bytes of each stream in the result (default 16 MiB; the rest is dropped, flagged) */
  maxOutputBytes?: number;
  /** throw a RemoteError (step exec) unless the command exits 0 */
  check?: boolean;
}

export interface ExecResult {
  /** exit status; null when the command was stopped without one (connection lost) */
  code: number | null;
  /** the signal that ended it, when the status says so (128+N from the remote shell) */
  signal: SignalName | string | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  aborted: boolean;
  /** some output was dropped (over maxOutputBytes) */
  truncated: boolean;
}

export interface SpawnOptions extends RunAs {
  /** append the process's stdout / stderr to these files on the host (default: to faultline, see onStdout) */
  stdoutPath?: string;
  stderrPath?: string;
  onStdout?: (chunk: Buffer) => void;
  onStderr?: (chunk: Buffer) => void;
  /**
   * When faultline goes away (exit, crash, SIGKILL, a lost connection), a watchdog on the host resumes the
   * process tree, sends this signal to the process, and SIGKILLs the tree after orphanGraceMs. Default TERM, 10 s.
   */
  orphanSignal?: SignalName;
  orphanGraceMs?: number;
}

export interface ExitStatus {
  code: number | null;
  signal: string | null;
  /** the connection to the host went away first: the watchdog was left to stop the process */
  lost: boolean;
}

/** Which processes a signal reaches: the one process, or it and all its descendants. */
export type SignalScope = 'process' | 'tree';

export interface RemoteProcess {
  /** the process's PID on its host */
  readonly pid: number;
  /** resolves once it has exited (or the connection was lost) */
  readonly exited: Promise<ExitStatus>;
  /** true until exited resolves */
  readonly running: boolean;
  /** sends a signal; false when no process received it */
  signal(sig: SignalName, scope?: SignalScope): Promise<boolean>;
}

export interface TransferOptions {
  /** file mode of the written file (default 0600) */
  mode?: number;
  /** the OS user that writes (upload) or reads (download) the remote file; default the login user */
  user?: string;
}

export interface Remote {
  /** the host's name (as in the hosts file): every error names it */
  readonly name: string;
  /** the OS user commands run as by default */
  readonly login: string;
  /** a short description for messages: user@host:port, or local */
  readonly where: string;
  exec(cmd: Command, opts?: ExecOptions): Promise<ExecResult>;
  spawn(cmd: Command, opts?: SpawnOptions): Promise<RemoteProcess>;
  /** writes a local file or bytes to remotePath atomically (temporary file, then rename) */
  upload(src: string | Buffer, remotePath: string, opts?: TransferOptions): Promise<void>;
  /** copies remotePath to localPath (mode 0600 unless opts.mode) */
  download(remotePath: string, localPath: string, opts?: TransferOptions): Promise<void>;
  /** ends the connection; tied processes are stopped by their watchdogs */
  close(): Promise<void>;
}
