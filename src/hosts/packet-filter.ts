// Partitions on hosts, the applying part: installs a grudge's DROP rules with each host's own packet filter
// (nft table inet faultline, or iptables chain FAULTLINE: whichever the host has) over its Remote, as root;
// removes them on heal, on Ctrl-C (a cleanup), and sweeps leftovers of an earlier run before the first fault.
import { RemoteError } from '../remote/errors.js';
import type { Remote } from '../remote/types.js';
import { onCleanup } from '../util/processes.js';
import type { PacketFilterChoice } from './hosts-file.js';
import {
  grudgeRules,
  iptablesRemoveScript,
  iptablesScript,
  IPT_CHAIN,
  nftRemoveScript,
  nftScript,
  NFT_TABLE,
  ruleLabel,
  rulesOn,
  type ControlPath,
  type DropRule,
  type HostGrudge,
} from './partition-rules.js';

export type FilterBackend = 'nft' | 'iptables';

export interface FilterHost {
  name: string;
  remote: Remote;
  choice?: PacketFilterChoice;
}

export interface RuleCounter {
  chain: 'input' | 'output';
  peer: string;
  packets: number;
}

const ROOT = { user: 'root' } as const;

/** Which packet filter works on the host as root: nft first (unless told), then iptables; RemoteError otherwise. */
export async function detectBackend(remote: Remote, choice: PacketFilterChoice = 'auto'): Promise<FilterBackend> {
  const tries: FilterBackend[] = choice === 'auto' ? ['nft', 'iptables'] : [choice];
  const why: string[] = [];
  for (const b of tries) {
    const probe = b === 'nft' ? 'command -v nft >/dev/null || { echo "nft not found (Debian package nftables)" >&2; exit 127; }; nft list tables >/dev/null' : 'command -v iptables >/dev/null || { echo "iptables not found (Debian package iptables)" >&2; exit 127; }; iptables -w -S INPUT >/dev/null';
    const r = await remote.exec({ sh: probe }, { ...ROOT, timeoutMs: 30_000 });
    if (r.code === 0) return b;
    why.push(`${b}: ${r.stderr.trim().split('\n').slice(-1)[0] || `exit ${r.code}`}`);
  }
  throw new RemoteError(remote.name, remote.where, 'packet-filter', `no usable packet filter as root (${why.join('; ')}); partitions need root on the host (a root login, or sudo -n) and nftables or iptables`);
}

/** The control node's SSH line to the host, from $SSH_CONNECTION (null for a local host). */
export async function controlPathOf(remote: Remote): Promise<ControlPath | null> {
  const r = await remote.exec({ sh: 'printf "%s" "$SSH_CONNECTION"' }, { check: true, timeoutMs: 30_000 });
  const f = r.stdout.trim().split(/\s+/);
  if (f.length !== 4) return null;
  const port = Number(f[3]);
  return Number.isInteger(port) ? { address: f[0], port } : null;
}

async function rootSh(remote: Remote, script: string, stdin?: string): Promise<void> {
  await remote.exec({ sh: script }, { ...ROOT, stdin, check: true, timeoutMs: 60_000 });
}

/** sh text removing faultline's rules of both kinds (run as root; silent when there are none). */
export function sweepScript(): string {
  return `if command -v nft >/dev/null 2>&1; then nft -f - <<'FLEOF'\n${nftRemoveScript()}FLEOF\nfi\n${iptablesRemoveScript()}`;
}

/** Removes faultline's rules of both kinds from a host (what an interrupted earlier run may have left). */
export async function sweepHost(remote: Remote): Promise<void> {
  await rootSh(remote, sweepScript());
}

/** Packet counters of the DROP rules installed on a host now. */
export async function ruleCounters(remote: Remote, backend: FilterBackend): Promise<RuleCounter[]> {
  if (backend === 'nft') {
    const r = await remote.exec(['nft', '-j', 'list', 'table', 'inet', NFT_TABLE], { ...ROOT, timeoutMs: 30_000 });
    if (r.code !== 0) return [];
    const doc = JSON.parse(r.stdout) as { nftables?: Array<{ rule?: { chain: string; comment?: string; expr: Array<Record<string, unknown>> } }> };
    const out: RuleCounter[] = [];
    for (const item of doc.nftables ?? []) {
      const rule = item.rule;
      if (!rule || !rule.expr.some((e) => 'drop' in e)) continue;
      const counter = rule.expr.find((e) => 'counter' in e)?.counter as { packets?: number } | undefined;
      out.push({ chain: rule.chain as 'input' | 'output', peer: rule.comment ?? '', packets: counter?.packets ?? 0 });
    }
    return out;
  }
  const out: RuleCounter[] = [];
  for (const ipt of ['iptables', 'ip6tables']) {
    const r = await remote.exec({ sh: `command -v ${ipt} >/dev/null && ${ipt} -w -v -S ${IPT_CHAIN} 2>/dev/null || true` }, { ...ROOT, timeoutMs: 30_000 });
    for (const line of r.stdout.split('\n')) {
      if (!line.startsWith(`-A ${IPT_CHAIN} `) || !/-j DROP/.test(line)) continue;
      const peer = /--comment (\S+)/.exec(line)?.[1] ?? '';
      const packets = Number(/-c (\d+) \d+/.exec(line)?.[1] ?? 0);
      out.push({ chain: / -s /.test(line) ? 'input' : 'output', peer: peer.replace(/^"|"$/g, ''), packets });
    }
  }
  return out;
}

/** Installs and removes a grudge's rules across a set of hosts. */
export class PacketFilter {
  private readonly backends = new Map<string, FilterBackend>();
  private readonly control = new Map<string, ControlPath | null>();
  private installedOn = new Set<string>();
  private unregister: (() => void) | null = null;

  constructor(
    private readonly hosts: readonly FilterHost[],
    private readonly addresses: Readonly<Record<string, string>>,
  ) {}

  private host(name: string): FilterHost {
    const h = this.hosts.find((x) => x.name === name);
    if (!h) throw new Error(`no host ${name}`);
    return h;
  }

  backendOf(name: string): FilterBackend | undefined {
    return this.backends.get(name);
  }

  /**
   * Finds each host's packet filter and control path (unless `known` gives them, from a preflight), and removes
   * leftovers of an earlier run.
   */
  async prepare(known: { backends?: ReadonlyMap<string, FilterBackend>; control?: ReadonlyMap<string, ControlPath | null> } = {}): Promise<void> {
    await Promise.all(
      this.hosts.map(async (h) => {
        this.backends.set(h.name, known.backends?.get(h.name) ?? (await detectBackend(h.remote, h.choice)));
        this.control.set(h.name, known.control?.has(h.name) ? known.control.get(h.name)! : await controlPathOf(h.remote));
        await sweepHost(h.remote);
      }),
    );
  }

  /** Installs the grudge (replacing any rules in force); returns the rules and their labels. */
  async apply(grudge: HostGrudge): Promise<{ rules: DropRule[]; labels: string[] }> {
    const rules = grudgeRules(grudge, this.addresses);
    if (this.backends.size === 0) await this.prepare();
    this.unregister ??= onCleanup(() => this.heal());
    const targets = new Set([...rules.map((r) => r.host), ...this.installedOn]);
    await Promise.all(
      [...targets].map(async (name) => {
        const { remote } = this.host(name);
        const mine = rulesOn(rules, name);
        const backend = this.backends.get(name) as FilterBackend;
        if (mine.length === 0) await this.removeOn(name);
        else if (backend === 'nft') {
          this.installedOn.add(name);
          await rootSh(remote, 'nft -f -', nftScript(mine, this.control.get(name)));
        } else {
          this.installedOn.add(name);
          await rootSh(remote, iptablesScript(mine, this.control.get(name)));
        }
      }),
    );
    return { rules, labels: rules.map(ruleLabel) };
  }

  private async removeOn(name: string): Promise<void> {
    const { remote } = this.host(name);
    if (this.backends.get(name) === 'nft') await rootSh(remote, 'nft -f -', nftRemoveScript());
    else await rootSh(remote, iptablesRemoveScript());
    this.installedOn.delete(name);
  }

  /** Removes every rule this filter installed (idempotent). */
  async heal(): Promise<void> {
    const errors: unknown[] = [];
    await Promise.all(
      [...this.installedOn].map((name) =>
        this.removeOn(name).catch((e: unknown) => {
          errors.push(e);
        }),
      ),
    );
    if (this.installedOn.size === 0 && this.unregister) {
      this.unregister();
      this.unregister = null;
    }
    if (errors.length > 0) throw errors[0];
  }

  async counters(name: string): Promise<RuleCounter[]> {
    const backend = this.backends.get(name);
    if (!backend) return [];
    return ruleCounters(this.host(name).remote, backend);
  }
}
