// The hosts a cluster runs on (--hosts): opened by the preflight (exit 69 naming the host and the step before any
// workload), a run directory `<scratch>/faultline-<run>` on each, held by a watchdog process that removes it
// should faultline die (and stale ones of dead runs swept first), free ports picked there, and partitions as
// packet-filter rules (a root guard removes them should faultline die; swept at open). Closing removes it all.
import { randomBytes } from 'node:crypto';
import { EXIT, UserError } from '../util/exit.js';
import type { HostSpec } from '../hosts/hosts-file.js';
import { controlPathOf, PacketFilter, sweepHost, sweepScript, type FilterBackend } from '../hosts/packet-filter.js';
import type { ControlPath, HostGrudge } from '../hosts/partition-rules.js';
import { assertPreflight, preflight } from '../hosts/preflight.js';
import { RemoteError } from '../remote/errors.js';
import { shQuote } from '../remote/shell.js';
import type { Remote, RemoteProcess } from '../remote/types.js';
import type { HostPlacement } from './placement.js';

export interface HostSetOptions {
  /** the run cuts links: check and prepare each host's packet filter (root), guard its rules */
  partitions: boolean;
  /** programs the topology needs in each host's pgBin besides postgres, initdb and pg_ctl (pg_basebackup) */
  tools: readonly string[];
  /** keep the run directories (the data directories, stopped) */
  keep: boolean;
  /** progress lines (stale directories swept, …) */
  log?: (line: string) => void;
}

/** Ports picked on a host: below Linux's ephemeral range (32768–60999), so an outgoing connection never holds one. */
const PORT_MIN = 20_000;
const PORT_MAX = 32_000;
const RUN_PREFIX = 'faultline-';

interface OpenHost {
  spec: HostSpec;
  remote: Remote;
  /** the run's directory on the host */
  dir: string;
  holder: RemoteProcess | null;
  guard: RemoteProcess | null;
  /** the address the other hosts and faultline reach it at */
  address: string;
  /** the control node's SSH line as the host sees it (its source address: the control node's) */
  control: ControlPath | null;
  ports: Set<number>;
}

/** sh: every postmaster of a run directory is gone (postmaster.pid absent, or its PID dead), waiting up to `ticks` × 0.1 s. */
function waitPostmastersGone(dirVar: string, ticks: number): string {
  return [
    `fl_n=0`,
    `while [ "$fl_n" -lt ${ticks} ]; do`,
    `  fl_busy=0`,
    `  for f in "${dirVar}"/*/data/postmaster.pid; do [ -f "$f" ] || continue; p=$(head -n 1 "$f"); [ -n "$p" ] && kill -0 "$p" 2>/dev/null && fl_busy=1; done`,
    `  [ "$fl_busy" = 0 ] && break`,
    `  sleep 0.1; fl_n=$((fl_n+1))`,
    `done`,
  ].join('\n');
}

/**
 * sh: waits for a signal without a busy loop. The sleep is a child of its own: the TERM trap must end it before
 * the shell exits, or it lives on, reparented, on the host (seen: one `sleep 3600` per helper and run).
 */
const IDLE = 'while :; do sleep 3600 & fl_sleep=$!; wait "$fl_sleep"; done';
const STOP_SLEEP = '[ -n "$fl_sleep" ] && kill "$fl_sleep" 2>/dev/null';

/**
 * The holder: writes its PID into the run directory and waits; when faultline goes away (the spawn watchdog's
 * TERM) it waits for the run's postmasters to go (their own watchdogs stop them) and removes the directory, or
 * marks it kept.
 */
function holderScript(dir: string, keep: boolean): string {
  const d = shQuote(dir);
  const cleanup = keep ? `fl_done() { touch "$d/kept"; }` : `fl_done() {\n${waitPostmastersGone('$d', 250)}\nrm -rf -- "$d"\n}`;
  return [`d=${d}`, 'umask 077', 'mkdir -p "$d" || exit 1', 'echo "$$" > "$d/holder.pid" || exit 1', cleanup, `trap 'fl_done; ${STOP_SLEEP}; exit 0' TERM`, "trap '' INT HUP", 'echo ready', IDLE].join('\n');
}

/** The packet-filter guard (root): when faultline goes away, it removes faultline's rules. */
function guardScript(): string {
  return [`fl_sweep() {\n${sweepScript()}}`, `trap 'fl_sweep >/dev/null 2>&1; ${STOP_SLEEP}; exit 0' TERM`, "trap '' INT HUP", 'echo ready', IDLE].join('\n');
}

/**
 * sh: removes the run directories of dead runs in a scratch directory (no live holder, no live postmaster, not
 * kept, and not made in the last two minutes without a holder yet); prints `swept DIR` / `busy DIR`.
 */
function sweepRunsScript(scratch: string): string {
  return [
    `for d in ${shQuote(scratch)}/${RUN_PREFIX}*; do`,
    '  [ -d "$d" ] || continue',
    '  [ -e "$d/kept" ] && continue',
    '  h=$(cat "$d/holder.pid" 2>/dev/null)',
    '  if [ -n "$h" ]; then',
    `    kill -0 "$h" 2>/dev/null && tr '\\000' ' ' < "/proc/$h/cmdline" 2>/dev/null | grep -qF "$d" && continue`,
    '  elif [ -n "$(find "$d" -maxdepth 0 -mmin -2 2>/dev/null)" ]; then continue',
    '  fi',
    '  fl_busy=0',
    '  for f in "$d"/*/data/postmaster.pid; do [ -f "$f" ] || continue; p=$(head -n 1 "$f"); [ -n "$p" ] && kill -0 "$p" 2>/dev/null && fl_busy=1; done',
    '  if [ "$fl_busy" = 1 ]; then echo "busy $d"; continue; fi',
    '  rm -rf -- "$d" && echo "swept $d"',
    'done',
    'exit 0',
  ].join('\n');
}

/** Resolves with the first stdout line of a spawned helper ("ready"), or rejects when it exits first. */
async function spawnReady(remote: Remote, script: string, user: string, graceMs: number, what: string): Promise<RemoteProcess> {
  let ready!: () => void;
  const isReady = new Promise<void>((r) => (ready = r));
  let out = '';
  const p = await remote.spawn({ sh: script }, {
    user,
    cwd: '/',
    orphanSignal: 'TERM',
    orphanGraceMs: graceMs,
    onStdout: (b) => {
      out += b.toString('utf8');
      if (out.includes('ready\n')) ready();
    },
  });
  const first = await Promise.race([isReady.then(() => 'ready' as const), p.exited]);
  if (first !== 'ready') throw new RemoteError(remote.name, remote.where, 'spawn', `${what} exited at once (${first.lost ? 'connection lost' : `exit ${first.code}`})`);
  return p;
}

/** Waits for a process to exit, at most `ms` (the timer never holds faultline's exit up). */
async function exitedWithin(p: RemoteProcess, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([p.exited, new Promise<void>((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}

function majorOf(version: string | undefined): { major: number; text: string } | null {
  const m = /PostgreSQL\)\s+([0-9]+)(?:\.([0-9]+))?/.exec(version ?? '');
  return m ? { major: Number(m[1]), text: m[2] !== undefined ? `${m[1]}.${m[2]}` : m[1]! } : null;
}

export class HostSet {
  private closing: Promise<void> | null = null;
  private rules: string[] = [];
  private filterOps: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly hosts: Map<string, OpenHost>,
    readonly filter: PacketFilter,
    /** the PostgreSQL version the hosts run (`15.14`) */
    readonly pgVersion: string,
    readonly runId: string,
    private readonly opts: HostSetOptions,
    /** each host's packet filter, as the preflight found it */
    private readonly backends: ReadonlyMap<string, FilterBackend>,
  ) {}

  /**
   * Connects to the placement's hosts and checks each (preflight: exit 69 naming the host and the step), then
   * makes the run's directory on each and sweeps stale ones and stale packet-filter rules.
   */
  static async open(placement: HostPlacement, opts: HostSetOptions): Promise<HostSet> {
    const { report, remotes } = await preflight(placement.hosts, { partitions: opts.partitions, tools: opts.tools });
    const closeAll = async (): Promise<void> => {
      await Promise.all([...remotes.values()].map((r) => r.close().catch(() => undefined)));
    };
    try {
      assertPreflight(report);
      const versions = report.hosts.map((c) => ({ host: c.host, v: majorOf(c.postgres) }));
      const majors = new Set(versions.map((x) => x.v?.major));
      if (majors.size > 1) {
        throw new UserError(
          `the hosts run different PostgreSQL majors (${versions.map((x) => `${x.host} ${x.v?.text ?? '?'}`).join(', ')}): a standby's base backup needs the primary's major; point "pgBin" at one version`,
          EXIT.UNAVAILABLE,
        );
      }
      const runId = `${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '')}-${randomBytes(4).toString('hex')}`;
      const addresses = Object.fromEntries(report.hosts.map((c) => [c.host, c.address!]));
      const hosts = new Map<string, OpenHost>();
      for (const spec of placement.hosts) {
        const dir = `${spec.scratch}/${RUN_PREFIX}${runId}`;
        hosts.set(spec.name, { spec, remote: remotes.get(spec.name)!, dir, holder: null, guard: null, address: addresses[spec.name]!, control: null, ports: new Set() });
      }
      const filter = new PacketFilter(
        placement.hosts.map((h) => ({ name: h.name, remote: remotes.get(h.name)!, choice: h.packetFilter })),
        addresses,
      );
      const backends = new Map(report.hosts.flatMap((c) => (c.packetFilter ? [[c.host, c.packetFilter] as const] : [])));
      const set = new HostSet(hosts, filter, versions[0]?.v?.text ?? '?', runId, opts, backends);
      try {
        await set.prepare();
      } catch (err) {
        await set.close();
        throw err;
      }
      return set;
    } catch (err) {
      await closeAll();
      throw err;
    }
  }

  private async prepare(): Promise<void> {
    await Promise.all(
      [...this.hosts.values()].map(async (h) => {
        h.control = await controlPathOf(h.remote);
        const swept = await h.remote.exec({ sh: sweepRunsScript(h.spec.scratch) }, { user: h.spec.pgUser, timeoutMs: 120_000 });
        for (const line of swept.stdout.split('\n').filter((l) => l !== '')) {
          const [what, dir] = [line.slice(0, line.indexOf(' ')), line.slice(line.indexOf(' ') + 1)];
          this.opts.log?.(what === 'swept' ? `host ${h.spec.name}: removed ${dir}, left by a run that is gone` : `host ${h.spec.name}: ${dir} is left by a run that is gone, but a postgres still runs in it: left alone`);
        }
        h.holder = await spawnReady(h.remote, holderScript(h.dir, this.opts.keep), h.spec.pgUser, 30_000, `the run directory's holder on ${h.spec.name}`);
      }),
    );
    if (this.opts.partitions) {
      // finds each host's packet filter and the control path, removes what an earlier run left
      await this.filter.prepare({ backends: this.backends, control: new Map([...this.hosts.values()].map((h) => [h.spec.name, h.control])) });
      await Promise.all(
        [...this.hosts.values()].map(async (h) => {
          h.guard = await spawnReady(h.remote, guardScript(), 'root', 10_000, `the packet-filter guard on ${h.spec.name}`);
        }),
      );
    } else {
      // rules a dead run left would cut this run's replication: removed where root can (needs none otherwise)
      await Promise.all([...this.hosts.values()].map((h) => sweepHost(h.remote).catch(() => undefined)));
    }
  }

  private host(name: string): OpenHost {
    const h = this.hosts.get(name);
    if (!h) throw new Error(`no host ${name} in this run`);
    return h;
  }

  remote(host: string): Remote {
    return this.host(host).remote;
  }

  /** The run's directory on the host. */
  runDir(host: string): string {
    return this.host(host).dir;
  }

  /** The address the other hosts and faultline reach the host at. */
  address(host: string): string {
    return this.host(host).address;
  }

  /** Who connects to the servers: every host of the run, and this machine as each host sees it. */
  sources(): string[] {
    return [...new Set([...this.hosts.values()].flatMap((h) => [h.address, h.control?.address ?? '127.0.0.1']))];
  }

  /** A TCP port no socket listens on on the host (nor picked for this run before). */
  async freePort(host: string): Promise<number> {
    const h = this.host(host);
    const r = await h.remote.exec({ sh: `cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | awk '$4 == "0A" { split($2, a, ":"); print a[2] }'` }, { timeoutMs: 30_000, check: true });
    const used = new Set(r.stdout.split('\n').filter((l) => l !== '').map((x) => parseInt(x, 16)));
    for (let i = 0; i < 1000; i++) {
      const p = PORT_MIN + Math.floor(Math.random() * (PORT_MAX - PORT_MIN));
      if (used.has(p) || h.ports.has(p)) continue;
      h.ports.add(p);
      return p;
    }
    throw new RemoteError(h.spec.name, h.remote.where, 'exec', `no free TCP port from ${PORT_MIN} to ${PORT_MAX}`);
  }

  /** Runs packet-filter changes one at a time (a close waits for the one in flight, then heals). */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    if (this.closing) return Promise.reject(new Error('the hosts are being released: no more packet-filter changes'));
    const next = this.filterOps.then(fn, fn);
    this.filterOps = next.catch(() => undefined);
    return next;
  }

  /** Installs a grudge (host → hosts it cannot reach) as DROP rules, replacing the rules in force; returns their labels. */
  cut(grudge: HostGrudge): Promise<string[]> {
    if (Object.values(grudge).every((peers) => peers.length === 0)) return this.heal().then(() => []);
    return this.serial(async () => {
      const { labels } = await this.filter.apply(grudge);
      this.rules = labels;
      return labels;
    });
  }

  /** Removes every rule in force (also those of a cut that failed half-way: the filter knows where it installed). */
  heal(): Promise<void> {
    return this.serial(async () => {
      await this.filter.heal();
      this.rules = [];
    });
  }

  /** The rules in force, in words (`n1: drop input from n2 (10.77.0.12)`). */
  rulesInForce(): string[] {
    return [...this.rules];
  }

  /**
   * Heals, stops the guards and holders, removes the run directories unless kept (servers must be stopped
   * first), and closes the connections. Idempotent; never throws.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.filterOps;
      await this.filter.heal().catch(() => undefined);
      this.rules = [];
      await Promise.all(
        [...this.hosts.values()].map(async (h) => {
          // the guard's TERM: it removes faultline's rules once more (whatever a lost connection left), and exits
          if (h.guard && (await h.guard.signal('TERM').catch(() => false))) await exitedWithin(h.guard, 10_000);
          await h.guard?.signal('KILL', 'tree').catch(() => false);
          if (this.opts.keep) await h.remote.exec(['touch', `${h.dir}/kept`], { user: h.spec.pgUser, timeoutMs: 30_000 }).catch(() => undefined);
          else await h.remote.exec({ sh: `d=${shQuote(h.dir)}\n${waitPostmastersGone('$d', 100)}\nrm -rf -- "$d"` }, { user: h.spec.pgUser, timeoutMs: 60_000 }).catch(() => undefined);
          await h.holder?.signal('KILL', 'tree').catch(() => false);
        }),
      );
      await Promise.all([...this.hosts.values()].map((h) => h.remote.close().catch(() => undefined)));
    })();
    return this.closing;
  }
}
