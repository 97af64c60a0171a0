// startCluster(): resolves the topology's plan, builds the run directory, the nodes' servers and their client links,
// lets the topology wire them, and returns the Cluster handle the runner programs against (node control, link
// faults, the topology's capabilities, settling, snapshots, sampling, describe, stop). No branch on a topology name. The password
// lives only in memory and in the 0600 passfile; descriptions and cluster.json name the passfile instead.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type pg from 'pg';
import { makeDirs } from '../util/dirs.js';
import { freePort } from '../util/ports.js';
import { forgetSecret, redactSecrets, registerSecret } from '../util/redact.js';
import { PASSFILE, writePassfile, type PassEntry } from './passfile.js';
import { onCleanup } from '../util/processes.js';
import { binariesFor, type PgBinaries } from './binaries.js';
import { autoConf, conninfo, hbaConf, postgresqlConf } from './config.js';
import { HostServer } from './host-server.js';
import { HostSet } from './host-set.js';
import type { ClusterCtx, NodeHost, NodeRec } from './internal.js';
import { LinkPlane } from './links.js';
import { serverUser, type OsUser } from './osuser.js';
import type { NodeProcess } from './process.js';
import { assertReachable, canReach } from './reach.js';
import { startSampler, type SampledNode } from './sampler.js';
import { PgServer } from './server.js';
import { settle } from './settle.js';
import { snapshotTables } from './snapshot.js';
import { defaultRunBase, resolveCluster } from './options.js';
import type { HostPlacement } from './placement.js';
import { claimTempDir, sweepStaleTempDirs, TEMP_PREFIX } from './stale.js';
import { makeTls, type TlsMaterial } from './tls.js';
import type { Capability, CapabilityApi, RunningTopology, Topology, TopologyPlan } from './topology/types.js';
import type {
  Cluster,
  ClusterDescription,
  ClusterNode,
  ClusterOptions,
  CutMode,
  Link,
  LinkSelector,
  LinkToxic,
  NodeRole,
  NodeState,
  Sampler,
  Settlement,
  TableSnapshot,
  TopologyName,
} from './types.js';

class Node implements ClusterNode {
  role: NodeRole;
  constructor(
    readonly name: string,
    readonly site: string,
    readonly host: string,
    readonly port: number,
    readonly clientPort: number,
    readonly process: NodeProcess,
    role: NodeRole,
  ) {
    this.role = role;
  }
  get state(): NodeState {
    if (this.process.running) return this.process.paused ? 'paused' : 'running';
    return this.process.downReason;
  }
  get pid(): number | null {
    return this.process.pid;
  }
  get logFile(): string | null {
    return this.process.logFile;
  }
}

class ClusterImpl implements Cluster, ClusterCtx {
  readonly recs = new Map<string, NodeRec>();
  generation = 0;
  /** the started topology (set by startCluster once the topology has wired the nodes) */
  running: RunningTopology | null = null;
  private readonly listeners = new Set<(p: ClusterNode, g: number) => void>();
  private readonly samplers = new Set<Sampler>();
  private readonly cutRules: { a: Set<string>; b: Set<string>; mode: CutMode }[] = [];
  /** on hosts: replication links go straight between the hosts' addresses (no proxy), cut by packet filters */
  private readonly direct = new Map<string, Link>();
  /** on hosts: the node pairs cut apart now ("a b", sorted), installed as one grudge */
  private readonly hostCuts = new Set<string>();
  /** on hosts: node → its host */
  private readonly placed = new Map<string, NodeHost>();
  private stopping: Promise<void> | null = null;
  private unregister: () => void = () => undefined;

  constructor(
    readonly opts: ClusterOptions,
    readonly dir: string,
    private readonly keep: boolean,
    readonly bins: PgBinaries | null,
    readonly password: string,
    readonly tls: TlsMaterial | null,
    readonly plane: LinkPlane,
    private readonly topo: Topology,
    private readonly plan: TopologyPlan,
    /** the hosts the nodes run on (--hosts), or null: this machine */
    readonly hostSet: HostSet | null = null,
  ) {}

  get topology(): TopologyName {
    return this.opts.topology;
  }
  get nodes(): ClusterNode[] {
    return [...this.recs.values()].map((r) => r.node);
  }
  get links(): Link[] {
    return [...this.plane.all(), ...this.direct.values()];
  }
  get toxiproxyUrl(): string {
    return this.plane.url;
  }
  get pgVersion(): string {
    return this.bins?.version ?? this.running?.pgVersion ?? this.hostSet?.pgVersion ?? 'external';
  }

  nodeHost(name: string): NodeHost | null {
    return this.placed.get(name) ?? null;
  }

  place(name: string, host: NodeHost): void {
    this.placed.set(name, host);
  }
  private get rt(): RunningTopology {
    if (!this.running) throw new Error(`topology ${this.topology} is not started yet`);
    return this.running;
  }

  rec(name: string): NodeRec {
    const r = this.recs.get(name);
    if (!r) throw new Error(`no node named ${name} (nodes: ${[...this.recs.keys()].join(', ')})`);
    return r;
  }
  node(name: string): ClusterNode {
    return this.rec(name).node;
  }
  private nameOf(n: string | ClusterNode): string {
    return typeof n === 'string' ? n : n.name;
  }

  private ssl(): pg.ClientConfig['ssl'] {
    return this.tls ? { ca: this.tls.caPem, rejectUnauthorized: true } : false;
  }

  adminConfig(n: string | ClusterNode): pg.ClientConfig {
    const r = this.rec(this.nameOf(n));
    const e = r.endpoint;
    return { host: e.host, port: e.port, user: e.user, password: e.password, database: e.database, ...(r.managed ? { ssl: this.ssl() } : {}) };
  }

  clientConfig(n: string | ClusterNode): pg.ClientConfig {
    const r = this.rec(this.nameOf(n));
    return { ...this.adminConfig(r.node.name), host: '127.0.0.1', port: r.node.clientPort };
  }

  clientUrl(n: string | ClusterNode): string {
    const c = this.clientConfig(n);
    const q = this.tls ? `?sslmode=verify-ca&sslrootcert=${encodeURIComponent(this.tls.caFile)}` : '';
    return `postgres://${encodeURIComponent(c.user ?? 'postgres')}:${encodeURIComponent(String(c.password ?? ''))}@127.0.0.1:${c.port}/${encodeURIComponent(c.database ?? 'postgres')}${q}`;
  }

  get passfile(): string {
    return join(this.dir, PASSFILE);
  }

  /** The client URL to show or store: no password, the passfile named instead (libpq and psql read it). */
  publicUrl(n: string | ClusterNode): string {
    const c = this.clientConfig(n);
    const q = new URLSearchParams({ passfile: this.passfile });
    if (this.tls) {
      q.set('sslmode', 'verify-ca');
      q.set('sslrootcert', this.tls.caFile);
    }
    return `postgres://${encodeURIComponent(c.user ?? 'postgres')}@127.0.0.1:${c.port}/${encodeURIComponent(c.database ?? 'postgres')}?${q.toString()}`;
  }

  /** One passfile line per port a client or faultline connects to (client proxies, and the servers). */
  writePassfile(): void {
    const entries: PassEntry[] = [];
    for (const r of this.recs.values()) {
      const admin = this.adminConfig(r.node.name);
      const user = admin.user ?? 'postgres';
      const password = String(admin.password ?? '');
      registerSecret(password);
      entries.push({ host: '127.0.0.1', port: String(r.node.clientPort), database: '*', user, password });
      if (r.managed) entries.push({ host: r.endpoint.host, port: String(r.node.port), database: '*', user, password });
    }
    writePassfile(this.passfile, entries);
  }

  primary(): ClusterNode | null {
    return [...this.recs.values()].find((r) => r.node.role === 'primary')?.node ?? null;
  }

  onPrimaryChange(fn: (p: ClusterNode, g: number) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  primaryChanged(name: string): void {
    this.generation++;
    const node = this.node(name);
    for (const fn of this.listeners) {
      try {
        fn(node, this.generation);
      } catch {
        // a listener's error is not the cluster's
      }
    }
  }

  async replConninfo(from: string, to: string, dbname?: string): Promise<string> {
    const a = this.rec(from).node;
    const b = this.rec(to).node;
    if (this.hostSet) {
      // straight to the upstream's host: a partition there is the hosts' packet filters, in force for new links too
      const name = `repl-${from}-${to}`;
      this.direct.set(name, { name, kind: 'repl', from, to, listenPort: b.port, upstreamPort: b.port, wan: a.site !== b.site, direct: true });
      const params: Record<string, string | number> = { host: b.host, port: b.port, user: 'postgres', password: this.password, sslmode: 'disable', connect_timeout: 10 };
      if (dbname) params.dbname = dbname;
      else params.application_name = from;
      return conninfo(params);
    }
    const link = await this.plane.ensure({
      name: `repl-${from}-${to}`,
      kind: 'repl',
      from,
      to,
      upstreamHost: b.host,
      upstreamPort: b.port,
      wan: a.site !== b.site,
    });
    for (const rule of this.cutRules) {
      if ((rule.a.has(from) && rule.b.has(to)) || (rule.b.has(from) && rule.a.has(to))) await this.plane.cut([link.name], rule.mode);
    }
    const params: Record<string, string | number> = { host: '127.0.0.1', port: link.listenPort, user: 'postgres', password: this.password };
    if (dbname) params.dbname = dbname;
    else params.application_name = from;
    if (this.tls) {
      params.sslmode = 'verify-ca';
      params.sslrootcert = this.tls.caFile;
    } else {
      params.sslmode = 'disable';
    }
    return conninfo(params);
  }

  async writeConfig(rec: NodeRec, upstream: string | null): Promise<void> {
    const p = rec.process;
    const host = this.placed.get(rec.node.name);
    const standby = upstream ? { primaryConninfo: await this.replConninfo(rec.node.name, upstream), slot: rec.node.name } : null;
    // three files at once (on a host each is a round trip)
    await Promise.all([
      p.writeFile(
        'postgresql.conf',
        postgresqlConf({
          port: rec.node.port,
          topology: this.topo.nodeSettings?.(this.plan, rec.node.name) ?? {},
          tls: this.tls,
          extra: this.opts.settings ?? {},
          ...(host ? { listen: { address: host.address, socketDir: host.dir } } : {}),
        }),
      ),
      p.writeFile('pg_hba.conf', hbaConf(this.tls !== null, this.hostSet?.sources())),
      p.writeFile('postgresql.auto.conf', autoConf(standby)),
    ]);
  }

  async startServer(rec: NodeRec): Promise<void> {
    await rec.process.start(this.adminConfig(rec.node.name));
  }

  persist(): void {
    try {
      // no password: `cluster status` and `repair` read it from the passfile beside this file
      const state = { ...this.describe(), passfile: PASSFILE, caFile: this.tls?.caFile ?? null, adminPorts: Object.fromEntries(this.nodes.map((n) => [n.name, n.port])) };
      writeFileSync(join(this.dir, 'cluster.json'), JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
    } catch {
      // the run directory may be gone during stop
    }
  }

  register(): void {
    this.unregister = onCleanup(() => this.stop());
  }

  // ---- node control -------------------------------------------------------------------------------------------

  async start(name: string): Promise<void> {
    const r = this.rec(name);
    if (r.process.running) return;
    if (r.needsReclone && this.rt.rejoin) await this.rt.rejoin(r);
    else await this.startServer(r);
    this.persist();
  }

  async stopNode(name: string): Promise<void> {
    await this.rec(name).process.stop();
    this.persist();
  }

  async kill(name: string): Promise<void> {
    await this.rec(name).process.kill();
    this.persist();
  }

  async pause(name: string): Promise<void> {
    await this.rec(name).process.pause();
  }

  async resume(name: string): Promise<void> {
    const r = this.rec(name);
    await r.process.resume();
    if (r.needsReclone && r.node.role === 'standby' && this.rt.rejoin) await this.rt.rejoin(r);
  }

  async restart(name: string): Promise<void> {
    await this.rec(name).process.stop();
    await this.start(name);
  }

  // ---- what the topology decides ------------------------------------------------------------------------------

  async writableNodes(): Promise<ClusterNode[]> {
    return (await this.rt.writable()).map((n) => this.node(n));
  }

  async schemaReady(): Promise<void> {
    await this.rt.schemaReady?.();
  }

  supports(capability: Capability): boolean {
    return this.topo.capabilities(this.plan)[capability] === true;
  }

  capability<K extends keyof CapabilityApi>(capability: K): CapabilityApi[K] {
    const api = this.rt.api[capability];
    if (!api || !this.supports(capability)) {
      const why = this.topo.capabilities(this.plan)[capability];
      throw new Error(`topology ${this.topology} has no ${capability} capability${typeof why === 'string' ? `: ${why}` : ''}`);
    }
    return api as CapabilityApi[K];
  }

  // ---- links --------------------------------------------------------------------------------------------------

  private link(name: string): Link | undefined {
    return this.plane.get(name) ?? this.direct.get(name);
  }

  private select(sel: LinkSelector): string[] {
    const links = this.links;
    if ('links' in sel) {
      for (const n of sel.links) if (!this.link(n)) throw new Error(`no link named ${n}`);
      return [...sel.links];
    }
    if ('isolate' in sel) {
      this.rec(sel.isolate);
      return links
        .filter(
          (l) =>
            (l.kind === 'repl' && (l.from === sel.isolate || l.to === sel.isolate)) ||
            (l.kind === 'dcs' && l.from === sel.isolate) ||
            (sel.includeClient === true && l.kind === 'client' && l.to === sel.isolate),
        )
        .map((l) => l.name);
    }
    if ('kind' in sel) {
      if (sel.node !== undefined) this.rec(sel.node);
      return links.filter((l) => l.kind === sel.kind && (sel.node === undefined || l.from === sel.node || l.to === sel.node)).map((l) => l.name);
    }
    const [a, b] = sel.between;
    // shared links (from `*`, an HA member's one published address) and DCS links are cut on the smaller side: it
    // loses every path into it and its DCS (which stays with the majority)
    const small = a.length <= b.length ? a : b;
    return links
      .filter(
        (l) =>
          (l.kind === 'repl' && ((a.includes(l.from) && b.includes(l.to)) || (b.includes(l.from) && a.includes(l.to)))) ||
          (l.kind === 'repl' && l.from === '*' && small.includes(l.to)) ||
          (l.kind === 'dcs' && small.includes(l.from)),
      )
      .map((l) => l.name);
  }

  private proxied(names: readonly string[]): string[] {
    return names.filter((n) => this.plane.get(n) !== undefined);
  }

  /**
   * On hosts, the node pairs a selector cuts: every pair across `between`'s sets or around `isolate`d node (a
   * partition of the hosts, whether or not a link joins them yet), else the pairs the selected direct links join.
   */
  private hostPairs(sel: LinkSelector, names: readonly string[]): string[] {
    const pair = (x: string, y: string): string => [x, y].sort().join(' ');
    if ('between' in sel) return sel.between[0].flatMap((x) => sel.between[1].filter((y) => y !== x).map((y) => pair(x, y)));
    if ('isolate' in sel) return [...this.recs.keys()].filter((n) => n !== sel.isolate).map((n) => pair(sel.isolate, n));
    return names.flatMap((n) => {
      const l = this.direct.get(n);
      return l ? [pair(l.from, l.to)] : [];
    });
  }

  /** Installs the pairs cut now as one grudge over the hosts (host → hosts it cannot reach), or heals when none. */
  private async applyHostCuts(): Promise<void> {
    const hosts = this.hostSet!;
    const grudge: Record<string, string[]> = {};
    for (const key of this.hostCuts) {
      const [x, y] = key.split(' ') as [string, string];
      const hx = this.placed.get(x)!.name;
      const hy = this.placed.get(y)!.name;
      (grudge[hx] ??= []).push(hy);
      (grudge[hy] ??= []).push(hx);
    }
    await hosts.cut(grudge);
  }

  async cutLinks(sel: LinkSelector, mode: CutMode = 'blackhole'): Promise<string[]> {
    const names = this.select(sel);
    if (this.hostSet) {
      const pairs = this.hostPairs(sel, names);
      if (pairs.length > 0) {
        if (mode !== 'blackhole') throw new Error(`a partition between hosts drops packets (blackhole); --cut ${mode} is not supported with --hosts`);
        for (const p of pairs) this.hostCuts.add(p);
        await this.applyHostCuts();
      }
      await this.plane.cut(this.proxied(names), mode);
      return names;
    }
    if ('between' in sel) this.cutRules.push({ a: new Set(sel.between[0]), b: new Set(sel.between[1]), mode });
    if ('isolate' in sel) this.cutRules.push({ a: new Set([sel.isolate]), b: new Set([...this.recs.keys()].filter((n) => n !== sel.isolate)), mode });
    await this.plane.cut(names, mode);
    return names;
  }

  async healLinks(sel: LinkSelector): Promise<string[]> {
    const names = this.select(sel);
    if (this.hostSet) {
      const pairs = this.hostPairs(sel, names);
      if (pairs.some((p) => this.hostCuts.has(p))) {
        for (const p of pairs) this.hostCuts.delete(p);
        await this.applyHostCuts();
      }
      await this.plane.heal(this.proxied(names));
      return names;
    }
    if (!('links' in sel)) this.cutRules.length = 0;
    await this.plane.heal(names);
    return names;
  }

  /** Toxics go on the links through proxies (client links; on hosts, replication goes around them). */
  async addToxic(sel: LinkSelector, toxic: LinkToxic): Promise<string[]> {
    const names = this.proxied(this.select(sel));
    await this.plane.addToxic(names, toxic);
    return names;
  }

  async removeToxic(sel: LinkSelector, name: string): Promise<string[]> {
    const names = this.proxied(this.select(sel));
    await this.plane.removeToxic(names, name);
    return names;
  }

  async healAll(): Promise<void> {
    this.cutRules.length = 0;
    if (this.hostSet && this.hostCuts.size > 0) {
      this.hostCuts.clear();
      await this.hostSet.heal();
    }
    await this.plane.healAll();
  }

  filterRules(): string[] {
    return this.hostSet?.rulesInForce() ?? [];
  }

  async fetchLogs(): Promise<void> {
    await Promise.all([...this.recs.values()].map((r) => (r.process instanceof HostServer ? r.process.fetchLog().catch(() => undefined) : undefined)));
  }

  // ---- observation --------------------------------------------------------------------------------------------

  private liveConfig(r: NodeRec): pg.ClientConfig | null {
    if (!r.managed) return this.adminConfig(r.node.name);
    return r.process.running ? this.adminConfig(r.node.name) : null;
  }

  waitForReplication(timeoutMs = 30_000): Promise<boolean> {
    return this.rt.waitForReplication(timeoutMs);
  }

  settle(timeoutMs: number): Promise<Settlement> {
    const nodes = [...this.recs.values()].map((r) => ({ name: r.node.name, state: r.node.state, config: this.adminConfig(r.node.name) }));
    const diagnose = this.rt.diagnose;
    return settle({ nodes, multiWriter: this.topo.multiWriter, ...(diagnose ? { diagnose } : {}) }, timeoutMs);
  }

  async rejoinStale(before?: (nodes: string[]) => void): Promise<string[]> {
    const rejoin = this.rt.rejoin;
    if (!rejoin) return [];
    const stale = [...this.recs.values()].filter((r) => r.needsReclone && r.process.running && !r.process.paused && r.node.role === 'standby');
    if (stale.length > 0) before?.(stale.map((r) => r.node.name));
    for (const r of stale) await rejoin(r);
    if (stale.length > 0) this.persist();
    return stale.map((r) => r.node.name);
  }

  snapshot(tables: readonly string[], opts?: { maxDiffering?: number }): Promise<TableSnapshot[]> {
    const nodes = [...this.recs.values()].map((r) => ({ name: r.node.name, config: this.liveConfig(r) }));
    return snapshotTables(nodes, tables, opts?.maxDiffering);
  }

  startSampler(file: string, t0Ns: bigint): Sampler {
    const nodes = (): SampledNode[] =>
      [...this.recs.values()].map((r) => ({ name: r.node.name, role: r.node.role, config: this.liveConfig(r) }));
    const s = startSampler(file, t0Ns, nodes);
    this.samplers.add(s);
    return {
      stop: async () => {
        this.samplers.delete(s);
        await s.stop();
      },
    };
  }

  describe(): ClusterDescription {
    return {
      topology: this.topology,
      dir: this.dir,
      pgVersion: this.pgVersion,
      tls: this.tls !== null,
      toxiproxyUrl: this.plane.url,
      passfile: this.passfile,
      sites: this.hostSet ? new Set(this.nodes.map((n) => n.site)).size : (this.opts.sites ?? 1),
      wanLatencyMs: this.opts.wanLatencyMs ?? 0,
      syncCommit: (this.plan.settings.syncCommit ?? null) as ClusterDescription['syncCommit'],
      syncStandbys: (this.plan.settings.syncStandbys ?? null) as string | null,
      primary: this.primary()?.name ?? null,
      generation: this.generation,
      nodes: this.nodes.map((n) => ({
        name: n.name,
        site: n.site,
        role: n.role,
        state: n.state,
        port: n.port,
        clientPort: n.clientPort,
        pid: n.pid,
        clientUrl: this.publicUrl(n),
        ...(this.placed.has(n.name) ? { host: this.placed.get(n.name)!.name, address: this.placed.get(n.name)!.address } : {}),
      })),
      links: this.plane.all(),
    };
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.unregister();
      await Promise.all([...this.samplers].map((s) => s.stop().catch(() => undefined)));
      // only the servers faultline runs: an attached node's stop command is a fault, not a clean-up
      await Promise.all([...this.recs.values()].filter((r) => r.managed).map((r) => r.process.stop().catch(() => r.process.kill()).catch(() => undefined)));
      if (this.running?.stop) await this.running.stop().catch(() => undefined);
      if (this.keep) await this.fetchLogs(); // a kept cluster directory holds each host's server log
      await this.plane.close().catch(() => undefined);
      // on hosts: heal, and remove the run directories there (unless kept)
      await this.hostSet?.close();
      if (!this.keep) rmSync(this.dir, { recursive: true, force: true });
      for (const r of this.recs.values()) forgetSecret(String(this.adminConfig(r.node.name).password ?? ''));
    })();
    return this.stopping;
  }
}

/**
 * The cluster's directory: `dir` as given (the server user must reach it); `keepLink` when the server user can
 * reach it, else a kept temporary directory with a symbolic link at `keepLink`; else a fresh temporary directory.
 */
function runDir(opts: ClusterOptions, user: OsUser | null): string {
  const fix = 'choose a directory below one that others can traverse';
  if (opts.dir) {
    const dir = resolve(opts.dir);
    if (user) assertReachable(user, dir, `--dir ${dir}`, fix);
    return dir;
  }
  const link = opts.keepLink ? resolve(opts.keepLink) : null;
  if (link && (!user || canReach(user, dirname(link)))) return link;
  const base = defaultRunBase();
  if (user) {
    const what = process.env.FAULTLINE_TMPDIR ? `FAULTLINE_TMPDIR=${base}` : `the temporary directory ${base}`;
    assertReachable(user, base, what, `set FAULTLINE_TMPDIR to a directory that others can traverse (e.g. /var/tmp)`);
  }
  sweepStaleTempDirs(base);
  makeDirs(base);
  const dir = mkdtempSync(join(base, TEMP_PREFIX));
  if (link) symlinkSync(dir, link);
  return dir;
}

/** Where a planned node's server runs: on this machine, or on a host of the hosts file. */
type Where = { local: { bins: PgBinaries; user: OsUser } } | { host: NodeHost; hosts: HostSet };

/** A PostgreSQL server faultline runs for a planned node: a child process here, or PostgreSQL on its host over SSH. */
function makeServer(name: string, dir: string, port: number, where: Where): NodeProcess {
  if ('local' in where) return new PgServer({ name, dir: join(dir, name), port, bins: where.local.bins, user: where.local.user });
  const h = where.host;
  return new HostServer({ name, remote: where.hosts.remote(h.name), pgBin: h.pgBin, pgUser: h.pgUser, address: h.address, port, dir: h.dir, localLog: join(dir, name, 'server.log') });
}

/** The host of each placed node, with its directory inside the run's directory there. */
function nodeHosts(placement: HostPlacement, hosts: HostSet): Map<string, NodeHost> {
  const out = new Map<string, NodeHost>();
  for (const [node, h] of placement.nodes) {
    out.set(node, { name: h.name, site: h.site, address: hosts.address(h.name), dir: `${hosts.runDir(h.name)}/${node}`, pgBin: h.pgBin, pgUser: h.pgUser, remote: hosts.remote(h.name) });
  }
  return out;
}

/** Starts a cluster of the given topology; on failure everything already started is stopped again. */
export async function startCluster(opts: ClusterOptions): Promise<Cluster> {
  const { topology: topo, plan, placement } = resolveCluster(opts);
  const user = !placement && plan.nodes.some((n) => !n.attached) ? serverUser(opts.osUser) : null;
  const bins = user ? binariesFor(user, opts.pgBin) : null;
  const keep = opts.keep === true || opts.dir !== undefined || opts.keepLink !== undefined;
  const dir = runDir(opts, user);
  makeDirs(dir);
  chmodSync(dir, 0o755);
  if (!opts.dir && !keep) claimTempDir(dir);
  const password = randomBytes(18).toString('hex');
  registerSecret(password); // from here on, redactSecrets() removes it from whatever faultline writes
  let plane: LinkPlane | null = null;
  let cluster: ClusterImpl | null = null;
  let hosts: HostSet | null = null;
  const servers = new Map<string, NodeProcess>();
  try {
    // on hosts: the preflight (exit 69 naming the host and the step), the run's directories, stale ones swept
    if (placement) {
      // a node not initialised is cloned (and failover re-clones): pg_basebackup on its host
      const clones = plan.nodes.some((n) => !n.attached && !plan.initdb.includes(n.name)) || topo.capabilities(plan).promote === true;
      hosts = await HostSet.open(placement, { partitions: opts.partitions === true, keep, tools: clones ? ['pg_basebackup'] : [] });
    }
    const placed = placement && hosts ? nodeHosts(placement, hosts) : new Map<string, NodeHost>();
    const specs = await Promise.all(
      plan.nodes.map(async (n) => {
        const h = placed.get(n.name);
        if (h && hosts) return { n, site: h.site, host: h.address, port: await hosts.freePort(h.name) };
        return { n, site: n.site, host: n.attached?.endpoint.host ?? '127.0.0.1', port: n.attached?.endpoint.port || (await freePort()) };
      }),
    );
    // an attached node planned with port 0 (an HA member whose manager starts postgres later) gets a free one
    for (const s of specs) if (s.n.attached && s.n.attached.endpoint.port === 0) s.n.attached.endpoint.port = s.port;
    for (const s of specs) {
      if (s.n.attached) continue;
      const h = placed.get(s.n.name);
      servers.set(s.n.name, makeServer(s.n.name, dir, s.port, h && hosts ? { host: h, hosts } : { local: { bins: bins!, user: user! } }));
    }
    // initdb (the slow part) runs while the proxy server starts
    const initdbs = Promise.all(plan.initdb.map((name) => servers.get(name)!.initdb(password)));
    initdbs.catch(() => undefined);
    const planeP = LinkPlane.open({ toxiproxyUrl: opts.toxiproxyUrl, logFile: join(dir, 'proxy.log'), wanLatencyMs: opts.wanLatencyMs ?? 0 });
    planeP.then((p) => (plane = p)).catch(() => undefined);
    const tls = opts.tls && user ? await makeTls(dir, user) : null;
    plane = await planeP;
    await initdbs;
    cluster = new ClusterImpl(opts, dir, keep, bins, password, tls, plane, topo, plan, hosts);
    cluster.register();
    for (const [name, h] of placed) cluster.place(name, h);
    for (const { n, site, host, port } of specs) {
      const link = await plane.ensure({ name: `client-${n.name}`, kind: 'client', from: 'client', to: n.name, upstreamHost: host, upstreamPort: port, wan: false });
      const process = n.attached?.process ?? servers.get(n.name)!;
      const endpoint = n.attached?.endpoint ?? { host, port, user: 'postgres', password, database: 'postgres' };
      const node = new Node(n.name, site, host, port, link.listenPort, process, n.attached?.role ?? 'standby');
      cluster.recs.set(n.name, { node, process, endpoint, managed: !n.attached, upstream: null, needsReclone: false });
    }
    cluster.writePassfile();
    cluster.running = await topo.start(cluster, plan);
    cluster.persist();
    return cluster;
  } catch (err) {
    await Promise.all([...servers.values()].map((s) => (s instanceof HostServer ? s.fetchLog().catch(() => undefined) : undefined)));
    const kept = opts.logDir ? keepLogs(opts.logDir, dir, [...servers.values()]) : null;
    if (cluster) await cluster.stop().catch(() => undefined);
    else {
      forgetSecret(password);
      await (plane as LinkPlane | null)?.close().catch(() => undefined);
      await (hosts as HostSet | null)?.close();
      if (!keep) rmSync(dir, { recursive: true, force: true });
    }
    if (kept && err instanceof Error) err.message = `${err.message} (server logs: ${kept})`;
    throw err;
  }
}

/**
 * Copies what explains a failed start out of the cluster directory (removed next), redacted, 0600; best effort,
 * returns `to` or null.
 */
function keepLogs(to: string, dir: string, servers: readonly NodeProcess[]): string | null {
  let any = false;
  const put = (name: string, text: () => string): void => {
    try {
      makeDirs(to);
      writeFileSync(join(to, name), redactSecrets(text()), { mode: 0o600 });
      any = true;
    } catch {
      // the results disk may be full too: the message still says what failed
    }
  };
  for (const s of servers) {
    const log = s.logFile;
    if (log && existsSync(log)) put(`${s.name}.log`, () => readFileSync(log, 'utf8'));
    const out = s.initdbOutput;
    if (out) put(`${s.name}-initdb.log`, () => out);
  }
  const proxyLog = join(dir, 'proxy.log');
  if (existsSync(proxyLog)) put('proxy.log', () => readFileSync(proxyLog, 'utf8'));
  return any ? to : null;
}

/** Starts a cluster, runs `fn`, and always stops the cluster (also when `fn` throws). */
export async function withCluster<T>(opts: ClusterOptions, fn: (cluster: Cluster) => Promise<T>): Promise<T> {
  const cluster = await startCluster(opts);
  try {
    return await fn(cluster);
  } finally {
    await cluster.stop();
  }
}
