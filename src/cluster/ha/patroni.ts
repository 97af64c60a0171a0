// The Patroni + etcd stack: etcd members, one Patroni per node (it bootstraps, clones and restarts its postgres), every
// TCP path through a link: member → etcd (`dcs-nK-eJ`), member → member (`peer-nK`, `peer-api-nK`: Patroni publishes
// one address per member, so every other member shares it), clients → REST (`api-nK`). Roles come from GET /primary.
export { waitFor } from './member.js';
import { chownSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { freePort } from '../../util/ports.js';
import type { LinkPlane } from '../links.js';
import type { OsUser } from '../osuser.js';
import { Daemon } from './daemon.js';
import { ManagedMember, waitFor } from './member.js';
import { EtcdMember, type EtcdMemberSpec } from './etcd.js';
import { Guard } from './guard.js';
import { patroniYaml, type DcsTimings } from './patroni-config.js';

const execFileAsync = promisify(execFile);

/** One Patroni member as the cluster sees a node, plus its REST API. */
export class PatroniMember extends ManagedMember {
  /** the REST API's direct port, and as clients reach it (through `api-<name>`) */
  apiPort = 0;
  clientApiPort = 0;

  /** GET `path` on this member's REST API through its client link: status and JSON body (status 0: no answer). */
  async rest(path: string, timeoutMs = 1500): Promise<{ status: number; body: unknown }> {
    if (!this.clientApiPort) return { status: 0, body: null };
    try {
      const r = await fetch(`http://127.0.0.1:${this.clientApiPort}${path}`, { signal: AbortSignal.timeout(timeoutMs) });
      return { status: r.status, body: await r.json().catch(() => null) };
    } catch {
      return { status: 0, body: null };
    }
  }
}

export interface PatroniStackSpec {
  dir: string;
  user: OsUser;
  password: string;
  plane: LinkPlane;
  members: readonly { process: PatroniMember; site: string }[];
  /** etcd members (1 or 3) */
  etcdNodes: number;
  timings: DcsTimings;
  synchronous: boolean;
  pgBin: string;
}

/** A started Patroni + etcd stack. */
export class PatroniStack {
  readonly guard: Guard;
  readonly etcd: EtcdMember[] = [];
  readonly members = new Map<string, PatroniMember>();
  readonly scope = 'faultline';

  private constructor(readonly spec: PatroniStackSpec) {
    const gdir = join(spec.dir, 'guard');
    mkdirSync(gdir, { recursive: true, mode: 0o700 });
    this.guard = new Guard(gdir);
    for (const m of spec.members) this.members.set(m.process.name, m.process);
  }

  private own(path: string): void {
    if (!this.spec.user.self) chownSync(path, this.spec.user.uid, this.spec.user.gid);
  }

  /** Starts etcd, then every Patroni member; resolves once a leader is elected and every replica streams. */
  static async start(spec: PatroniStackSpec, timeoutMs = 180_000): Promise<PatroniStack> {
    const s = new PatroniStack(spec);
    s.guard.start();
    try {
      await s.startEtcd();
      await s.startMembers();
      await s.waitHealthy(timeoutMs);
      return s;
    } catch (err) {
      await s.stop().catch(() => undefined);
      throw err;
    }
  }

  private async startEtcd(): Promise<void> {
    const { plane } = this.spec;
    const specs: EtcdMemberSpec[] = [];
    for (let i = 1; i <= this.spec.etcdNodes; i++) {
      const name = `e${i}`;
      const clientPort = await freePort();
      const peerPort = await freePort();
      const peer = await plane.ensure({ name: `dcs-peer-${name}`, kind: 'dcs', from: '*', to: name, upstreamHost: '127.0.0.1', upstreamPort: peerPort, wan: false });
      specs.push({ name, clientPort, peerPort, advertisedClientPort: clientPort, advertisedPeerPort: peer.listenPort });
    }
    for (const e of specs) this.etcd.push(new EtcdMember(e, specs, this.spec.dir, this.spec.user, this.guard, 'faultline'));
    for (const e of this.etcd) e.daemon.start();
    await waitFor('etcd to be healthy', async () => (await Promise.all(this.etcd.map((e) => e.healthy()))).every(Boolean), 60_000);
  }

  private async startMembers(): Promise<void> {
    const { plane, dir, password, timings } = this.spec;
    for (const [name, m] of this.members) {
      const home = join(dir, name);
      mkdirSync(home, { recursive: true, mode: 0o755 });
      this.own(home);
      m.dataDir = join(home, 'data');
      m.endpoint.password = password;
      m.apiPort = await freePort();
      const peer = await plane.ensure({ name: `peer-${name}`, kind: 'repl', from: '*', to: name, upstreamHost: '127.0.0.1', upstreamPort: m.endpoint.port, wan: false });
      const peerApi = await plane.ensure({ name: `peer-api-${name}`, kind: 'repl', from: '*', to: name, upstreamHost: '127.0.0.1', upstreamPort: m.apiPort, wan: false });
      const api = await plane.ensure({ name: `api-${name}`, kind: 'api', from: 'client', to: name, upstreamHost: '127.0.0.1', upstreamPort: m.apiPort, wan: false });
      m.clientApiPort = api.listenPort;
      const dcsHosts: string[] = [];
      for (const e of this.etcd) {
        const l = await plane.ensure({ name: `dcs-${name}-${e.spec.name}`, kind: 'dcs', from: name, to: e.spec.name, upstreamHost: '127.0.0.1', upstreamPort: e.spec.clientPort, wan: false });
        dcsHosts.push(`127.0.0.1:${l.listenPort}`);
      }
      const yml = join(home, 'patroni.yml');
      writeFileSync(
        yml,
        patroniYaml({
          scope: this.scope, name, dir: home, dataDir: m.dataDir, pgBin: this.spec.pgBin, pgPort: m.endpoint.port, apiPort: m.apiPort, peerPgPort: peer.listenPort,
          peerApiPort: peerApi.listenPort, dcsHosts, password, timings, synchronous: this.spec.synchronous,
        }),
        { mode: 0o600 },
      );
      this.own(yml);
      m.daemon = new Daemon({ name: `patroni-${name}`, command: '/usr/bin/patroni', args: [yml], cwd: home, logFile: join(home, 'patroni.log'), user: this.spec.user }, this.guard);
      this.guard.postmaster(name, m.dataDir);
    }
    for (const m of this.members.values()) m.daemon!.start();
  }

  /** The member whose REST API answers GET /primary with 200 (the leader), or null. */
  async leader(): Promise<string | null> {
    const answers = await Promise.all([...this.members.values()].map(async (m) => ((await m.rest('/primary', 1000)).status === 200 ? m.name : null)));
    return answers.find((a) => a !== null) ?? null;
  }

  /** GET /cluster from any member that answers. */
  async clusterView(): Promise<{ members: { name: string; role: string; state: string; lag?: number | string }[] } | null> {
    for (const m of this.members.values()) {
      const r = await m.rest('/cluster');
      if (r.status === 200 && r.body && typeof r.body === 'object') return r.body as { members: { name: string; role: string; state: string }[] };
    }
    return null;
  }

  /** A leader and every other member running as a replica with no lag. */
  async waitHealthy(timeoutMs: number): Promise<string> {
    let leader: string | null = null;
    await waitFor('the Patroni cluster to elect a leader and stream to every replica', async () => {
      const exited = [...this.members.values()].find((m) => m.daemon?.lastExit);
      if (exited) throw new Error(`patroni on ${exited.name} exited (${JSON.stringify(exited.daemon!.lastExit)}); see ${exited.logFile}`);
      leader = await this.leader();
      if (!leader) return false;
      const v = await this.clusterView();
      const replicas = v?.members.filter((x) => x.name !== leader) ?? [];
      return replicas.length === this.members.size - 1 && replicas.every((x) => x.state === 'running' || x.state === 'streaming');
    }, timeoutMs, 300);
    return leader!;
  }

  /** `patronictl switchover` (scheduled now, forced): to `candidate` or a replica Patroni picks. */
  async switchover(candidate: string | undefined): Promise<{ from: string | null; to: string; command: string }> {
    const from = await this.leader();
    const someone = [...this.members.values()][0]!;
    const yml = join(this.spec.dir, someone.name, 'patroni.yml');
    const to = candidate ?? [...this.members.keys()].find((n) => n !== from)!;
    const args = ['-c', yml, 'switchover', '--force', ...(from ? ['--leader', from] : []), '--candidate', to, this.scope];
    // patronictl reads the member's etcd3 section and talks to the REST APIs through the links
    await execFileAsync('/usr/bin/patronictl', args, { timeout: 60_000, env: { PATH: '/usr/bin:/bin', LC_ALL: 'C.UTF-8', HOME: join(this.spec.dir, someone.name) } });
    return { from, to, command: `patronictl ${args.map((a) => (a === yml ? 'patroni.yml' : a)).join(' ')}` };
  }

  /** Stops every member (Patroni shuts its postgres down), then etcd, then the guard. */
  async stop(): Promise<void> {
    await Promise.all([...this.members.values()].map((m) => m.stop().catch(() => m.kill())));
    await Promise.all(this.etcd.map((e) => e.daemon.stop(10_000)));
    this.guard.close();
  }

  /** Where each member keeps its files (for cluster.json / describe). */
  files(): Record<string, string> {
    return Object.fromEntries([...this.members.keys()].map((n) => [n, join(this.spec.dir, n)]).filter(([, d]) => existsSync(d!)));
  }
}
