// The topology registry and capabilities (pure: nothing starts): every topology is complete, plans validate their
// options, and a nemesis whose capability the topology lacks is refused before a run starts (exit 64), with the
// topology's reason; the refusal matrix follows the capability reports, never a topology name.
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NEMESIS_NAMES, NEMESIS_NEEDS } from '../../nemesis/names.js';
import { resolveCluster } from '../../src/cluster/options.js';
import { missing } from '../../src/cluster/topology/capabilities.js';
import { TOPOLOGIES, TOPOLOGY_NAMES, TOPOLOGY_OPTIONS, findTopology } from '../../src/cluster/topology/index.js';
import { CAPABILITIES, type Topology } from '../../src/cluster/topology/types.js';
import { RUN_DEFAULTS } from '../../src/runner/config.js';
import { toRunOptions } from '../../src/runner/options.js';
import { runTest } from '../../src/runner/run.js';
import { UsageError } from '../../src/util/exit.js';

const tmp = mkdtempSync(join(tmpdir(), 'faultline-topo-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** An external nodes file: one node with `commands`, one without. */
function nodesFile(commands: Record<string, string>): string {
  const f = join(tmp, `nodes-${Object.keys(commands).join('-') || 'none'}.json`);
  writeFileSync(f, JSON.stringify({ nodes: [{ name: 'db1', url: 'postgres://u:p@127.0.0.1:1/d', commands }, { name: 'db2', url: 'postgres://u:p@127.0.0.1:2/d', commands }] }));
  return f;
}

const plans = (t: Topology) => resolveCluster({ topology: t.name as never, ...(t.name === 'external' ? { externalFile: nodesFile({}) } : {}) });

describe('the topology registry', () => {
  it('names each topology once, each with a summary, its options with help, and a report for every capability', () => {
    expect(new Set(TOPOLOGY_NAMES).size).toBe(TOPOLOGIES.length);
    expect(TOPOLOGY_NAMES).toEqual(['single', 'streaming-async', 'streaming-sync', 'logical-bidir', 'external', 'patroni', 'pg-auto-failover', 'pgpool']);
    for (const t of TOPOLOGIES as readonly Topology[]) {
      expect(t.summary.length, t.name).toBeGreaterThan(10);
      for (const o of t.options) expect(o.help.length, `${t.name} --${o.key}`).toBeGreaterThan(5);
      const report = t.capabilities(plans(t).plan);
      for (const c of CAPABILITIES) {
        const r = report[c];
        expect(r === true || (typeof r === 'string' && r.length > 10), `${t.name} ${c}: ${String(r)}`).toBe(true);
      }
      expect(findTopology(t.name)).toBe(t);
    }
  });

  it('merges the topologies’ own options, stamped with who reads them', () => {
    expect(TOPOLOGY_OPTIONS.map((o) => [o.key, o.topologies])).toEqual([
      ['syncCommit', ['streaming-sync']],
      ['syncStandbys', ['streaming-sync']],
      ['external', ['external']],
      ['ttl', ['patroni']],
      ['loopWait', ['patroni']],
      ['retryTimeout', ['patroni']],
      ['synchronousMode', ['patroni']],
      ['etcdNodes', ['patroni']],
      ['failoverCommand', ['pgpool']],
    ]);
  });

  it('plans nodes, sites and settings; refuses what the topology cannot be', () => {
    const s = resolveCluster({ topology: 'streaming-sync', nodes: 4, sites: 2, syncStandbys: 'any 2', syncCommit: 'remote_apply' });
    expect(s.plan.nodes.map((n) => `${n.name}@${n.site}`)).toEqual(['n1@a', 'n2@b', 'n3@a', 'n4@b']);
    expect(s.plan.initdb).toEqual(['n1']);
    expect(s.plan.settings).toEqual({ syncCommit: 'remote_apply', syncStandbys: 'ANY 2' });
    expect(findTopology('streaming-sync')!.nodeSettings!(s.plan, 'n2')).toEqual({ synchronous_standby_names: "'ANY 2 (n1, n3, n4)'", synchronous_commit: 'remote_apply' });
    expect(resolveCluster({ topology: 'logical-bidir', nodes: 3 }).plan.initdb).toEqual(['n1', 'n2', 'n3']);
    expect(() => resolveCluster({ topology: 'single', nodes: 2 })).toThrow(/^topology single has exactly 1 node$/);
    expect(() => resolveCluster({ topology: 'logical-bidir', nodes: 1 })).toThrow(/^topology logical-bidir needs at least 2 nodes$/);
    expect(() => resolveCluster({ topology: 'streaming-async', syncStandbys: 'FIRST 1' })).toThrow(/^--sync-standbys applies to topology streaming-sync only$/);
    expect(() => resolveCluster({ topology: 'external', nodes: 2, externalFile: nodesFile({}) })).toThrow(/--nodes does not apply to topology external/);
    expect(() => resolveCluster({ topology: 'streamin-sync' as never })).toThrow(/unknown topology streamin-sync .*did you mean "streaming-sync"/);
  });
});

describe('capabilities refuse nemeses before a run', () => {
  it('refuses exactly the nemeses whose capabilities a topology lacks, with its reason', () => {
    for (const t of TOPOLOGIES as readonly Topology[]) {
      const { plan } = plans(t);
      const report = t.capabilities(plan);
      for (const n of NEMESIS_NAMES) {
        if (n === 'none') continue;
        const lacking = NEMESIS_NEEDS[n].find((c) => report[c] !== true);
        const raw = { topology: t.name, nemesis: n, ...(t.name === 'external' ? { external: nodesFile({}) } : {}) };
        if (lacking === undefined) {
          expect(() => toRunOptions(raw, 'e'), `${n} on ${t.name}`).not.toThrow();
        } else {
          expect(() => toRunOptions(raw, 'e'), `${n} on ${t.name}`).toThrow(new UsageError(`e: nemesis ${n} is not supported on topology ${t.name}: ${missing(t, plan, NEMESIS_NEEDS[n])}`));
        }
      }
    }
  });

  it('names the reason: no standby to promote, peers, physical replication, an external node without the command', () => {
    expect(() => toRunOptions({ topology: 'logical-bidir', nemesis: 'failover' }, '')).toThrow(/^nemesis failover is not supported on topology logical-bidir: its nodes are peers: there is no standby to promote$/);
    expect(() => toRunOptions({ topology: 'streaming-async', nemesis: 'schema-change' }, '')).toThrow(/^nemesis schema-change is not supported on topology streaming-async: it replicates physically/);
    const some = nodesFile({ kill: 'true' });
    expect(() => toRunOptions({ topology: 'external', external: some, nemesis: 'kill' }, '')).toThrow(`nemesis kill is not supported on topology external: it needs a "start" command for every node; db1, db2 have none in ${some}`);
    expect(toRunOptions({ topology: 'external', external: nodesFile({ kill: 'true', start: 'true' }), nemesis: 'kill' }, '').options.nemesis).toEqual(['kill']);
  });

  it('runTest refuses a run given as options (a replay, a property) before it makes anything', async () => {
    const results = join(tmp, 'results');
    const o = { ...RUN_DEFAULTS, workload: 'set' as const, topology: 'single' as const, nemesis: ['failover' as const], resultsDir: results, progress: false };
    await expect(runTest(o)).rejects.toThrow(new UsageError('nemesis failover is not supported on topology single: it has no standby to promote'));
    expect(existsSync(results) ? readdirSync(results) : []).toEqual([]);
  });
});
