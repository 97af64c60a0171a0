// Cluster options: validation (errors a user can fix, as ClusterOptionError), defaults, the run directory base.
import { accessSync, constants as fsConstants, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { SYNC_COMMITS, TOPOLOGIES, type ClusterOptions, type TopologyName } from './types.js';

/** Bad cluster options (the CLI turns it into a usage error). */
export class ClusterOptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClusterOptionError';
  }
}

export interface ResolvedSync {
  method: 'FIRST' | 'ANY';
  k: number;
  commit: string;
}

const TMPFS_MAGIC = 0x01021994;
const RAM_DIR = '/dev/shm';
const RAM_MIN_FREE = 4 * 1024 ** 3;

/**
 * Where temporary run directories go: $FAULTLINE_TMPDIR if set; else /dev/shm when it is a writable tmpfs with at
 * least 4 GiB free (creating ~1000 files per data directory is 10× faster there than on this machine's ext4, and
 * process kills — the faults faultline injects — behave the same); else the OS temp dir.
 */
export function defaultRunBase(): string {
  if (process.env.FAULTLINE_TMPDIR) return process.env.FAULTLINE_TMPDIR;
  try {
    const st = statfsSync(RAM_DIR);
    accessSync(RAM_DIR, fsConstants.W_OK);
    if (st.type === TMPFS_MAGIC && st.bavail * st.bsize >= RAM_MIN_FREE) return RAM_DIR;
  } catch {
    // no /dev/shm
  }
  return tmpdir();
}

export function siteName(i: number, sites: number): string {
  return String.fromCharCode(97 + (i % sites));
}

export function validate(opts: ClusterOptions): { count: number; sync: ResolvedSync | null } {
  if (!TOPOLOGIES.includes(opts.topology)) throw new ClusterOptionError(`unknown topology ${String(opts.topology)} (one of ${TOPOLOGIES.join(', ')})`);
  const defaults: Record<TopologyName, number> = { single: 1, 'streaming-async': 3, 'streaming-sync': 3, 'logical-bidir': 2, external: 0 };
  const count = opts.nodes ?? defaults[opts.topology];
  if (!Number.isInteger(count) || count < 0 || count > 26) throw new ClusterOptionError(`--nodes must be an integer from 1 to 26`);
  if (opts.topology === 'single' && count !== 1) throw new ClusterOptionError('topology single has exactly 1 node');
  if (opts.topology.startsWith('streaming') && count < 2) throw new ClusterOptionError(`topology ${opts.topology} needs at least 2 nodes`);
  if (opts.topology === 'logical-bidir' && count < 2) throw new ClusterOptionError('topology logical-bidir needs at least 2 nodes');
  if (opts.topology === 'external' && !opts.externalFile) throw new ClusterOptionError('topology external needs a nodes file (--external FILE)');
  const sites = opts.sites ?? 1;
  if (!Number.isInteger(sites) || sites < 1 || sites > 26) throw new ClusterOptionError('--sites must be an integer from 1 to 26');
  if (opts.topology !== 'external' && sites > count) throw new ClusterOptionError(`--sites ${sites} needs at least ${sites} nodes (one per site); got ${count}`);
  if (opts.wanLatencyMs !== undefined && (!Number.isFinite(opts.wanLatencyMs) || opts.wanLatencyMs < 0)) throw new ClusterOptionError('--wan-latency must be a non-negative number of ms');
  let sync: ResolvedSync | null = null;
  if (opts.topology === 'streaming-sync') {
    const commit = opts.syncCommit ?? 'on';
    if (!SYNC_COMMITS.includes(commit)) throw new ClusterOptionError(`--sync-commit must be one of ${SYNC_COMMITS.join(', ')}`);
    const m = /^\s*(FIRST|ANY)\s+([0-9]+)\s*$/i.exec(opts.syncStandbys ?? 'FIRST 1');
    if (!m) throw new ClusterOptionError(`--sync-standbys must look like 'FIRST 1' or 'ANY 2'`);
    const k = Number(m[2]);
    if (k < 1 || k > count - 1) throw new ClusterOptionError(`--sync-standbys: k must be from 1 to ${count - 1} (the number of standbys)`);
    sync = { method: m[1]!.toUpperCase() as 'FIRST' | 'ANY', k, commit };
  } else if (opts.syncCommit !== undefined || opts.syncStandbys !== undefined) {
    throw new ClusterOptionError('--sync-commit and --sync-standbys apply to topology streaming-sync only');
  }
  return { count, sync };
}

