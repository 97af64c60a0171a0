// What the cluster observed besides the history, as stored beside it and read by the checkers: the convergence
// snapshot, metrics.jsonl samples, the final replication probe and the replication events of the server logs.
// Shapes only (and the subscription naming convention): produced by src/cluster, judged by checkers/.

/** Per table, what each node holds: row count and an order-independent checksum, or an error (src/cluster/snapshot.ts). */
export interface TableSnapshot {
  table: string;
  /** per node: row count and an order-independent checksum, or an error */
  nodes: Record<string, { rows: number; checksum: string } | { error: string }>;
  agree: boolean;
  /** rows that are not on every node identically (capped), as row text → nodes holding it */
  differing: { row: string; on: string[] }[];
  differingTruncated: boolean;
}

export type LogEventKind = 'conflict' | 'apply-error' | 'worker-start' | 'disabled' | 'skip-start' | 'skip-done';

export interface LogEvent {
  node: string;
  kind: LogEventKind;
  level: string;
  /** the log line's timestamp text, and as epoch ms when the zone is UTC/GMT (else null) */
  time: string;
  timeMs: number | null;
  pid: number;
  /** subscription, when the worker's start line or the replication origin names it */
  subscription: string | null;
  message: string;
  /** conflict type (insert_exists, update_origin_differs, …) */
  conflict?: string;
  relation?: string;
  /** the key the server names: `Key (id)=(10)` or `replica identity (id)=(10)` */
  key?: { columns: string[]; values: string[] };
  existing?: string;
  remote?: string;
  /** replication origin of the remote transaction (pg_<subscription oid>) */
  origin?: string;
  /** LSN the remote transaction finished at: what ALTER SUBSCRIPTION … SKIP needs */
  finishedAt?: string;
  remoteXid?: string;
}

/** One subscription as a metrics.jsonl line shows it (src/cluster/sampler.ts). */
export interface SubscriptionSample {
  subname: string;
  pid: number | null;
  worker_type?: string | null;
  stats?: Record<string, number | null> | null;
  [extra: string]: unknown;
}

/** One metrics.jsonl line (parsed). Lines of other topologies simply have no subscriptions. */
export interface MetricsSample {
  time: number;
  node: string;
  role?: string;
  error?: string;
  subscriptions?: SubscriptionSample[];
  /** optional: publisher slots, when the sampler records them */
  slots?: { slot_name: string; active: boolean; backlog_bytes?: number | null }[];
  [extra: string]: unknown;
}

export interface SubscriptionState {
  /** subscriber node */
  node: string;
  name: string;
  publisher: string | null;
  enabled: boolean;
  workerRunning: boolean;
  /** pg_subscription.subskiplsn (a pending SKIP), null when none */
  skipLsn: string | null;
  /** replication origin name of the subscription (pg_<oid>) */
  origin: string | null;
  /** pg_stat_subscription_stats counters (apply_error_count, confl_*) */
  stats: Record<string, number>;
  /** tables the publisher publishes that this subscription does not know (REFRESH PUBLICATION missing) */
  tablesNotSubscribed: string[];
}

export interface SlotState {
  /** publisher node */
  node: string;
  slot: string;
  active: boolean;
  /** bytes between the publisher's current WAL position and the slot's confirmed_flush_lsn */
  backlogBytes: number | null;
}

/** What the final probe (src/cluster/replication-probe.ts) saw after healing and settling. */
export interface ReplicationProbe {
  /** run clock (ns since the test started) and wall clock (epoch ms) when the probe ran, to place log lines */
  takenAtNs: number | null;
  wallMs: number;
  /** nodes the probe could not query */
  unreachable: Record<string, string>;
  subscriptions: SubscriptionState[];
  slots: SlotState[];
  /** replication events from the server logs */
  log: LogEvent[];
}

/** The publisher named by a subscription `<subscriber>_from_<publisher>` (logical-bidir's naming), or null. */
export function publisherOf(subscription: string): string | null {
  const m = /^.+_from_(.+)$/.exec(subscription);
  return m ? m[1] : null;
}
