// The topology seam: what a topology is (name, options, node count, routing, capabilities: read by the registry,
// the CLI and option validation before anything starts) and what it does for a started cluster (wire the nodes,
// say which take writes, wait for replication, explain a node that does not settle, the capabilities' code).
import type { OptionSpec } from '../../util/option-spec.js';
import type { ClusterCtx, NodeRec } from '../internal.js';
import type { Endpoint, NodeProcess } from '../process.js';
import type { ClusterOptions, FailoverResult, NodeRole } from '../types.js';

/**
 * What a nemesis can ask of a topology. Node control and link faults most topologies have; the rest only some.
 * A nemesis lists the capabilities it needs (nemesis/names.ts) and is refused before the run when one is missing.
 */
export type Capability =
  /** SIGKILL a node's server, start it again */
  | 'kill'
  /** SIGSTOP / SIGCONT a node's server */
  | 'pause'
  /** fast shutdown and start of a node (switchover) */
  | 'stop'
  /** cut node-to-node links (replication), or a one-node cluster's client link */
  | 'partition'
  /** proxy toxics on a node's links (latency, jitter, bandwidth) */
  | 'link-faults'
  /** promote a standby and rewire the others (CapabilityApi.promote) */
  | 'promote'
  /** logical subscriptions between the nodes that faultline can refresh (CapabilityApi.subscriptions) */
  | 'subscriptions'
  /** an HA manager process per node (Patroni, pg_autoctl) to SIGKILL while its postgres runs on (CapabilityApi.manager) */
  | 'manager'
  /** a DCS or monitor the manager depends on, to kill or to cut one node from (CapabilityApi.dcs) */
  | 'dcs'
  /** a switchover through the stack's own command line (CapabilityApi.switchover) */
  | 'stack-switchover';

export const CAPABILITIES: readonly Capability[] = ['kill', 'pause', 'stop', 'partition', 'link-faults', 'promote', 'subscriptions', 'manager', 'dcs', 'stack-switchover'];

/** A topology's answer per capability: true, or one line saying why not. A capability left out is unsupported. */
export type CapabilityReport = Partial<Record<Capability, true | string>>;

/** `promote`: fail over to a standby. */
export interface Promoter {
  /** promotes the most advanced reachable standby (or `candidate`) and rewires the rest */
  failover(opts?: { candidate?: string; timeoutMs?: number }): Promise<FailoverResult>;
}

/** `subscriptions`: the nodes' logical subscriptions. */
export interface Subscriptions {
  /** creates every missing subscription, refreshes the others (after new tables), waits for the apply workers */
  subscribeAll(): Promise<void>;
  /** ALTER SUBSCRIPTION … REFRESH PUBLICATION on every subscription of `node`; returns their names */
  refresh(node: string): Promise<string[]>;
}

/** `manager`: the HA manager process of each node. */
export interface ManagerControl {
  /** SIGKILL of the manager process of `node` only (its postgres keeps running) */
  kill(node: string): Promise<void>;
  /** starts the manager of `node` again (it takes its running postgres back, or starts it) */
  start(node: string): Promise<void>;
  /** whether the manager of `node` runs */
  running(node: string): boolean;
}

/** `dcs`: the consensus store (etcd) or monitor the managers depend on. */
export interface DcsControl {
  /** its members (etcd members, the monitor), in a stable order */
  members(): string[];
  /** SIGKILL of one member */
  kill(member: string): Promise<void>;
  start(member: string): Promise<void>;
  /** cuts `node` from every DCS member (its links to them), nothing else */
  cut(node: string): Promise<string[]>;
  heal(node: string): Promise<string[]>;
}

/** `stack-switchover`: a planned switchover done by the stack's own command line. */
export interface StackSwitchover {
  /** switches the primary over to `candidate` (or the stack's choice); resolves once the new primary takes writes */
  switchover(opts?: { candidate?: string; timeoutMs?: number }): Promise<{ from: string | null; to: string; command: string }>;
}

/** The code behind the capabilities that are more than node control or link faults (Cluster.capability). */
export interface CapabilityApi {
  promote: Promoter;
  subscriptions: Subscriptions;
  manager: ManagerControl;
  dcs: DcsControl;
  'stack-switchover': StackSwitchover;
}

/** One node a topology plans. */
export interface PlannedNode {
  name: string;
  site: string;
  /**
   * A node faultline does not run (external): how it is reached, its control, its role. Absent: the cluster makes
   * a PostgreSQL server for it (on this machine today; on a host of a hosts file with a Remote next).
   */
  attached?: { endpoint: Endpoint; process: NodeProcess; role: NodeRole };
}

/** What a topology resolved from the options before anything starts. */
export interface TopologyPlan {
  readonly topology: string;
  readonly nodes: readonly PlannedNode[];
  /** the nodes that get a fresh initdb (the others are cloned, or attached); run while the proxy starts */
  readonly initdb: readonly string[];
  /** the topology's settings as describe() shows them (syncCommit, syncStandbys, …) */
  readonly settings: Readonly<Record<string, string | number | boolean | null>>;
  /** what the topology needs later (resolved option values), opaque to the cluster */
  readonly data?: unknown;
}

/**
 * Checkers a topology adds to every run, by name (the runner gathers their inputs). `split-brain-samples`: two
 * primaries from the sampler alone, for a topology whose ops' node is not the server that took them (a pooler).
 */
export type TopologyChecker = 'replication' | 'split-brain' | 'split-brain-samples' | 'unavailability';

/** How clients find the writable node when the run does not say (--routing). */
export type DefaultRouting = 'primary' | 'fixed';

export interface Topology<N extends string = string> {
  readonly name: N;
  /** one line: --help and the README's topology table */
  readonly summary: string;
  /** options only this topology reads, merged into the option table (and refused on other topologies) */
  readonly options: readonly OptionSpec[];
  /** node count when the options give none, and its bounds (the external topology's nodes come from its file) */
  readonly nodeCount: { readonly default: number; readonly min: number; readonly max: number } | 'from its file';
  /** several nodes take writes at once (peers): settling writes a marker on every one */
  readonly multiWriter: boolean;
  /** `primary`: clients follow the writable node (failover); `fixed`: client i talks to node i mod n */
  readonly routing: DefaultRouting;
  /** checkers this topology adds to every run */
  readonly checkers: readonly TopologyChecker[];
  /** validates and resolves the options this topology reads; throws ClusterOptionError for what a user can fix */
  plan(opts: ClusterOptions, count: number): TopologyPlan;
  /** what this topology can do for nemeses under a plan */
  capabilities(plan: TopologyPlan): CapabilityReport;
  /** postgresql.conf settings this topology adds to a node's, every time its configuration is written (values verbatim) */
  nodeSettings?(plan: TopologyPlan, node: string): Record<string, string>;
  /** wires the nodes (initdb done for `plan.initdb`, nothing started): roles, configuration, replication */
  start(ctx: ClusterCtx, plan: TopologyPlan): Promise<RunningTopology>;
}

/** A started topology: the cluster calls these; none is called with another topology's nodes. */
export interface RunningTopology {
  /** the nodes the workload's tables are created on (the primary; every peer; external: those not in recovery) */
  writable(): Promise<string[]>;
  /** called once the workload's tables exist on every writable node (logical-bidir subscribes to them) */
  schemaReady?(): Promise<void>;
  /** true once every running replica has replayed the writable node(s)' current WAL; false after `timeoutMs` or when it cannot tell */
  waitForReplication(timeoutMs: number): Promise<boolean>;
  /** why `node` does not show the settle markers written on `from` when it will not catch up (logical: broken subscriptions) */
  diagnose?(node: string, from: readonly string[]): Promise<string[]>;
  /** brings back a node flagged `needsReclone` (streaming: re-clone it from the primary) instead of a plain start */
  rejoin?(rec: NodeRec): Promise<void>;
  /** the capabilities' code */
  readonly api: Partial<CapabilityApi>;
  /** the PostgreSQL version of servers the topology's own stack runs (the cluster's binaries' otherwise) */
  readonly pgVersion?: string;
  /** stops what the topology started besides the cluster's own servers (an HA stack's daemons); called by Cluster.stop */
  stop?(): Promise<void>;
}

/** Declares a topology, keeping its name's literal type (the registry derives TopologyName from it). */
export function defineTopology<const N extends string>(t: Topology<N>): Topology<N> {
  return t;
}
