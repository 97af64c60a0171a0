// Partitions on hosts, the pure part: a grudge (host → hosts it cannot reach) becomes DROP rules on each grudging
// host, in input (from the peer) and output (to the peer), so established connections are cut too; rendered as
// an nft script (table inet faultline) or iptables commands (chain FAULTLINE). No I/O here.
import { isIP } from 'node:net';

/** host → hosts it cannot reach (the nemesis' Grudge, structurally). */
export type HostGrudge = Readonly<Record<string, readonly string[]>>;

export const NFT_TABLE = 'faultline';
export const IPT_CHAIN = 'FAULTLINE';

export interface DropRule {
  /** the host the rule is installed on */
  host: string;
  chain: 'input' | 'output';
  /** the host whose packets are dropped */
  peer: string;
  address: string;
  family: 4 | 6;
}

/** The SSH line from the control node to a host, kept open through any partition (it carries the heal). */
export interface ControlPath {
  address: string;
  /** the host's SSH port */
  port: number;
}

export class GrudgeError extends Error {}

/** Every DROP rule a grudge needs, grouped by nothing, sorted by host, peer, chain. Throws GrudgeError on names it cannot place. */
export function grudgeRules(grudge: HostGrudge, addresses: Readonly<Record<string, string>>): DropRule[] {
  const rules: DropRule[] = [];
  const seen = new Set<string>();
  for (const host of Object.keys(grudge).sort()) {
    const own = addresses[host];
    if (own === undefined) throw new GrudgeError(`grudge names host ${JSON.stringify(host)}, which is not in the hosts file`);
    for (const peer of [...new Set(grudge[host])].sort()) {
      const address = addresses[peer];
      if (address === undefined) throw new GrudgeError(`grudge of ${host} names ${JSON.stringify(peer)}, which is not a host in the hosts file`);
      if (peer === host) throw new GrudgeError(`grudge of ${host} names itself`);
      const family = isIP(address);
      if (family === 0) throw new GrudgeError(`host ${peer} has no IP address (${JSON.stringify(address)})`);
      if (address === own) throw new GrudgeError(`${host} and ${peer} share the address ${address}: a packet filter cannot cut them apart`);
      for (const chain of ['input', 'output'] as const) {
        const key = `${host} ${chain} ${peer}`;
        if (seen.has(key)) continue;
        seen.add(key);
        rules.push({ host, chain, peer, address, family: family as 4 | 6 });
      }
    }
  }
  return rules;
}

/** One line naming a rule, for the history and logs: "n1: drop input from n2 (10.77.0.12)". */
export function ruleLabel(r: DropRule): string {
  return `${r.host}: drop ${r.chain} ${r.chain === 'input' ? 'from' : 'to'} ${r.peer} (${r.address})`;
}

/** The rules installed on one host. */
export function rulesOn(rules: readonly DropRule[], host: string): DropRule[] {
  return rules.filter((r) => r.host === host);
}

function nftAddr(family: 4 | 6, dir: 'saddr' | 'daddr', address: string): string {
  return `${family === 4 ? 'ip' : 'ip6'} ${dir} ${address}`;
}

/**
 * An nft script that replaces table inet faultline atomically with this host's rules (run with `nft -f -`).
 * Base chains at priority -10 drop before the usual filter chains; a drop here is final whatever other tables
 * accept. The control path is accepted first. Comments carry the peer's name (and the counters the packets).
 */
export function nftScript(rules: readonly DropRule[], control?: ControlPath | null): string {
  const chain = (name: 'input' | 'output'): string[] => {
    const lines = [`  chain ${name} {`, `    type filter hook ${name} priority -10; policy accept;`];
    if (control) {
      const fam = isIP(control.address) === 6 ? 6 : 4;
      lines.push(
        name === 'input'
          ? `    ${nftAddr(fam, 'saddr', control.address)} tcp dport ${control.port} accept comment "faultline control"`
          : `    ${nftAddr(fam, 'daddr', control.address)} tcp sport ${control.port} accept comment "faultline control"`,
      );
    }
    for (const r of rules.filter((x) => x.chain === name)) {
      lines.push(`    ${nftAddr(r.family, name === 'input' ? 'saddr' : 'daddr', r.address)} counter drop comment "${r.peer}"`);
    }
    lines.push('  }');
    return lines;
  };
  return [`table inet ${NFT_TABLE}`, `delete table inet ${NFT_TABLE}`, `table inet ${NFT_TABLE} {`, ...chain('input'), ...chain('output'), '}', ''].join('\n');
}

/** An nft script removing the table (and nothing when it is absent). */
export function nftRemoveScript(): string {
  return `table inet ${NFT_TABLE}\ndelete table inet ${NFT_TABLE}\n`;
}

/**
 * sh text installing the rules with iptables (IPv4) and ip6tables (IPv6): chain FAULTLINE, flushed, jumped to
 * first from INPUT and OUTPUT; RETURN for the control path; -s PEER -j DROP for input, -d PEER -j DROP for output.
 */
export function iptablesScript(rules: readonly DropRule[], control?: ControlPath | null): string {
  const lines = ['set -e'];
  for (const fam of [4, 6] as const) {
    const mine = rules.filter((r) => r.family === fam);
    const ctl = control && (isIP(control.address) === 6 ? 6 : 4) === fam ? control : null;
    if (mine.length === 0 && fam === 6) continue;
    const ipt = fam === 4 ? 'iptables -w' : 'ip6tables -w';
    const mask = fam === 4 ? '/32' : '/128';
    lines.push(`${ipt} -N ${IPT_CHAIN} 2>/dev/null || ${ipt} -F ${IPT_CHAIN}`);
    for (const hook of ['INPUT', 'OUTPUT']) lines.push(`${ipt} -C ${hook} -j ${IPT_CHAIN} 2>/dev/null || ${ipt} -I ${hook} 1 -j ${IPT_CHAIN}`);
    if (ctl) {
      lines.push(`${ipt} -A ${IPT_CHAIN} -s ${ctl.address}${mask} -p tcp --dport ${ctl.port} -j RETURN`);
      lines.push(`${ipt} -A ${IPT_CHAIN} -d ${ctl.address}${mask} -p tcp --sport ${ctl.port} -j RETURN`);
    }
    for (const r of mine) {
      const match = r.chain === 'input' ? `-s ${r.address}${mask}` : `-d ${r.address}${mask}`;
      lines.push(`${ipt} -A ${IPT_CHAIN} ${match} -m comment --comment ${r.peer} -j DROP`);
    }
  }
  return lines.join('\n') + '\n';
}

/** sh text removing chain FAULTLINE and its jumps from iptables and ip6tables (silent when absent). */
export function iptablesRemoveScript(): string {
  const lines: string[] = [];
  for (const ipt of ['iptables -w', 'ip6tables -w']) {
    const cmd = ipt.split(' ')[0];
    lines.push(`if command -v ${cmd} >/dev/null 2>&1 && ${ipt} -S ${IPT_CHAIN} >/dev/null 2>&1; then`);
    for (const hook of ['INPUT', 'OUTPUT']) lines.push(`  while ${ipt} -D ${hook} -j ${IPT_CHAIN} 2>/dev/null; do :; done`);
    lines.push(`  ${ipt} -F ${IPT_CHAIN}; ${ipt} -X ${IPT_CHAIN}`, 'fi');
  }
  return lines.join('\n') + '\n';
}
