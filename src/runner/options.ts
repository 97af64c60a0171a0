// Turns command-line flags or an experiment file's objects into validated RunOptions, from the one option table
// (src/runner/option-table.ts): types, ranges, defaults; then the cluster's own checks (the topology's plan) and
// the capabilities every nemesis needs from the topology, so an impossible run is refused before it starts.
// Experiment files use the long flag names in camelCase: {"workload": "set", "timeLimit": 30, "nemesis": "kill,partition"}.
import { NEMESIS_NAMES, NEMESIS_NEEDS, isNemesisName, type NemesisName } from '../../nemesis/names.js';
import { isWorkloadName } from '../../workloads/names.js';
import { ClusterOptionError, resolveCluster, type ResolvedCluster } from '../cluster/options.js';
import { refusal } from '../cluster/topology/capabilities.js';
import type { ClusterOptions } from '../cluster/types.js';
import { InputError, UsageError } from '../util/exit.js';
import { readJsonFile } from '../util/json-file.js';
import { coerce, fieldOf, flagOf, type OptionValue } from '../util/option-spec.js';
import { closest, didYouMean } from '../util/suggest.js';
import { CLUSTER_KEYS, RUN_DEFAULTS, type RunOptions } from './config.js';
import { RUN_OPTIONS, SPECIAL_KEYS } from './option-table.js';

/** Every experiment-file key (the table's, less the command line's own --replay). */
export const EXPERIMENT_KEYS = RUN_OPTIONS.filter((o) => !o.cliOnly).map((o) => o.key);
const SPECS = new Map(RUN_OPTIONS.filter((o) => !o.cliOnly).map((o) => [o.key, o]));

/** "where: " before a message, or nothing for the command line's own flags (where = ''). */
const at = (where: string): string => (where ? `${where}: ` : '');

/** An experiment key as the user wrote it: "timeLimit" in a file, --time-limit on the command line. */
function keyName(key: string, where: string): string {
  return where ? `"${key}"` : flagOf(key);
}

export interface ParsedRun {
  options: RunOptions;
  repeat: number;
}

/** The cluster options of a run (what startCluster gets, less the directories the runner picks). */
export function clusterOptionsOf(o: RunOptions): ClusterOptions {
  const given = o as unknown as Record<string, unknown>;
  const passed = Object.fromEntries(CLUSTER_KEYS.filter((k) => given[k] !== undefined).map((k) => [k, given[k]]));
  return { ...passed, topology: o.topology } as ClusterOptions;
}

/**
 * The topology's plan for a run and the refusal of a nemesis it cannot carry (UsageError, exit 64), before
 * anything starts. A nodes file that cannot be read stays its own UserError (65, 66).
 */
export function checkRun(o: RunOptions, where = ''): ResolvedCluster {
  let resolved: ResolvedCluster;
  try {
    resolved = resolveCluster(clusterOptionsOf(o));
  } catch (err) {
    if (err instanceof ClusterOptionError) throw new UsageError(`${at(where)}${err.message}`);
    throw err;
  }
  const why = refusal(resolved.topology, resolved.plan, o.nemesis.map((n) => ({ name: n, needs: NEMESIS_NEEDS[n] })));
  if (why !== null) throw new UsageError(`${at(where)}${why}`);
  if (resolved.placement && o.cut === 'refuse' && resolved.count > 1 && o.nemesis.includes('partition')) {
    throw new UsageError(`${at(where)}--cut refuse is not supported with --hosts: a partition between hosts drops their packets (blackhole)`);
  }
  return resolved;
}

/**
 * Validate raw settings (flags after commander, or one experiment object); `where` ("FILE experiment N")
 * prefixes errors, '' for the command line's flags (then settings are named as flags).
 */
export function toRunOptions(raw: Record<string, unknown>, where: string): ParsedRun {
  const v: Record<string, OptionValue> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    const spec = SPECS.get(key);
    if (!spec) {
      const near = closest(key, EXPERIMENT_KEYS);
      throw new UsageError(`${at(where)}unknown setting "${key}"${near ? ` (did you mean "${near}"?)` : ` (expected one of: ${EXPERIMENT_KEYS.join(', ')})`}`);
    }
    v[key] = coerce(spec, value, keyName(key, where), at(where));
  }
  const workload = String(v.workload ?? 'set');
  if (!isWorkloadName(workload)) throw new UsageError(`${at(where)}unknown workload ${workload}`);
  const topology = String(v.topology ?? 'single') as RunOptions['topology'];
  const nemesis = String(v.nemesis ?? 'none')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '' && s !== 'none');
  for (const n of nemesis) {
    if (!isNemesisName(n)) throw new UsageError(`${at(where)}unknown nemesis "${n}" (expected one of ${NEMESIS_NAMES.join(', ')})${didYouMean(n, NEMESIS_NAMES)}`);
  }
  // a workload's own options are refused with any other workload
  for (const spec of SPECS.values()) {
    if (spec.workloads && v[spec.key] !== undefined && !spec.workloads.includes(workload)) {
      throw new UsageError(`${at(where)}${keyName(spec.key, where)} applies to workload ${spec.workloads.join(', ')} only (this run's is ${workload})`);
    }
  }
  const options: RunOptions = { ...RUN_DEFAULTS, workload, topology, nemesis: nemesis as NemesisName[] };
  const fields = options as unknown as Record<string, unknown>;
  for (const spec of SPECS.values()) {
    if ((SPECIAL_KEYS as readonly string[]).includes(spec.key) || v[spec.key] === undefined) continue;
    fields[fieldOf(spec)] = v[spec.key];
  }
  if (v.quiet === true) options.progress = false;
  // the topology's own options default only on the topologies that read them (streaming-sync: syncCommit on)
  for (const spec of SPECS.values()) {
    if (spec.topologies?.includes(topology) && spec.default !== undefined && fields[fieldOf(spec)] === undefined) fields[fieldOf(spec)] = spec.default;
  }
  // the cluster's own checks (node counts, sites, the topology's options) and the nemeses' capabilities, here so
  // the error names the experiment before anything starts
  const { topology: t } = checkRun(options, where);
  options.routing = (v.routing as RunOptions['routing'] | undefined) ?? t.routing;
  return { options, repeat: (v.repeat as number | undefined) ?? 1 };
}

/** Read an experiment file: one JSON object, or a list of them. */
export function readExperimentFile(file: string): Record<string, unknown>[] {
  const data = readJsonFile(file);
  const list = Array.isArray(data) ? data : [data];
  list.forEach((x, i) => {
    if (x === null || typeof x !== 'object' || Array.isArray(x)) {
      throw new InputError(file, 1, `expected an experiment object (or a list of them); item ${i + 1} is ${JSON.stringify(x)}`);
    }
  });
  return list as Record<string, unknown>[];
}

