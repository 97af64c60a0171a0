// fast-check arbitraries for property tests: fault plans (which fault, when, for how long, on which nodes or
// links), op mixes, concurrency and cluster shapes, combined into one generated case (a Scenario).
import fc from 'fast-check';
import type { NemesisName } from '../../nemesis/index.js';
import type { PartitionMode } from '../../nemesis/partition.js';
import type { FaultStep } from '../../nemesis/schedule.js';
import type { NodeSetSpec } from '../../nemesis/types.js';
import { propertyTimeS } from './env.js';

export interface FaultPlanOptions {
  /** which faults may strike (at least one) */
  nemeses: readonly Exclude<NemesisName, 'none'>[];
  /** the run's length the plan must fit in, s (default FAULTLINE_TIME, else 6) */
  timeS?: number;
  /** fewest and most steps (default 0 and max(2, time / 3)) */
  minSteps?: number;
  maxSteps?: number;
  /** how long a fault holds before it is healed, s (default 0.5 to half the run) */
  minDurationS?: number;
  maxDurationS?: number;
  /** partition steps each choose which links they cut, from these (shrinking towards the first); default: the case's */
  partitionModes?: readonly PartitionMode[];
}

/**
 * Fault plans: steps starting between 0 and time − 1 s, in tenths of a second so that shrinking lands on round
 * numbers; shrinking drops steps, moves them to 0 s and shortens them.
 */
export function faultPlan(o: FaultPlanOptions): fc.Arbitrary<FaultStep[]> {
  if (o.nemeses.length === 0) throw new Error('faultPlan: name at least one nemesis');
  const timeS = o.timeS ?? propertyTimeS();
  const minD = Math.round((o.minDurationS ?? 0.5) * 10);
  const maxD = Math.max(minD, Math.round((o.maxDurationS ?? Math.max(0.5, timeS / 2)) * 10));
  const latest = Math.max(0, Math.round((timeS - 1) * 10));
  const minSteps = o.minSteps ?? 0;
  const maxSteps = Math.max(minSteps, o.maxSteps ?? Math.max(2, Math.floor(timeS / 3)));
  const modes = o.partitionModes ?? [];
  const step = fc.record({
    at: fc.integer({ min: 0, max: latest }),
    nemesis: fc.constantFrom(...o.nemeses),
    duration: fc.integer({ min: minD, max: maxD }),
    mode: modes.length > 0 ? fc.constantFrom(...modes) : fc.constant(undefined),
  });
  const toStep = (s: { at: number; nemesis: string; duration: number; mode: PartitionMode | undefined }): FaultStep => {
    const out: FaultStep = { at: s.at / 10, nemesis: s.nemesis, duration: s.duration / 10 };
    if (s.mode !== undefined && s.nemesis === 'partition') out.mode = s.mode;
    return out;
  };
  return fc.array(step, { minLength: minSteps, maxLength: maxSteps }).map((steps) => steps.map(toStep).sort((a, b) => a.at - b.at));
}

/** Which nodes faults target (kill, pause, latency…); shrinks towards the first one given. */
export function targets(...specs: NodeSetSpec[]): fc.Arbitrary<NodeSetSpec> {
  return fc.constantFrom(...(specs.length ? specs : (['one', 'primary', 'minority'] as NodeSetSpec[])));
}

/** Which links a partition cuts; shrinks towards the first mode given. */
export function partitions(...modes: PartitionMode[]): fc.Arbitrary<PartitionMode> {
  return fc.constantFrom(...(modes.length ? modes : (['isolate-one', 'halves'] as PartitionMode[])));
}

export interface OpMix {
  /** fraction of ops that are reads, 0..1 */
  readFraction?: number;
  /** keys of keyed workloads */
  keys?: number;
}

/** Op mixes: a read fraction in [lo, hi] (in hundredths) and a key count in [lo, hi]; omitted ranges stay default. */
export function opMix(o: { readFraction?: [number, number]; keys?: [number, number] }): fc.Arbitrary<OpMix> {
  const parts: { readFraction?: fc.Arbitrary<number>; keys?: fc.Arbitrary<number> } = {};
  if (o.readFraction) parts.readFraction = fc.integer({ min: Math.round(o.readFraction[0] * 100), max: Math.round(o.readFraction[1] * 100) }).map((p) => p / 100);
  if (o.keys) parts.keys = fc.integer({ min: o.keys[0], max: o.keys[1] });
  return fc.record(parts);
}

/** Client counts in [lo, hi]. */
export function concurrency(lo: number, hi: number): fc.Arbitrary<number> {
  return fc.integer({ min: lo, max: hi });
}

export interface ClusterShape {
  nodes?: number;
  wanLatencyMs?: number;
}

/** Topology options: node count and WAN latency ranges; omitted ranges keep the experiment's values. */
export function clusterShape(o: { nodes?: [number, number]; wanLatencyMs?: [number, number] }): fc.Arbitrary<ClusterShape> {
  const parts: { nodes?: fc.Arbitrary<number>; wanLatencyMs?: fc.Arbitrary<number> } = {};
  if (o.nodes) parts.nodes = fc.integer({ min: o.nodes[0], max: o.nodes[1] });
  if (o.wanLatencyMs) parts.wanLatencyMs = fc.integer({ min: o.wanLatencyMs[0], max: o.wanLatencyMs[1] });
  return fc.record(parts);
}

/** One generated case: the fault plan and the knobs drawn for this run, plus the runner's seed. */
export interface Scenario extends OpMix, ClusterShape {
  plan: FaultStep[];
  targets?: NodeSetSpec;
  partition?: PartitionMode;
  concurrency?: number;
  /** the runner's seed (client op choices, fault targets); never shrunk */
  seed: number;
}

export interface ScenarioOptions {
  faults: fc.Arbitrary<FaultStep[]>;
  targets?: fc.Arbitrary<NodeSetSpec>;
  partition?: fc.Arbitrary<PartitionMode>;
  ops?: fc.Arbitrary<OpMix>;
  concurrency?: fc.Arbitrary<number>;
  cluster?: fc.Arbitrary<ClusterShape>;
}

/** Combines the parts into cases; the plan comes first so that shrinking works on the schedule first. */
export function scenario(o: ScenarioOptions): fc.Arbitrary<Scenario> {
  const none = fc.constant({});
  return fc
    .tuple(
      o.faults,
      o.targets ?? fc.constant(undefined),
      o.partition ?? fc.constant(undefined),
      o.ops ?? none,
      o.concurrency ?? fc.constant(undefined),
      o.cluster ?? none,
      fc.noShrink(fc.integer({ min: 0, max: 2 ** 31 - 1 })),
    )
    .map(([plan, t, p, ops, c, shape, seed]): Scenario => {
      const s: Omit<Scenario, 'seed'> = { plan };
      if (t !== undefined) s.targets = t;
      if (p !== undefined) s.partition = p;
      if (c !== undefined) s.concurrency = c;
      return { ...s, ...ops, ...shape, seed };
    });
}
