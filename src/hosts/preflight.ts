// Preflight: before any workload starts, every host is checked step by step (connect, host key, auth, the users,
// PostgreSQL's bin directory, a writable scratch directory, the packet filter when partitions are asked for).
// The report is data; assertPreflight turns failures into one line per host and exit 69.
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { EXIT, UserError } from '../util/exit.js';
import { RemoteError, tail, type RemoteStep } from '../remote/errors.js';
import { shQuote } from '../remote/shell.js';
import type { Remote } from '../remote/types.js';
import { remoteFor, type ConnectOptions } from './connect.js';
import type { HostSpec } from './hosts-file.js';
import { detectBackend, type FilterBackend } from './packet-filter.js';

export interface StepResult {
  step: RemoteStep;
  ok: boolean;
  detail: string;
}

export interface HostCheck {
  host: string;
  where: string;
  ok: boolean;
  steps: StepResult[];
  /** `postgres --version` on the host */
  postgres?: string;
  /** the address peers reach it at */
  address?: string;
  packetFilter?: FilterBackend;
}

export interface PreflightReport {
  ok: boolean;
  hosts: HostCheck[];
}

export interface PreflightOptions extends ConnectOptions {
  /** check the packet filter too (runs with partitions) */
  partitions?: boolean;
  /** programs besides postgres, initdb and pg_ctl the run needs in each host's pgBin (pg_basebackup to clone standbys) */
  tools?: readonly string[];
  /** reuse these connections (by host name); others are opened and returned in `remotes` */
  remotes?: Map<string, Remote>;
}

/** Checks one host; stops at the first failing step (the later ones depend on it). */
export async function checkHost(h: HostSpec, remote: Remote, opts: PreflightOptions = {}): Promise<HostCheck> {
  const out: HostCheck = { host: h.name, where: remote.where, ok: false, steps: [] };
  const step = async (name: RemoteStep, fn: () => Promise<string>): Promise<boolean> => {
    try {
      out.steps.push({ step: name, ok: true, detail: await fn() });
      return true;
    } catch (err) {
      const e = err as Error;
      out.steps.push({ step: err instanceof RemoteError ? err.step : name, ok: false, detail: err instanceof RemoteError ? err.detail : e.message });
      return false;
    }
  };
  const sh = async (name: RemoteStep, script: string, user?: string): Promise<string> => {
    const r = await remote.exec({ sh: script }, { user, timeoutMs: 60_000 });
    if (r.code !== 0) throw new RemoteError(h.name, remote.where, name, r.timedOut ? 'timed out' : tail(r.stderr || r.stdout) || `exit ${r.code}`);
    return r.stdout.trim();
  };
  const connected = await step('connect', async () => {
    const ssh = remote as Partial<{ connect(): Promise<void> }>;
    if (typeof ssh.connect === 'function') await ssh.connect();
    return 'connected, host key and authentication accepted';
  });
  if (!connected) return out;
  if (
    !(await step('user', async () => {
      const me = await sh('user', 'id -un');
      if (me !== h.user) throw new Error(`logged in as ${me}, expected ${h.user}`);
      if (h.pgUser === h.user) return `logged in as ${me}`;
      const pg = await sh('user', 'id -un', h.pgUser);
      if (pg !== h.pgUser) throw new Error(`commands as ${h.pgUser} ran as ${pg}`);
      return `logged in as ${me}; runs PostgreSQL as ${pg}`;
    }))
  )
    return out;
  const bin = shQuote(h.pgBin);
  if (
    !(await step('pg-bin', async () => {
      const v = await sh(
        'pg-bin',
        [
          `for b in postgres initdb pg_ctl ${(opts.tools ?? []).map(shQuote).join(' ')}; do`,
          `  [ -x ${bin}/$b ] && continue`,
          `  why=; [ "$b" = pg_basebackup ] && why=' (standbys are cloned with it: Debian package postgresql-15 or the like)'`,
          `  echo "${h.pgBin}/$b is missing or not executable$why" >&2; exit 1`,
          'done',
          `${bin}/postgres --version`,
        ].join('\n'),
        h.pgUser,
      );
      if (!/PostgreSQL/.test(v)) throw new Error(`${h.pgBin}/postgres --version printed ${JSON.stringify(v)}`);
      out.postgres = v;
      return v;
    }))
  )
    return out;
  const scratch = shQuote(h.scratch);
  if (
    !(await step('scratch', async () => {
      await sh('scratch', `mkdir -p ${scratch} && t=$(mktemp -p ${scratch} .faultline-probe.XXXXXX) && rm -f "$t"`, h.pgUser);
      return `${h.scratch} is writable by ${h.pgUser}`;
    }))
  )
    return out;
  if (
    !(await step('address', async () => {
      out.address = h.address ?? (isIP(h.host) ? h.host : (await lookup(h.host)).address);
      return `peers reach it at ${out.address}`;
    }))
  )
    return out;
  if (opts.partitions) {
    if (
      !(await step('packet-filter', async () => {
        out.packetFilter = await detectBackend(remote, h.packetFilter);
        return `${out.packetFilter} usable as root`;
      }))
    )
      return out;
  }
  out.ok = true;
  return out;
}

/** Checks every host at once; the connections stay open in the returned map (close them when done). */
export async function preflight(hosts: readonly HostSpec[], opts: PreflightOptions = {}): Promise<{ report: PreflightReport; remotes: Map<string, Remote> }> {
  const remotes = opts.remotes ?? new Map<string, Remote>();
  const checks = await Promise.all(
    hosts.map(async (h) => {
      let remote = remotes.get(h.name);
      if (!remote) {
        try {
          remote = remoteFor(h, opts);
        } catch (err) {
          const e = err as RemoteError;
          return { host: h.name, where: `${h.user}@${h.host}:${h.port}`, ok: false, steps: [{ step: e.step ?? 'key', ok: false, detail: e.detail ?? e.message }] } satisfies HostCheck;
        }
        remotes.set(h.name, remote);
      }
      return checkHost(h, remote, opts);
    }),
  );
  return { report: { ok: checks.every((c) => c.ok), hosts: checks }, remotes };
}

/** One line per failing host: "host n2 (root@10.77.0.12:22): auth: …". */
export function preflightErrors(report: PreflightReport): string[] {
  return report.hosts
    .filter((c) => !c.ok)
    .map((c) => {
      const bad = c.steps.find((s) => !s.ok);
      return `host ${c.host} (${c.where}): ${bad?.step ?? 'connect'}: ${bad?.detail ?? 'failed'}`;
    });
}

/** Throws exit 69 naming each failing host and step. */
export function assertPreflight(report: PreflightReport): void {
  const errs = preflightErrors(report);
  if (errs.length > 0) throw new UserError(errs.join('\nfaultline: '), EXIT.UNAVAILABLE);
}
