// The pg_auto_failover stack: a monitor (pg_autoctl create monitor) and data nodes (pg_autoctl create postgres), each
// pg_autoctl running its postgres. Every path through a link: node → monitor (`mon-nK`), others → a node through
// `peer-nK`, which listens on the node's own loopback address (127.0.0.K+1) at the port it registered with the monitor.
import { chownSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { freePort } from '../../util/ports.js';
import { descendants } from '../../util/processes.js';
import type { LinkPlane } from '../links.js';
import type { OsUser } from '../osuser.js';
import { query } from '../sql.js';
import { Daemon } from './daemon.js';
import { Guard } from './guard.js';
import { ManagedMember, postmasterPid, waitFor } from './member.js';
import { DEBIAN_PG_BIN } from './packages.js';

const execFileAsync = promisify(execFile);
const AUTOCTL = '/usr/bin/pg_autoctl';

/** The environment pg_autoctl runs in: Debian's PostgreSQL first on PATH, its config and state below the node's home. */
export function autoctlEnv(home: string): Record<string, string> {
  return { PATH: `${DEBIAN_PG_BIN}:/usr/bin:/bin`, HOME: home, XDG_CONFIG_HOME: join(home, 'config'), XDG_DATA_HOME: join(home, 'share'), PG_REGRESS_SOCK_DIR: home, PGHOST: home };
}

/** `pg_autoctl create monitor … --run` arguments. */
export function monitorArgs(dataDir: string, port: number): string[] {
  return ['create', 'monitor', '--pgdata', dataDir, '--pgport', String(port), '--hostname', '127.0.0.1', '--listen', '127.0.0.1', '--auth', 'trust', '--no-ssl', '--run'];
}

/** `pg_autoctl create postgres … --run` arguments of a data node registered as `hostname:port` with the monitor. */
export function nodeArgs(o: { dataDir: string; home: string; name: string; port: number; hostname: string; monitorUri: string }): string[] {
  return ['create', 'postgres', '--pgdata', o.dataDir, '--pgport', String(o.port), '--pghost', o.home, '--listen', '127.0.0.1', '--hostname', o.hostname, '--name', o.name, '--monitor', o.monitorUri, '--auth', 'trust', '--no-ssl', '--run'];
}

/** A data node: its postgres as the cluster's NodeProcess; its pg_autoctl (supervisor and services) as the manager. */
export class AutoctlMember extends ManagedMember {
  home = '';
  /** the loopback address it registered with the monitor (its peer link listens there) */
  hostname = '';

  /** SIGKILL of pg_autoctl (the supervisor and its services) only: the postmaster and its children keep running. */
  async killManager(): Promise<void> {
    const d = this.daemon;
    if (!d || d.pid === null) return;
    // frozen first: a supervisor still running restarts a service killed under it, and that new one would outlive it
    d.pause();
    const pm = postmasterPid(this.dataDir);
    const keep = new Set(pm === null ? [] : [pm, ...descendants(pm)]);
    const services = descendants(d.pid).filter((p) => !keep.has(p));
    for (const p of services) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        // gone
      }
    }
    await d.kill();
  }
}

export interface AutoctlStackSpec {
  dir: string;
  user: OsUser;
  password: string;
  plane: LinkPlane;
  members: readonly AutoctlMember[];
}

export class AutoctlStack {
  readonly guard: Guard;
  monitor: Daemon | null = null;
  monitorPort = 0;
  readonly members = new Map<string, AutoctlMember>();

  private constructor(readonly spec: AutoctlStackSpec) {
    const g = join(spec.dir, 'guard');
    mkdirSync(g, { recursive: true, mode: 0o700 });
    this.guard = new Guard(g);
    for (const m of spec.members) this.members.set(m.name, m);
  }

  private home(name: string): string {
    const h = join(this.spec.dir, name);
    mkdirSync(h, { recursive: true, mode: 0o755 });
    if (!this.spec.user.self) chownSync(h, this.spec.user.uid, this.spec.user.gid);
    return h;
  }

  /** The monitor's database as faultline reads it (direct port, superuser through the monitor's local trust). */
  monitorConfig(): { host: string; port: number; user: string; database: string } {
    return { host: '127.0.0.1', port: this.monitorPort, user: 'autoctl_node', database: 'pg_auto_failover' };
  }

  static async start(spec: AutoctlStackSpec, timeoutMs = 240_000): Promise<AutoctlStack> {
    const s = new AutoctlStack(spec);
    s.guard.start();
    try {
      await s.startMonitor();
      // nodes join one at a time: the first becomes the primary, the others clone from it
      for (const m of s.members.values()) await s.startMember(m);
      await s.waitHealthy(timeoutMs);
      return s;
    } catch (err) {
      await s.stop().catch(() => undefined);
      throw err;
    }
  }

  private async startMonitor(): Promise<void> {
    const home = this.home('monitor');
    this.monitorPort = await freePort();
    const dataDir = join(home, 'data');
    this.monitor = new Daemon({ name: 'pg-autoctl-monitor', command: AUTOCTL, args: monitorArgs(dataDir, this.monitorPort), env: autoctlEnv(home), cwd: home, logFile: join(home, 'pg_autoctl.log'), user: this.spec.user }, this.guard);
    this.guard.postmaster('monitor', dataDir);
    this.monitor.start();
    await waitFor('the pg_auto_failover monitor', async () => {
      if (this.monitor!.lastExit) throw new Error(`pg_autoctl monitor exited; see ${join(home, 'pg_autoctl.log')}`);
      return (await query({ ...this.monitorConfig(), connectionTimeoutMillis: 2000 }, 'SELECT 1').then(() => true).catch(() => false));
    }, 120_000, 500);
  }

  private async startMember(m: AutoctlMember): Promise<void> {
    const { plane } = this.spec;
    m.home = this.home(m.name);
    m.dataDir = join(m.home, 'data');
    // pg_auto_failover's initdb makes the OS user the superuser; its HBA rules trust 127.0.0.1 (--auth trust)
    m.endpoint.user = this.spec.user.name;
    m.endpoint.password = this.spec.password;
    const i = [...this.members.keys()].indexOf(m.name);
    m.hostname = `127.0.0.${i + 2}`;
    await plane.ensure({ name: `peer-${m.name}`, kind: 'repl', from: '*', to: m.name, upstreamHost: '127.0.0.1', upstreamPort: m.endpoint.port, wan: false, listenHost: m.hostname, listenPort: m.endpoint.port });
    const mon = await plane.ensure({ name: `mon-${m.name}`, kind: 'dcs', from: m.name, to: 'monitor', upstreamHost: '127.0.0.1', upstreamPort: this.monitorPort, wan: false });
    const monitorUri = `postgres://autoctl_node@127.0.0.1:${mon.listenPort}/pg_auto_failover?sslmode=disable`;
    m.daemon = new Daemon(
      { name: `pg-autoctl-${m.name}`, command: AUTOCTL, args: nodeArgs({ dataDir: m.dataDir, home: m.home, name: m.name, port: m.endpoint.port, hostname: m.hostname, monitorUri }), env: autoctlEnv(m.home), cwd: m.home, logFile: join(m.home, 'pg_autoctl.log'), user: this.spec.user },
      this.guard,
    );
    this.guard.postmaster(m.name, m.dataDir);
    m.daemon.start();
    await waitFor(`${m.name} to register with the monitor`, async () => {
      if (m.daemon!.lastExit) throw new Error(`pg_autoctl on ${m.name} exited; see ${m.logFile}`);
      return (await this.states()).some((s) => s.name === m.name && s.reported === s.goal && s.goal !== 'init');
    }, 180_000, 500);
    // after `create … --run` the node's configuration exists: later starts are `pg_autoctl run`
    m.daemon.useArgs(['run', '--pgdata', m.dataDir]);
  }

  /** The monitor's view: per node its reported and goal state. */
  async states(): Promise<{ name: string; reported: string; goal: string }[]> {
    try {
      return (await query<{ name: string; reported: string; goal: string }>({ ...this.monitorConfig(), connectionTimeoutMillis: 2000 }, 'SELECT nodename AS name, reportedstate::text AS reported, goalstate::text AS goal FROM pgautofailover.node ORDER BY nodeid')).map((r) => r);
    } catch {
      return [];
    }
  }

  async waitHealthy(timeoutMs: number): Promise<void> {
    await waitFor('pg_auto_failover: a primary and every other node secondary', async () => {
      const st = await this.states();
      return st.length === this.members.size && st.filter((s) => s.reported === 'primary' && s.goal === 'primary').length === 1 && st.filter((s) => s.reported === 'secondary' && s.goal === 'secondary').length === this.members.size - 1;
    }, timeoutMs, 500);
  }

  /** `pg_autoctl perform switchover` against the monitor; the monitor picks the new primary. */
  async switchover(): Promise<string> {
    const some = [...this.members.values()][0]!;
    const args = ['perform', 'switchover', '--pgdata', some.dataDir, '--wait', '120'];
    await execFileAsync(AUTOCTL, args, { env: autoctlEnv(some.home), timeout: 180_000, ...(this.spec.user.self ? {} : { uid: this.spec.user.uid, gid: this.spec.user.gid }) });
    return `pg_autoctl ${args.map((a) => (a === some.dataDir ? 'PGDATA' : a)).join(' ')}`;
  }

  async stop(): Promise<void> {
    await Promise.all([...this.members.values()].map((m) => m.stop().catch(() => m.kill())));
    await this.monitor?.stop(20_000);
    const mpid = this.monitor ? postmasterPid(join(this.spec.dir, 'monitor', 'data')) : null;
    if (mpid !== null) {
      try {
        process.kill(mpid, 'SIGQUIT');
      } catch {
        // gone
      }
    }
    this.guard.close();
  }
}
