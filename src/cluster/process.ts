// The node-process seam: one PostgreSQL server wherever it runs: a child process here (PgServer), a node driven by
// shell commands (external), a server on a host over SSH next. The cluster and the topologies use only this.
import type pg from 'pg';

/** Why a server is down: stopped or killed by faultline, or `exited` on its own (a crash, an external stop). */
export type DownReason = 'stopped' | 'killed' | 'exited';

/** How faultline reaches a server directly (admin connections, replication upstreams), bypassing the proxies. */
export interface Endpoint {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}

export interface NodeProcess {
  readonly name: string;
  /** a local copy of the server log faultline can read (null: none kept, e.g. external nodes) */
  readonly logFile: string | null;
  readonly running: boolean;
  readonly paused: boolean;
  /** the postmaster's PID on its host while running (null when unknown) */
  readonly pid: number | null;
  readonly downReason: DownReason;
  /** what a failed initdb printed (kept for the run's results), else null */
  readonly initdbOutput: string | null;
  /** a fresh, empty data directory with superuser `postgres` and this password */
  initdb(password: string): Promise<void>;
  /** writes a file into the data directory (configuration, signal files), owned by the server user */
  writeFile(rel: string, content: string, mode?: number): Promise<void>;
  /** makes this (stopped) node's data directory a base backup of `source` (running), with a physical slot `slot` there */
  cloneFrom(source: NodeProcess, sourceAdmin: pg.ClientConfig, slot: string): Promise<void>;
  /** starts the server and waits until `probe` connects */
  start(probe: pg.ClientConfig, timeoutMs?: number): Promise<void>;
  /** fast shutdown */
  stop(timeoutMs?: number): Promise<void>;
  /** SIGKILL of the server and every process below it */
  kill(): Promise<void>;
  /** SIGSTOP of every process of the server */
  pause(): Promise<void>;
  resume(): Promise<void>;
}
