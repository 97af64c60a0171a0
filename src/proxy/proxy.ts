// One proxy: its listener, its open links and its toxics (upstream and downstream, insertion order).
// Toxic changes reach open links at once; disabling closes the listener and every link. Toxicity is drawn
// per link where Toxiproxy draws it: when the link opens, for a toxic that is updated, and for the toxic
// just before one added to or removed from the same direction (Toxiproxy restarts those, and every restart
// draws again).
import { createServer, type Server, type Socket } from 'node:net';
import { formatHostPort, netHost, parseHostPort, type HostPort } from './address.js';
import { badRequest, conflict, internal, notFound } from './errors.js';
import { Link } from './link.js';
import { toxicJson, type ProxyJson, type ToxicJson, type ToxicModel } from './model.js';

export interface ProxyConfig {
  name: string;
  listen: string;
  upstream: string;
  enabled: boolean;
}

/** The source of toxicity draws, uniform in [0, 1): a toxic applies to a link when a draw is below its toxicity. */
export type Random = () => number;

/** Formats a listen error the way Go's net.Listen does (`listen tcp ADDR: bind: address already in use`). */
function bindError(addr: string, err: NodeJS.ErrnoException): string {
  if (err.code === 'EADDRINUSE') return `listen tcp ${addr}: bind: address already in use`;
  if (err.code === 'EADDRNOTAVAIL') return `listen tcp ${addr}: bind: cannot assign requested address`;
  if (err.code === 'EACCES') return `listen tcp ${addr}: bind: permission denied`;
  return `listen tcp ${addr}: ${err.message}`;
}

export class ProxyInstance {
  readonly name: string;
  listen: string;
  /** The listen address as first requested (before `localhost:0` became `127.0.0.1:PORT`). */
  readonly requestedListen: string;
  upstream: string;
  enabled = false;
  /** null when the upstream is not host:port: connections are accepted and closed, as in Toxiproxy */
  private target: HostPort | null;
  private server: Server | null = null;
  private readonly links = new Set<Link>();
  private toxicList: ToxicModel[] = [];

  constructor(
    cfg: ProxyConfig,
    private readonly random: Random = Math.random,
  ) {
    this.name = cfg.name;
    this.listen = cfg.listen;
    this.requestedListen = cfg.listen;
    this.upstream = cfg.upstream;
    this.target = dialable(cfg.upstream);
  }

  get connections(): number {
    return this.links.size;
  }

  json(): ProxyJson {
    return { name: this.name, listen: this.listen, upstream: this.upstream, enabled: this.enabled, Logger: {}, toxics: this.toxicsJson() };
  }

  /** Upstream toxics first, then downstream, each in insertion order. */
  toxicsJson(): ToxicJson[] {
    const up = this.toxicList.filter((t) => t.direction === 'upstream');
    const down = this.toxicList.filter((t) => t.direction === 'downstream');
    return [...up, ...down].map(toxicJson);
  }

  /** Binds the listener; rewrites `listen` to the bound address. Throws a 500 ApiError on bind errors. */
  async start(): Promise<void> {
    if (this.server) return;
    const hp = parseHostPort(this.listen);
    if (!hp) throw badRequest(`invalid listen address: ${this.listen}`);
    const server = createServer({ allowHalfOpen: true, noDelay: true }, (sock) => this.accept(sock));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: netHost(hp.host), port: hp.port }, () => {
        server.off('error', reject);
        resolve();
      });
    }).catch((err: NodeJS.ErrnoException) => {
      throw internal(bindError(this.listen, err));
    });
    server.on('error', () => {}); // after listening: nothing to report to
    const addr = server.address();
    if (addr && typeof addr === 'object') this.listen = formatHostPort(addr.address, addr.port);
    this.server = server;
    this.enabled = true;
  }

  /** Closes the listener (new connects refused) and every open connection (FIN). */
  async stop(): Promise<void> {
    this.enabled = false;
    const server = this.server;
    this.server = null;
    this.closeLinks();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  closeLinks(): void {
    for (const l of [...this.links]) l.close();
  }

  /** Changes the upstream (open connections are closed, as on a restart). */
  setUpstream(upstream: string): void {
    this.upstream = upstream;
    this.target = dialable(upstream);
    this.closeLinks();
  }

  findToxic(name: string): ToxicModel {
    const t = this.toxicList.find((x) => x.name === name);
    if (!t) throw notFound('toxic not found');
    return t;
  }

  /** The toxic before `t` in its direction's chain (insertion order), if any. */
  private before(t: ToxicModel): ToxicModel | null {
    const chain = this.toxicList.filter((x) => x.direction === t.direction);
    const i = chain.indexOf(t);
    return i > 0 ? (chain[i - 1] ?? null) : null;
  }

  addToxic(t: ToxicModel): void {
    if (this.toxicList.some((x) => x.name === t.name)) throw conflict('toxic already exists');
    this.toxicList.push(t);
    const prev = this.before(t);
    for (const l of this.links) {
      l.draw(t);
      if (prev) l.draw(prev);
    }
    this.refreshLinks();
  }

  removeToxic(name: string): void {
    const t = this.findToxic(name);
    const prev = this.before(t);
    this.toxicList = this.toxicList.filter((x) => x !== t);
    for (const l of this.links) {
      l.forget(t);
      if (prev) l.draw(prev);
    }
    this.refreshLinks();
  }

  removeAllToxics(): void {
    for (const l of this.links) for (const t of this.toxicList) l.forget(t);
    this.toxicList = [];
    this.refreshLinks();
  }

  /** Applies an update to a toxic already present: attributes merged, toxicity replaced, drawn again per link. */
  updateToxic(t: ToxicModel, attributes: Record<string, number>, toxicity: number | undefined): void {
    Object.assign(t.attributes, attributes);
    if (toxicity !== undefined) t.toxicity = toxicity;
    for (const l of this.links) l.draw(t);
    this.refreshLinks();
    for (const l of this.links) l.updated(t);
  }

  private refreshLinks(): void {
    for (const l of [...this.links]) l.refresh();
  }

  private accept(sock: Socket): void {
    if (!this.enabled) {
      sock.destroy();
      return;
    }
    if (!this.target) {
      // Toxiproxy cannot dial such an upstream either: it closes the client
      sock.resume();
      sock.end();
      return;
    }
    const link = new Link(sock, this.target, () => this.toxicList, (l) => this.links.delete(l), this.random);
    this.links.add(link);
  }
}

/** The upstream as host:port to connect to, or null when it is not one (any text is accepted as upstream). */
function dialable(upstream: string): HostPort | null {
  const hp = parseHostPort(upstream);
  return hp && hp.port > 0 ? hp : null;
}
