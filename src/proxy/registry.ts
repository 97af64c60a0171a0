// All proxies of one server and the operations of the API on them, HTTP aside.
// Changes run one at a time (binding is asynchronous), so concurrent requests cannot interleave.
import { ApiError, badRequest, conflict, notFound } from './errors.js';
import type { ProxyJson, ToxicJson } from './model.js';
import { toxicJson } from './model.js';
import { ProxyInstance, type ProxyConfig, type Random } from './proxy.js';
import { parseProxyCreate, parseProxyUpdate, parseToxicCreate, parseToxicUpdate, type ListenPolicy } from './validate.js';

/** A failed `/populate`: carries the proxies created before the failure. */
export class PopulateError extends ApiError {
  constructor(status: number, message: string, readonly proxies: ProxyJson[]) {
    super(status, message);
  }
}

export class Registry {
  private readonly proxies = new Map<string, ProxyInstance>();
  private lock: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly policy: ListenPolicy = { allowRemote: false },
    private readonly random: Random = Math.random,
  ) {}

  private serial<T>(fn: () => Promise<T> | T): Promise<T> {
    const run = this.lock.then(fn, fn);
    this.lock = run.catch(() => undefined);
    return run;
  }

  get(name: string): ProxyInstance {
    const p = this.proxies.get(name);
    if (!p) throw notFound('proxy not found');
    return p;
  }

  list(): Record<string, ProxyJson> {
    const out: Record<string, ProxyJson> = {};
    for (const [name, p] of this.proxies) out[name] = p.json();
    return out;
  }

  create(body: unknown): Promise<ProxyJson> {
    const cfg = parseProxyCreate(body, this.policy);
    return this.serial(async () => (await this.add(cfg)).json());
  }

  private async add(cfg: ProxyConfig): Promise<ProxyInstance> {
    if (this.proxies.has(cfg.name)) throw conflict('proxy already exists');
    const p = new ProxyInstance(cfg, this.random);
    if (cfg.enabled) await p.start();
    this.proxies.set(cfg.name, p);
    return p;
  }

  update(name: string, body: unknown): Promise<ProxyJson> {
    this.get(name);
    const u = parseProxyUpdate(body, this.policy);
    return this.serial(async () => {
      const p = this.get(name);
      const listenChanged = u.listen !== undefined && u.listen !== p.listen;
      const upstreamChanged = u.upstream !== undefined && u.upstream !== p.upstream;
      const enable = u.enabled ?? p.enabled;
      if (upstreamChanged) p.setUpstream(u.upstream as string);
      if (listenChanged || !enable) await p.stop();
      if (listenChanged) p.listen = u.listen as string;
      if (enable && !p.enabled) await p.start();
      return p.json();
    });
  }

  remove(name: string): Promise<void> {
    this.get(name);
    return this.serial(async () => {
      const p = this.get(name);
      this.proxies.delete(name);
      await p.stop();
    });
  }

  /** Re-enables every proxy and removes all toxics; proxies stay. */
  reset(): Promise<void> {
    return this.serial(async () => {
      let firstError: unknown = null;
      for (const p of this.proxies.values()) {
        p.removeAllToxics();
        if (!p.enabled) await p.start().catch((e: unknown) => (firstError ??= e));
      }
      if (firstError) throw firstError;
    });
  }

  /** Creates or replaces many proxies; all are validated before any is touched. */
  populate(body: unknown): Promise<ProxyJson[]> {
    const raw = body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as { proxies?: unknown }).proxies : body;
    if (!Array.isArray(raw)) throw new PopulateError(400, 'bad request body: expected a JSON array of proxies', []);
    const cfgs = raw.map((item, i) => {
      try {
        return parseProxyCreate(item, this.policy);
      } catch (e) {
        const err = e instanceof ApiError ? e : badRequest(String(e));
        throw new PopulateError(err.status, `${err.message} at proxy ${i + 1}`, []);
      }
    });
    return this.serial(async () => {
      const done: ProxyInstance[] = [];
      for (const cfg of cfgs) {
        try {
          const old = this.proxies.get(cfg.name);
          if (old && old.upstream === cfg.upstream && (old.listen === cfg.listen || old.requestedListen === cfg.listen)) {
            done.push(old);
            continue;
          }
          if (old) {
            this.proxies.delete(cfg.name);
            await old.stop();
          }
          done.push(await this.add(cfg));
        } catch (e) {
          const err = e instanceof ApiError ? e : new ApiError(500, String(e));
          throw new PopulateError(err.status, err.message, done.map((p) => p.json()));
        }
      }
      return done.map((p) => p.json());
    });
  }

  addToxic(proxy: string, body: unknown): Promise<ToxicJson> {
    this.get(proxy);
    const t = parseToxicCreate(body);
    return this.serial(() => {
      const model = { ...t, attributes: { ...t.attributes } };
      this.get(proxy).addToxic(model);
      return toxicJson(model);
    });
  }

  updateToxic(proxy: string, name: string, body: unknown): Promise<ToxicJson> {
    const t = this.get(proxy).findToxic(name);
    const u = parseToxicUpdate(t.type, body);
    return this.serial(() => {
      const p = this.get(proxy);
      const model = p.findToxic(name);
      p.updateToxic(model, u.attributes, u.toxicity);
      return toxicJson(model);
    });
  }

  removeToxic(proxy: string, name: string): Promise<void> {
    this.get(proxy).findToxic(name);
    return this.serial(() => this.get(proxy).removeToxic(name));
  }

  /** Stops every proxy and drops them all. */
  closeAll(): Promise<void> {
    return this.serial(async () => {
      const all = [...this.proxies.values()];
      this.proxies.clear();
      await Promise.all(all.map((p) => p.stop()));
    });
  }
}
