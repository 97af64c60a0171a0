// Short nemesis labels from the values the nemeses record.
import { describe, expect, it } from 'vitest';
import { nemesisLabel } from '../../src/history/nemesis-label.js';

describe('nemesisLabel', () => {
  it('says what a failover did in words', () => {
    const v = { site: 'a', lost: ['n1', 'n3'], cutMs: 1000, oldPrimary: 'n1', newPrimary: 'n2', repointed: [], recloned: ['n1'], forkLsn: '0/5043030', generation: 1 };
    expect(nemesisLabel('failover', v)).toBe('site a lost; n2 promoted');
    expect(nemesisLabel('failover', { lost: ['n1'], newPrimary: 'n3' })).toBe('n1 lost; n3 promoted');
    expect(nemesisLabel('failover', { error: 'no primary' })).toBe('failover failed: no primary');
  });
  it('names nodes for rejoin, kill, pause and restarts', () => {
    expect(nemesisLabel('rejoin', { nodes: ['n1', 'n3'], roles: { n1: 'standby' } })).toBe('n1, n3 rejoin');
    expect(nemesisLabel('rejoin', { nodes: ['n2'] })).toBe('n2 rejoins');
    expect(nemesisLabel('kill', { nodes: ['n2'] })).toBe('kill n2');
    expect(nemesisLabel('kill', ['n2'])).toBe('kill n2');
    expect(nemesisLabel('resume', ['n3'])).toBe('resume n3');
  });
  it('draws partitions as their sides', () => {
    expect(nemesisLabel('start-partition', { n2: ['n1', 'n3'] })).toBe('partition n2 | n1 n3');
    expect(nemesisLabel('start-partition', { mode: 'halves', cut: 'blackhole', grudge: { n1: ['n2', 'n3'], n2: ['n1'], n3: ['n1'] }, links: [] })).toBe('partition n1 | n2 n3 (halves)');
    expect(nemesisLabel('stop-partition', 'healed')).toBe('partition healed');
  });
  it('link faults by toxic and nodes; anything else by its scalar fields, cut short', () => {
    expect(nemesisLabel('start-latency', { nodes: ['n2'], toxic: 'latency', attributes: { latency: 100 }, links: [] })).toBe('latency n2');
    expect(nemesisLabel('stop-latency', { links: [] })).toBe('latency healed');
    expect(nemesisLabel('schema-change', { table: 't_1', refreshed: true, nodes: 'x' })).toBe('schema-change table=t_1 refreshed=true nodes=x');
    expect(nemesisLabel('custom', { a: 'x'.repeat(100) }, 20)).toHaveLength(20);
    expect(nemesisLabel('noop', null)).toBe('noop');
  });
});
