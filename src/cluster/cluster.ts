// startCluster(): builds the run directory, nodes, links and topology, and returns the Cluster handle the runner
// programs against (node control, link faults, failover, snapshots, sampling, describe, stop). The password
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
import { parseExternalFile, runExternalCommand, type ExternalNodeSpec } from './external.js';
import { failover, rejoin } from './failover.js';
import type { ClusterCtx, NodeRec } from './internal.js';
import { LinkPlane } from './links.js';
import { setupLogical, subscribeAll } from './logical.js';
import { serverUser, type OsUser } from './osuser.js';
import { assertReachable, canReach } from './reach.js';
import { startSampler, type SampledNode } from './sampler.js';
import { PgServer } from './server.js';
import { settle } from './settle.js';
import { snapshotTables } from './snapshot.js';
import { lsn, poll, query } from './sql.js';
import { setupSingle, setupStreaming } from './streaming.js';
import { makeTls, type TlsMaterial } from './tls.js';
import { defaultRunBase, siteName, validate, type ResolvedSync } from './options.js';
import { claimTempDir, sweepStaleTempDirs, TEMP_PREFIX } from './stale.js';
import {
  type Cluster,
  type ClusterDescription,
  type ClusterNode,
  type ClusterOptions,
  type CutMode,
  type FailoverResult,
  type Link,
  type LinkSelector,
  type LinkToxic,
  type NodeRole,
  type NodeState,
  type Sampler,
  type Settlement,
  type TableSnapshot,
  type TopologyName,
} from './types.js';

class Node implements ClusterNode {
  role: NodeRole;
  externalState: NodeState = 'running';
  constructor(
    readonly name: string,
    readonly site: string,
    readonly host: string,
    readonly port: number,
    readonly clientPort: number,
    readonly server: PgServer | null,
    role: NodeRole,
  ) {
    this.role = role;
  }
  get state(): NodeState {
    if (!this.server) return this.externalState;
    if (this.server.running) return this.server.paused ? 'paused' : 'running';
    return this.server.downReason;
  }
  get pid(): number | null {
    return this.server?.pid ?? null;
  }
  get logFile(): string | null {
    return this.server?.logFile ?? null;
  }
}

class ClusterImpl implements Cluster, ClusterCtx {
  readonly recs = new Map<string, NodeRec>();
  generation = 0;
  private readonly listeners = new Set<(p: ClusterNode, g: number) => void>();
  private readonly samplers = new Set<Sampler>();
  private readonly cutRules: { a: Set<string>; b: Set<string>; mode: CutMode }[] = [];
  private stopping: Promise<void> | null = null;
  private unregister: () => void = () => undefined;

  constructor(
    readonly opts: ClusterOptions,
    readonly dir: string,
    private readonly keep: boolean,
    readonly bins: PgBinaries | null,
    readonly user: OsUser | null,
    readonly password: string,
    readonly tls: TlsMaterial | null,
    readonly plane: LinkPlane,
    private readonly sync: ResolvedSync | null,
  ) {}

  get topology(): TopologyName {
    return this.opts.topology;
  }
  get nodes(): ClusterNode[] {
    return [...this.recs.values()].map((r) => r.node);
  }
  get links(): Link[] {
    return this.plane.all();
  }
  get toxiproxyUrl(): string {
    return this.plane.url;
  }
  get pgVersion(): string {
    return this.bins?.version ?? 'external';
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
    const ext = r.external;
    if (ext) return { host: ext.host, port: ext.port, user: ext.user, password: ext.password, database: ext.database };
    return { host: '127.0.0.1', port: r.node.port, user: 'postgres', password: this.password, database: 'postgres', ssl: this.ssl() };
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
      if (!r.external) entries.push({ host: '127.0.0.1', port: String(r.node.port), database: '*', user, password });
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

  private syncNamesFor(name: string): string {
    if (!this.sync) return '';
    const others = [...this.recs.keys()].filter((n) => n !== name);
    return `${this.sync.method} ${this.sync.k} (${others.join(', ')})`;
  }

  async writeConfig(rec: NodeRec, upstream: string | null): Promise<void> {
    const server = rec.server!;
    server.writeDataFile(
      'postgresql.conf',
      postgresqlConf({
        port: rec.node.port,
        syncStandbyNames: this.syncNamesFor(rec.node.name),
        syncCommit: this.sync?.commit ?? 'on',
        tls: this.tls,
        extra: this.opts.settings ?? {},
      }),
    );
    server.writeDataFile('pg_hba.conf', hbaConf(this.tls !== null));
    const standby = upstream ? { primaryConninfo: await this.replConninfo(rec.node.name, upstream), slot: rec.node.name } : null;
    server.writeDataFile('postgresql.auto.conf', autoConf(standby));
  }

  async startServer(rec: NodeRec): Promise<void> {
    await rec.server!.start(this.adminConfig(rec.node.name));
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

  private async external(name: string, cmd: 'kill' | 'start' | 'stop' | 'pause' | 'resume', state: NodeState): Promise<boolean> {
    const r = this.rec(name);
    if (!r.external) return false;
    await runExternalCommand(r.external, cmd);
    (r.node as Node).externalState = state;
    return true;
  }

  async start(name: string): Promise<void> {
    if (await this.external(name, 'start', 'running')) return;
    const r = this.rec(name);
    if (r.server!.running) return;
    if (r.needsReclone) await rejoin(this, r);
    else await this.startServer(r);
    this.persist();
  }

  async stopNode(name: string): Promise<void> {
    if (await this.external(name, 'stop', 'stopped')) return;
    await this.rec(name).server!.stop();
    this.persist();
  }

  async kill(name: string): Promise<void> {
    if (await this.external(name, 'kill', 'killed')) return;
    await this.rec(name).server!.kill();
    this.persist();
  }

  async pause(name: string): Promise<void> {
    if (await this.external(name, 'pause', 'paused')) return;
    this.rec(name).server!.pause();
  }

  async resume(name: string): Promise<void> {
    if (await this.external(name, 'resume', 'running')) return;
    const r = this.rec(name);
    r.server!.resume();
    if (r.needsReclone && r.node.role === 'standby') await rejoin(this, r);
  }

  async restart(name: string): Promise<void> {
    const r = this.rec(name);
    if (r.external) {
      await this.external(name, 'stop', 'stopped');
      await this.external(name, 'start', 'running');
      return;
    }
    await r.server!.stop();
    await this.start(name);
  }

  async failover(opts?: { candidate?: string; timeoutMs?: number }): Promise<FailoverResult> {
    if (!this.topology.startsWith('streaming')) throw new Error(`failover applies to the streaming topologies, not ${this.topology}`);
    const r = await failover(this, opts);
    return { ...r, generation: this.generation };
  }

  async subscribeAll(): Promise<void> {
    if (this.topology !== 'logical-bidir') throw new Error(`subscribeAll applies to logical-bidir, not ${this.topology}`);
    await subscribeAll(this);
  }

  // ---- links --------------------------------------------------------------------------------------------------

  private select(sel: LinkSelector): string[] {
    const links = this.plane.all();
    if ('links' in sel) {
      for (const n of sel.links) if (!this.plane.get(n)) throw new Error(`no link named ${n}`);
      return [...sel.links];
    }
    if ('isolate' in sel) {
      this.rec(sel.isolate);
      return links
        .filter((l) => (l.kind === 'repl' && (l.from === sel.isolate || l.to === sel.isolate)) || (sel.includeClient === true && l.kind === 'client' && l.to === sel.isolate))
        .map((l) => l.name);
    }
    const [a, b] = sel.between;
    return links.filter((l) => l.kind === 'repl' && ((a.includes(l.from) && b.includes(l.to)) || (b.includes(l.from) && a.includes(l.to)))).map((l) => l.name);
  }

  async cutLinks(sel: LinkSelector, mode: CutMode = 'blackhole'): Promise<string[]> {
    const names = this.select(sel);
    if ('between' in sel) this.cutRules.push({ a: new Set(sel.between[0]), b: new Set(sel.between[1]), mode });
    if ('isolate' in sel) this.cutRules.push({ a: new Set([sel.isolate]), b: new Set([...this.recs.keys()].filter((n) => n !== sel.isolate)), mode });
    await this.plane.cut(names, mode);
    return names;
  }

  async healLinks(sel: LinkSelector): Promise<string[]> {
    const names = this.select(sel);
    if (!('links' in sel)) this.cutRules.length = 0;
    await this.plane.heal(names);
    return names;
  }

  async addToxic(sel: LinkSelector, toxic: LinkToxic): Promise<string[]> {
    const names = this.select(sel);
    await this.plane.addToxic(names, toxic);
    return names;
  }

  async removeToxic(sel: LinkSelector, name: string): Promise<string[]> {
    const names = this.select(sel);
    await this.plane.removeToxic(names, name);
    return names;
  }

  async healAll(): Promise<void> {
    this.cutRules.length = 0;
    await this.plane.healAll();
  }

  // ---- observation --------------------------------------------------------------------------------------------

  private liveConfig(r: NodeRec): pg.ClientConfig | null {
    if (r.external) return this.adminConfig(r.node.name);
    return r.server?.running ? this.adminConfig(r.node.name) : null;
  }

  async waitForReplication(timeoutMs = 30_000): Promise<boolean> {
    const recs = [...this.recs.values()].filter((r) => !r.external && r.server?.running && !r.server.paused);
    if (this.topology === 'logical-bidir') {
      const targets = await Promise.all(
        recs.map(async (r) => ({ name: r.node.name, at: lsn((await query<{ l: string }>(this.adminConfig(r.node.name), 'SELECT pg_current_wal_lsn()::text AS l'))[0]!.l)! })),
      );
      return poll(async () => {
        for (const t of targets) {
          const rows = await query<{ l: string | null }>(this.adminConfig(t.name), "SELECT confirmed_flush_lsn::text AS l FROM pg_replication_slots WHERE slot_type = 'logical'");
          if (rows.some((row) => (lsn(row.l) ?? 0n) < t.at)) return false;
        }
        return true;
      }, timeoutMs, 100);
    }
    const p = recs.find((r) => r.node.role === 'primary');
    if (!p) return false;
    // A transaction that committed while a standby was being cloned can stay invisible there until the next
    // running-xacts record (up to 15 s): log one now, so "replayed up to here" also means "sees it".
    await query(this.adminConfig(p.node.name), 'SELECT pg_log_standby_snapshot()').catch(() => query(this.adminConfig(p.node.name), 'CHECKPOINT'));
    const at = lsn((await query<{ l: string }>(this.adminConfig(p.node.name), 'SELECT pg_current_wal_lsn()::text AS l'))[0]!.l)!;
    const standbys = recs.filter((r) => r.node.role === 'standby' && !r.needsReclone);
    return poll(async () => {
      for (const s of standbys) {
        // both: right after a re-clone, pg_last_wal_replay_lsn() can already report the backup's end
        // (past what was received), so replay alone does not prove the standby holds the primary's WAL
        const rows = await query<{ rcv: string | null; rep: string | null }>(
          this.adminConfig(s.node.name),
          'SELECT pg_last_wal_receive_lsn()::text AS rcv, pg_last_wal_replay_lsn()::text AS rep',
        );
        if ((lsn(rows[0]!.rcv) ?? 0n) < at || (lsn(rows[0]!.rep) ?? 0n) < at) return false;
      }
      return true;
    }, timeoutMs, 50);
  }

  settle(timeoutMs: number): Promise<Settlement> {
    const nodes = [...this.recs.values()].map((r) => ({ name: r.node.name, state: r.node.state, config: this.adminConfig(r.node.name) }));
    return settle({ topology: this.topology, nodes }, timeoutMs);
  }

  async rejoinStale(before?: (nodes: string[]) => void): Promise<string[]> {
    const stale = [...this.recs.values()].filter((r) => r.needsReclone && r.server?.running && !r.server.paused && r.node.role === 'standby');
    if (stale.length > 0) before?.(stale.map((r) => r.node.name));
    for (const r of stale) await rejoin(this, r);
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
      sites: this.opts.sites ?? 1,
      wanLatencyMs: this.opts.wanLatencyMs ?? 0,
      syncCommit: this.sync ? (this.sync.commit as ClusterDescription['syncCommit']) : null,
      syncStandbys: this.sync ? `${this.sync.method} ${this.sync.k}` : null,
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
      })),
      links: this.plane.all(),
    };
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.unregister();
      await Promise.all([...this.samplers].map((s) => s.stop().catch(() => undefined)));
      await Promise.all([...this.recs.values()].map((r) => r.server?.stop().catch(() => r.server?.kill())));
      await this.plane.close().catch(() => undefined);
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

/** Starts a cluster of the given topology; on failure everything already started is stopped again. */
export async function startCluster(opts: ClusterOptions): Promise<Cluster> {
  const { count, sync } = validate(opts);
  const external = opts.topology === 'external' ? parseExternalFile(opts.externalFile!) : null;
  const user = external ? null : serverUser(opts.osUser);
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
  let servers: Map<string, PgServer> | null = null;
  try {
    const sites = opts.sites ?? 1;
    const specs: { name: string; site: string; host: string; port: number; ext: ExternalNodeSpec | null }[] = external
      ? external.map((e) => ({ name: e.name, site: e.site, host: e.host, port: e.port, ext: e }))
      : await Promise.all(Array.from({ length: count }, async (_, i) => ({ name: `n${i + 1}`, site: siteName(i, sites), host: '127.0.0.1', port: await freePort(), ext: null })));
    servers = new Map(specs.filter((s) => !s.ext).map((s) => [s.name, new PgServer({ name: s.name, dir: join(dir, s.name), port: s.port, bins: bins!, user: user! })]));
    // initdb (the slow part) runs while the proxy server starts
    const fresh = opts.topology === 'logical-bidir' ? [...servers.values()] : [...servers.values()].slice(0, 1);
    const initdbs = Promise.all(fresh.map((s) => s.initdb(password)));
    initdbs.catch(() => undefined);
    const planeP = LinkPlane.open({ toxiproxyUrl: opts.toxiproxyUrl, logFile: join(dir, 'proxy.log'), wanLatencyMs: opts.wanLatencyMs ?? 0 });
    planeP.then((p) => (plane = p)).catch(() => undefined);
    const tls = opts.tls && user ? await makeTls(dir, user) : null;
    plane = await planeP;
    await initdbs;
    cluster = new ClusterImpl(opts, dir, keep, bins, user, password, tls, plane, sync);
    cluster.register();
    for (const s of specs) {
      const link = await plane.ensure({ name: `client-${s.name}`, kind: 'client', from: 'client', to: s.name, upstreamHost: s.host, upstreamPort: s.port, wan: false });
      const server = servers.get(s.name) ?? null;
      const role: NodeRole = s.ext ? s.ext.role : 'standby';
      cluster.recs.set(s.name, { node: new Node(s.name, s.site, s.host, s.port, link.listenPort, server, role), server, external: s.ext, upstream: null, needsReclone: false });
    }
    cluster.writePassfile();
    switch (opts.topology) {
      case 'single':
        await setupSingle(cluster);
        break;
      case 'streaming-async':
      case 'streaming-sync':
        await setupStreaming(cluster);
        break;
      case 'logical-bidir':
        await setupLogical(cluster);
        break;
      case 'external':
        break;
    }
    cluster.persist();
    return cluster;
  } catch (err) {
    const kept = opts.logDir ? keepLogs(opts.logDir, dir, [...(servers?.values() ?? [])]) : null;
    if (cluster) await cluster.stop().catch(() => undefined);
    else {
      forgetSecret(password);
      await (plane as LinkPlane | null)?.close().catch(() => undefined);
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
function keepLogs(to: string, dir: string, servers: readonly PgServer[]): string | null {
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
    if (existsSync(s.logFile)) put(`${s.spec.name}.log`, () => readFileSync(s.logFile, 'utf8'));
    if (s.initdbOutput) put(`${s.spec.name}-initdb.log`, () => s.initdbOutput!);
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
