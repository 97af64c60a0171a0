// Grudge → DROP rules (pure): input and output on the grudging host, rendered for nft and iptables.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GrudgeError, grudgeRules, iptablesScript, nftScript, ruleLabel, rulesOn } from '../../src/hosts/partition-rules.js';

const addr = { n1: '10.77.0.11', n2: '10.77.0.12', n3: '10.77.0.13', n6: 'fd00::6' };

describe('grudge → rules', () => {
  it('drops input from and output to each peer on the grudging host', () => {
    const rules = grudgeRules({ n1: ['n2', 'n3'], n2: ['n1'] }, addr);
    expect(rules.map(ruleLabel)).toEqual([
      'n1: drop input from n2 (10.77.0.12)',
      'n1: drop output to n2 (10.77.0.12)',
      'n1: drop input from n3 (10.77.0.13)',
      'n1: drop output to n3 (10.77.0.13)',
      'n2: drop input from n1 (10.77.0.11)',
      'n2: drop output to n1 (10.77.0.11)',
    ]);
  });

  it('refuses names it cannot place and hosts that share an address', () => {
    expect(() => grudgeRules({ n9: ['n1'] }, addr)).toThrow(GrudgeError);
    expect(() => grudgeRules({ n1: ['clients'] }, addr)).toThrow(/not a host/);
    expect(() => grudgeRules({ n1: ['n1'] }, addr)).toThrow(/itself/);
    expect(() => grudgeRules({ a: ['b'] }, { a: '10.0.0.1', b: '10.0.0.1' })).toThrow(/share the address/);
  });

  it('every (host, peer) of any grudge gets exactly one input and one output rule, nothing else', () => {
    const names = ['n1', 'n2', 'n3', 'n6'];
    const grudge = fc.dictionary(fc.constantFrom(...names), fc.array(fc.constantFrom(...names)));
    fc.assert(
      fc.property(grudge, (g) => {
        const clean = Object.fromEntries(Object.entries(g).map(([k, v]) => [k, v.filter((p) => p !== k)]));
        const rules = grudgeRules(clean, addr);
        const expected = new Set(Object.entries(clean).flatMap(([h, ps]) => ps.flatMap((p) => [`${h} input ${p}`, `${h} output ${p}`])));
        const got = rules.map((r) => `${r.host} ${r.chain} ${r.peer}`);
        expect(new Set(got)).toEqual(expected);
        expect(got.length).toBe(expected.size);
        for (const r of rules) expect(r.address).toBe(addr[r.peer as keyof typeof addr]);
      }),
    );
  });

  it('renders an atomic nft replacement with the control path accepted first', () => {
    const s = nftScript(rulesOn(grudgeRules({ n1: ['n2', 'n6'] }, addr), 'n1'), { address: '10.77.0.1', port: 22 });
    expect(s.split('\n').slice(0, 3)).toEqual(['table inet faultline', 'delete table inet faultline', 'table inet faultline {']);
    const input = s.slice(s.indexOf('chain input'), s.indexOf('chain output'));
    expect(input).toMatch(/type filter hook input priority -10; policy accept;\n    ip saddr 10\.77\.0\.1 tcp dport 22 accept[^\n]*\n    ip saddr 10\.77\.0\.12 counter drop comment "n2"\n    ip6 saddr fd00::6 counter drop comment "n6"/);
    expect(s.slice(s.indexOf('chain output'))).toMatch(/ip daddr 10\.77\.0\.1 tcp sport 22 accept[^\n]*\n    ip daddr 10\.77\.0\.12 counter drop/);
    expect(s).not.toMatch(/ct state/);
  });

  it('renders iptables and ip6tables commands in chain FAULTLINE', () => {
    const s = iptablesScript(rulesOn(grudgeRules({ n1: ['n2', 'n6'] }, addr), 'n1'), { address: '10.77.0.1', port: 22 });
    expect(s).toContain('iptables -w -C INPUT -j FAULTLINE 2>/dev/null || iptables -w -I INPUT 1 -j FAULTLINE');
    expect(s).toContain('iptables -w -C OUTPUT -j FAULTLINE 2>/dev/null || iptables -w -I OUTPUT 1 -j FAULTLINE');
    expect(s).toContain('iptables -w -A FAULTLINE -s 10.77.0.1/32 -p tcp --dport 22 -j RETURN');
    expect(s).toContain('iptables -w -A FAULTLINE -s 10.77.0.12/32 -m comment --comment n2 -j DROP');
    expect(s).toContain('iptables -w -A FAULTLINE -d 10.77.0.12/32 -m comment --comment n2 -j DROP');
    expect(s).toContain('ip6tables -w -A FAULTLINE -s fd00::6/128 -m comment --comment n6 -j DROP');
    expect(s.indexOf('RETURN')).toBeLessThan(s.indexOf('DROP'));
  });
});
