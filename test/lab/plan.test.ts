// The lab's plan (pure): names, addresses, sites, and what it refuses.
import { describe, expect, it } from 'vitest';
import { LabPlanError, ownedNames, planLab } from '../../src/lab/plan.js';

describe('lab plan', () => {
  it('gives each host a namespace, a veth, an address and a site', () => {
    const p = planLab({ hosts: 3, sites: 2 });
    expect(p).toMatchObject({ name: 'flab', bridge: 'flab0', controlAddress: '10.77.0.1', dir: '/run/faultline-lab/flab' });
    expect(p.hosts.map((h) => [h.name, h.site, h.netns, h.veth, h.address])).toEqual([
      ['n1', 'a', 'flab-n1', 'flabv1', '10.77.0.11'],
      ['n2', 'b', 'flab-n2', 'flabv2', '10.77.0.12'],
      ['n3', 'a', 'flab-n3', 'flabv3', '10.77.0.13'],
    ]);
    const own = ownedNames('flab');
    expect(p.hosts.every((h) => own.netns.test(h.netns) && own.veth.test(h.veth))).toBe(true);
    expect(own.netns.test('flab-n1x')).toBe(false);
    const long = planLab({ name: 'abcdefgh', hosts: 32, subnet: '192.168.200.0/24' });
    expect(Math.max(...long.hosts.map((h) => h.veth.length), long.bridge.length)).toBeLessThanOrEqual(15);
    expect(long.hosts[31].address).toBe('192.168.200.42');
  });

  it('refuses bad counts, names and subnets', () => {
    expect(() => planLab({ hosts: 0 })).toThrow(LabPlanError);
    expect(() => planLab({ hosts: 33 })).toThrow(/1 to 32/);
    expect(() => planLab({ hosts: 2, sites: 3 })).toThrow(/needs at least 3 hosts/);
    expect(() => planLab({ hosts: 2, name: 'Flab' })).toThrow(/--name/);
    expect(() => planLab({ hosts: 2, subnet: '8.8.8.0/24' })).toThrow(/private \/24/);
    expect(() => planLab({ hosts: 2, subnet: '10.77.0.0/16' })).toThrow(/private \/24/);
    expect(() => planLab({ hosts: 2, subnet: '172.32.0.0/24' })).toThrow(/private/);
  });
});
