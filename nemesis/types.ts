// The nemesis seam: a fault family starts a fault on the cluster and heals it; faults are data
// (grudges, node sets, links) recorded in the history so reports can shade them and runs replay from the seed.
import type { Cluster } from '../src/cluster/types.js';
import type { Json } from '../src/history/types.js';
import type { Rng } from '../src/util/rng.js';
import type { PartitionMode } from './partition.js';

export interface NemesisContext {
  cluster: Cluster;
  rng: Rng;
  /** which nodes faults target: one random node, a minority, a majority, the primary, or all */
  targets: NodeSetSpec;
  /** a fault plan's step may choose the partition's links (default: the partition nemesis's own mode) */
  partitionMode?: PartitionMode;
  log(message: string): void;
  /** client routing control, for faults that drain a node's clients first (switchover) */
  routing?: DrainControl;
}

export interface DrainControl {
  drain(node: string): void;
  undrain(node: string): void;
}

export type NodeSetSpec = 'one' | 'minority' | 'majority' | 'primary' | 'all';
export const NODE_SETS: readonly NodeSetSpec[] = ['one', 'minority', 'majority', 'primary', 'all'];

/** What a nemesis did, as recorded in the history (process "nemesis"). */
export interface FaultRecord {
  /** e.g. start-partition, kill, pause, start-latency, failover */
  f: string;
  value: Json;
}

export interface Nemesis {
  name: string;
  /** start a fault; the record is written as the nemesis op's completion */
  start(ctx: NemesisContext): Promise<FaultRecord>;
  /** heal what this nemesis started (idempotent; null when nothing was in force) */
  stop(ctx: NemesisContext): Promise<FaultRecord | null>;
  /** f names this nemesis records, as [start, stop] (for the history invoke before the action runs) */
  readonly names: readonly [string, string];
}

/** node → nodes it cannot reach (Jepsen's grudge). */
export type Grudge = Record<string, string[]>;

/** Plain data for the history: drops undefined fields and functions (a JSON round trip). */
export function toJson(x: unknown): Json {
  return JSON.parse(JSON.stringify(x ?? null)) as Json;
}
