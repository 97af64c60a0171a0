// Turns command-line flags or an experiment file's objects into validated RunOptions.
// Experiment files use the long flag names in camelCase: {"workload": "set", "timeLimit": 30, "nemesis": "kill,partition"}.
import { EXIT, InputError, UsageError, UserError } from '../util/exit.js';
import { rangeText } from '../cli/numbers.js';
import { ClusterOptionError, validate as validateCluster } from '../cluster/options.js';
import { NEMESIS_NAMES, NODE_COMMANDS, isNemesisName, type NemesisName } from '../../nemesis/names.js';
import { parseExternalFile } from '../cluster/external.js';
import { existsSync } from 'node:fs';
import { WORKLOAD_NAMES, isWorkloadName } from '../../workloads/names.js';
import { readJsonFile } from '../util/json-file.js';
import { closest, didYouMean } from '../util/suggest.js';
import { RUN_DEFAULTS, type RunOptions } from './config.js';

type Kind =
  | { t: 'int'; min: number; max: number }
  | { t: 'num'; min: number; max: number }
  | { t: 'str' }
  | { t: 'bool' }
  | { t: 'enum'; values: readonly string[] };

const I = (min: number, max = Number.MAX_SAFE_INTEGER): Kind => ({ t: 'int', min, max });
const N = (min: number, max = Number.MAX_VALUE): Kind => ({ t: 'num', min, max });
const E = (...values: string[]): Kind => ({ t: 'enum', values });
const S: Kind = { t: 'str' };
const B: Kind = { t: 'bool' };

/** Every experiment-file key, its type, and the RunOptions field it sets. */
const SPEC: Record<string, [Kind, keyof RunOptions | 'repeat' | 'quiet' | 'external' | 'results' | 'timeLimit' | 'opTimeout' | 'nemesisInterval' | 'settle' | 'wanLatency']> = {
  workload: [E(...WORKLOAD_NAMES), 'workload'],
  topology: [E('single', 'streaming-async', 'streaming-sync', 'logical-bidir', 'external'), 'topology'],
  nodes: [I(1, 26), 'nodes'],
  sites: [I(1, 9), 'sites'],
  wanLatency: [N(0, 60_000), 'wanLatency'],
  syncCommit: [E('remote_write', 'on', 'remote_apply'), 'syncCommit'],
  syncStandbys: [S, 'syncStandbys'],
  tls: [B, 'tls'],
  pgBin: [S, 'pgBin'],
  toxiproxyUrl: [S, 'toxiproxyUrl'],
  external: [S, 'external'],
  nemesis: [S, 'nemesis'],
  nemesisInterval: [N(0.2), 'nemesisInterval'],
  schedule: [E('periodic', 'random'), 'schedule'],
  targets: [E('one', 'minority', 'majority', 'primary', 'all'), 'targets'],
  partition: [E('isolate-one', 'halves', 'site-split', 'bridge'), 'partition'],
  cut: [E('blackhole', 'refuse'), 'cut'],
  timeLimit: [N(1), 'timeLimit'],
  rate: [N(0), 'rate'],
  concurrency: [I(1, 1000), 'concurrency'],
  opTimeout: [I(10), 'opTimeout'],
  routing: [E('fixed', 'any', 'primary'), 'routing'],
  readFrom: [E('same', 'standbys'), 'readFrom'],
  maxRetries: [I(0, 100), 'maxRetries'],
  keys: [I(1, 1_000_000), 'keys'],
  readFraction: [N(0, 1), 'readFraction'],
  settle: [N(0), 'settle'],
  name: [S, 'name'],
  repeat: [I(1, 100_000), 'repeat'],
  results: [S, 'results'],
  seed: [I(0, 2 ** 31 - 1), 'seed'],
  keep: [B, 'keep'],
  report: [B, 'report'],
  quiet: [B, 'quiet'],
};

export const EXPERIMENT_KEYS = Object.keys(SPEC);

/** "where: " before a message, or nothing for the command line's own flags (where = ''). */
const at = (where: string): string => (where ? `${where}: ` : '');

/** An experiment key as the user wrote it: "timeLimit" in a file, --time-limit on the command line. */
function keyName(key: string, where: string): string {
  return where ? `"${key}"` : `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

function coerce(kind: Kind, v: unknown, where: string, key: string): unknown {
  const bad = (what: string): never => {
    throw new UsageError(`${at(where)}${keyName(key, where)} ${what}; got ${JSON.stringify(v)}`);
  };
  switch (kind.t) {
    case 'int':
    case 'num': {
      const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
      if (!Number.isFinite(n) || n < kind.min || n > kind.max || (kind.t === 'int' && !Number.isInteger(n))) {
        bad(`expected ${kind.t === 'int' ? 'an integer' : 'a number'} ${rangeText(kind.min, kind.max)}`);
      }
      return n;
    }
    case 'str':
      return typeof v === 'string' ? v : bad('expected a string');
    case 'bool':
      return typeof v === 'boolean' ? v : bad('expected true or false');
    case 'enum':
      if (typeof v === 'string' && kind.values.includes(v)) return v;
      return bad(`expected one of ${kind.values.join(', ')}${typeof v === 'string' ? didYouMean(v, kind.values) : ''}`);
  }
}

export interface ParsedRun {
  options: RunOptions;
  repeat: number;
}

/**
 * Validate raw settings (flags after commander, or one experiment object); `where` ("FILE experiment N")
 * prefixes errors, '' for the command line's flags (then settings are named as flags).
 */
export function toRunOptions(raw: Record<string, unknown>, where: string): ParsedRun {
  const v: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    const spec = SPEC[key];
    if (!spec) {
      const near = closest(key, EXPERIMENT_KEYS);
      throw new UsageError(`${at(where)}unknown setting "${key}"${near ? ` (did you mean "${near}"?)` : ` (expected one of: ${EXPERIMENT_KEYS.join(', ')})`}`);
    }
    v[key] = coerce(spec[0], value, where, key);
  }
  const workload = (v.workload as string | undefined) ?? 'set';
  const topology = (v.topology as RunOptions['topology'] | undefined) ?? 'single';
  if (!isWorkloadName(workload)) throw new UsageError(`${at(where)}unknown workload ${workload}`);
  const nemesis = String(v.nemesis ?? 'none')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '' && s !== 'none');
  for (const n of nemesis) {
    if (!isNemesisName(n)) throw new UsageError(`${at(where)}unknown nemesis "${n}" (expected one of ${NEMESIS_NAMES.join(', ')})${didYouMean(n, NEMESIS_NAMES)}`);
  }
  if (topology === 'external' && v.external === undefined) throw new UsageError(`${at(where)}the external topology needs --external FILE`);
  const streaming = topology === 'streaming-async' || topology === 'streaming-sync';
  if (nemesis.includes('failover') && !streaming) throw new UsageError(`${at(where)}the failover nemesis needs a streaming topology (streaming-async or streaming-sync)`);
  if (topology === 'external') refuseMissingCommands(String(v.external), nemesis as NemesisName[], where);
  const options: RunOptions = {
    ...RUN_DEFAULTS,
    workload,
    topology,
    nemesis: nemesis as NemesisName[],
    routing: (v.routing as RunOptions['routing'] | undefined) ?? (streaming ? 'primary' : 'fixed'),
  };
  const set = <K extends keyof RunOptions>(k: K, from: string): void => {
    if (v[from] !== undefined) options[k] = v[from] as RunOptions[K];
  };
  set('nodes', 'nodes');
  set('sites', 'sites');
  set('wanLatencyMs', 'wanLatency');
  set('syncCommit', 'syncCommit');
  set('syncStandbys', 'syncStandbys');
  set('tls', 'tls');
  set('pgBin', 'pgBin');
  set('toxiproxyUrl', 'toxiproxyUrl');
  set('externalFile', 'external');
  set('nemesisIntervalS', 'nemesisInterval');
  set('schedule', 'schedule');
  set('targets', 'targets');
  set('partition', 'partition');
  set('cut', 'cut');
  set('timeLimitS', 'timeLimit');
  set('rate', 'rate');
  set('concurrency', 'concurrency');
  set('opTimeoutMs', 'opTimeout');
  set('readFrom', 'readFrom');
  set('maxRetries', 'maxRetries');
  set('keys', 'keys');
  set('readFraction', 'readFraction');
  set('settleS', 'settle');
  set('name', 'name');
  set('seed', 'seed');
  set('resultsDir', 'results');
  set('keep', 'keep');
  set('report', 'report');
  if (v.quiet === true) options.progress = false;
  if (topology === 'streaming-sync' && options.syncCommit === undefined) options.syncCommit = 'on';
  // the cluster's own checks (node counts, sites, sync settings), here so the error names the experiment
  // before anything starts
  try {
    const { nodes, sites, wanLatencyMs, syncCommit, syncStandbys, externalFile } = options;
    validateCluster({ topology, nodes, sites, wanLatencyMs, syncCommit, syncStandbys, externalFile });
  } catch (err) {
    if (err instanceof ClusterOptionError) throw new UsageError(`${at(where)}${err.message}`);
    throw err;
  }
  return { options, repeat: (v.repeat as number | undefined) ?? 1 };
}

/** External nodes are controlled only through their file's commands: a nemesis needing one a node lacks is refused. */
function refuseMissingCommands(file: string, nemeses: readonly NemesisName[], where: string): void {
  const needed = nemeses.flatMap((n) => (NODE_COMMANDS[n] ?? []).map((cmd) => [n, cmd] as const));
  if (needed.length === 0) return;
  if (!existsSync(file)) throw new UserError(`${at(where)}${file}: no such nodes file (--external)`, EXIT.NO_INPUT);
  let nodes: ReturnType<typeof parseExternalFile>;
  try {
    nodes = parseExternalFile(file);
  } catch (err) {
    throw new UserError(err instanceof Error ? err.message : String(err), EXIT.DATA);
  }
  for (const [nemesis, cmd] of needed) {
    const without = nodes.filter((n) => !n.commands[cmd]).map((n) => n.name);
    if (without.length > 0) {
      throw new UsageError(`${at(where)}nemesis ${nemesis} needs a "${cmd}" command for every external node; ${without.join(', ')} ha${without.length === 1 ? 's' : 've'} none in ${file}`);
    }
  }
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

