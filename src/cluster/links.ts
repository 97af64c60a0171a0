// The link plane: one Toxiproxy proxy per directed TCP path (client→node, node→node replication), driven only
// through toxiproxy-node-client, against the embedded proxy server (a child process) or an external Toxiproxy.
import { Toxiproxy, type ICreateToxicBody } from 'toxiproxy-node-client';
import { freePort, releasePort } from '../util/ports.js';
import { track } from '../util/processes.js';
import { spawnProxyServer } from '../proxy/spawn.js';
import type { CutMode, Link, LinkKind, LinkToxic } from './types.js';

/** Toxics whose name starts with this belong to the topology (WAN latency) and survive healAll. */
export const WAN_PREFIX = 'wan-';
const CUT_PREFIX = 'cut-';

/** The HTTP status of a failed toxiproxy-node-client call (the client only puts it in the message). */
function httpStatus(err: unknown): number | null {
  const m = /status code ([0-9]{3})/.exec((err as Error)?.message ?? '');
  return m ? Number(m[1]) : null;
}

interface ProxyState {
  name: string;
  listen: string;
  upstream: string;
  enabled: boolean;
  toxics: { name: string }[];
}

export interface LinkSpec {
  name: string;
  kind: LinkKind;
  from: string;
  to: string;
  upstreamHost: string;
  upstreamPort: number;
  wan: boolean;
  /** where the link listens when not 127.0.0.1 on a free port (an HA node registered under another loopback address) */
  listenHost?: string;
  listenPort?: number;
}

export class LinkPlane {
  private readonly links = new Map<string, Link>();
  private readonly api: Toxiproxy;

  private constructor(
    readonly url: string,
    private readonly wanLatencyMs: number,
    private readonly stopServer: (() => Promise<void>) | null,
  ) {
    this.api = new Toxiproxy(url);
  }

  /** Connects to `toxiproxyUrl`, or spawns the embedded proxy server (its stderr goes to `logFile`). */
  static async open(opts: { toxiproxyUrl?: string; logFile?: string; wanLatencyMs?: number }): Promise<LinkPlane> {
    if (opts.toxiproxyUrl) {
      const plane = new LinkPlane(opts.toxiproxyUrl.replace(/\/+$/, ''), opts.wanLatencyMs ?? 0, null);
      try {
        await plane.api.getVersion();
      } catch (err) {
        throw new Error(`toxiproxy at ${opts.toxiproxyUrl} does not answer: ${(err as Error).message}`);
      }
      return plane;
    }
    const server = await spawnProxyServer(opts.logFile ? { logFile: opts.logFile } : {});
    const untrack = track({
      name: 'proxy',
      pid: server.pid,
      stop: () => server.stop(),
      killNow: () => {
        try {
          process.kill(server.pid, 'SIGKILL');
        } catch {
          // gone
        }
      },
    });
    const stop = async () => {
      await server.stop();
      untrack();
    };
    return new LinkPlane(server.url, opts.wanLatencyMs ?? 0, stop);
  }

  /** PID of the embedded proxy server process, or null for an external Toxiproxy. */
  get(name: string): Link | undefined {
    return this.links.get(name);
  }

  all(): Link[] {
    return [...this.links.values()];
  }

  /** Creates the proxy for `spec` unless it exists with the same upstream; returns the link. */
  async ensure(spec: LinkSpec): Promise<Link> {
    const existing = this.links.get(spec.name);
    if (existing && existing.upstreamPort === spec.upstreamPort) return existing;
    if (existing) await this.remove(spec.name);
    let lastErr: unknown;
    for (let attempt = 0; attempt < 5; attempt++) {
      const port = spec.listenPort ?? (await freePort());
      try {
        await this.api.createProxy({ name: spec.name, listen: `${spec.listenHost ?? '127.0.0.1'}:${port}`, upstream: `${spec.upstreamHost}:${spec.upstreamPort}`, enabled: true });
      } catch (err) {
        lastErr = err;
        if (httpStatus(err) === 409) {
          // left over on an external Toxiproxy: replace it
          await (await this.api.get(spec.name)).remove().catch(() => undefined);
        }
        continue;
      }
      const link: Link = { name: spec.name, kind: spec.kind, from: spec.from, to: spec.to, listenPort: port, upstreamPort: spec.upstreamPort, wan: spec.wan };
      this.links.set(spec.name, link);
      if (spec.wan && this.wanLatencyMs > 0) {
        await this.addToxic([spec.name], { type: 'latency', attributes: { latency: this.wanLatencyMs, jitter: 0 }, name: 'wan' });
      }
      return link;
    }
    throw new Error(`cannot create proxy ${spec.name}: ${(lastErr as Error)?.message ?? lastErr}`);
  }

  async remove(name: string): Promise<void> {
    const link = this.links.get(name);
    this.links.delete(name);
    try {
      await (await this.api.get(name)).remove();
    } catch {
      // already gone
    }
    if (link) releasePort(link.listenPort);
  }

  private async state(name: string): Promise<ProxyState> {
    const r = await this.api.getApi().get<ProxyState>(`${this.url}/proxies/${encodeURIComponent(name)}`);
    return r.data;
  }

  private async setEnabled(name: string, enabled: boolean): Promise<void> {
    const s = await this.state(name);
    if (s.enabled === enabled) return;
    await this.api.getApi().post(`${this.url}/proxies/${encodeURIComponent(name)}`, { enabled, listen: s.listen, upstream: s.upstream });
  }

  private async deleteToxic(proxy: string, toxic: string): Promise<void> {
    try {
      await this.api.getApi().delete(`${this.url}/proxies/${encodeURIComponent(proxy)}/toxics/${encodeURIComponent(toxic)}`);
    } catch (err) {
      if (httpStatus(err) !== 404) throw err;
    }
  }

  /** Cuts links: `blackhole` drops all data both ways (timeout toxic, 0 ms); `refuse` disables the proxy. */
  async cut(names: readonly string[], mode: CutMode = 'blackhole'): Promise<void> {
    await Promise.all(
      names.map(async (n) => {
        if (mode === 'refuse') return this.setEnabled(n, false);
        const s = await this.state(n);
        for (const stream of ['upstream', 'downstream'] as const) {
          const name = `${CUT_PREFIX}${stream}`;
          if (s.toxics.some((t) => t.name === name)) continue;
          const body: ICreateToxicBody<{ timeout: number }> = { name, type: 'timeout', stream, toxicity: 1, attributes: { timeout: 0 } };
          await (await this.api.get(n)).addToxic(body);
        }
      }),
    );
  }

  /** Undoes cut(): removes the cut toxics and enables the proxy. */
  async heal(names: readonly string[]): Promise<void> {
    await Promise.all(
      names.map(async (n) => {
        await this.setEnabled(n, true);
        for (const stream of ['upstream', 'downstream']) await this.deleteToxic(n, `${CUT_PREFIX}${stream}`);
      }),
    );
  }

  /** Adds a toxic (on both streams unless told) named `<name or type>-<stream>`. */
  async addToxic(names: readonly string[], toxic: LinkToxic): Promise<void> {
    const streams = toxic.stream === undefined || toxic.stream === 'both' ? (['upstream', 'downstream'] as const) : ([toxic.stream] as const);
    await Promise.all(
      names.map(async (n) => {
        const proxy = await this.api.get(n);
        for (const stream of streams) {
          const name = `${toxic.name ?? toxic.type}-${stream}`;
          await this.deleteToxic(n, name);
          await proxy.addToxic({ name, type: toxic.type, stream, toxicity: toxic.toxicity ?? 1, attributes: toxic.attributes });
        }
      }),
    );
  }

  /** Removes the toxic named `<name>-upstream` / `<name>-downstream` (or exactly `name`). */
  async removeToxic(names: readonly string[], name: string): Promise<void> {
    await Promise.all(names.map(async (n) => {
      for (const t of [name, `${name}-upstream`, `${name}-downstream`]) await this.deleteToxic(n, t);
    }));
  }

  /** Every link back to its baseline: enabled, no toxics but the WAN latency. */
  async healAll(): Promise<void> {
    const r = await this.api.getApi().get<Record<string, ProxyState>>(`${this.url}/proxies`);
    await Promise.all(
      [...this.links.keys()].map(async (n) => {
        const s = r.data[n];
        if (!s) return;
        if (!s.enabled) await this.setEnabled(n, true);
        for (const t of s.toxics) if (!t.name.startsWith(WAN_PREFIX)) await this.deleteToxic(n, t.name);
      }),
    );
  }

  /** Names of the toxics currently on a link. */
  async toxics(name: string): Promise<string[]> {
    return (await this.state(name)).toxics.map((t) => t.name);
  }

  /** Deletes our proxies (external Toxiproxy) or stops the embedded server. */
  async close(): Promise<void> {
    if (this.stopServer) {
      await this.stopServer();
      for (const l of this.links.values()) releasePort(l.listenPort);
      this.links.clear();
      return;
    }
    await Promise.all([...this.links.keys()].map((n) => this.remove(n)));
  }
}
