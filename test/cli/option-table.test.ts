// The one option table: every option has help and one flag; commander's defaults, the runner's defaults and the
// README are the table's; every experiment key round-trips into RunOptions; the README's generated tables are
// current (npm run readme-tables rewrites them).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerCluster } from '../../src/cli/commands/cluster.js';
import { registerRun } from '../../src/cli/commands/run.js';
import { flagsOf } from '../../src/cli/option-commander.js';
import { GENERATED, updateReadme } from '../../src/cli/readme-tables.js';
import { CLUSTER_OPTIONS } from '../../src/cluster/option-table.js';
import { RUN_DEFAULTS } from '../../src/runner/config.js';
import { RUN_OPTIONS, SPECIAL_KEYS } from '../../src/runner/option-table.js';
import { EXPERIMENT_KEYS, toRunOptions } from '../../src/runner/options.js';
import { fieldOf, flagOf, type OptionSpec } from '../../src/util/option-spec.js';

const ROOT = join(import.meta.dirname, '..', '..');

function command(name: string): Command {
  const program = new Command();
  registerRun(program);
  registerCluster(program);
  return program.commands.find((c) => c.name() === name)!;
}

/** A valid value of the option that is not its default (for the round trip). */
function sample(o: OptionSpec): unknown {
  const t = o.type;
  switch (t.kind) {
    case 'int':
      // Patroni's ttl must cover loop_wait + 2 × retry_timeout at their defaults (10 + 2 × 10)
      if (o.key === 'ttl') return 31;
      if (o.key === 'etcdNodes') return o.default === 3 ? 1 : 3; // an etcd cluster of 1 or 3 members
      return t.max > t.min + 1 ? t.min + 1 : t.min;
    case 'number':
      return t.min + 0.5;
    case 'string':
      return o.key === 'syncStandbys' ? 'ANY 1' : o.key === 'expectedConsistencyModel' ? 'snapshot-isolation' : `x-${o.key}`;
    case 'boolean':
      return !(o.default ?? false);
    case 'enum':
      return t.values.find((v) => v !== o.default) ?? t.values[0];
  }
}

describe('the run option table', () => {
  it('one entry per key and per flag, each with help', () => {
    expect(new Set(RUN_OPTIONS.map((o) => o.key)).size).toBe(RUN_OPTIONS.length);
    expect(new Set(RUN_OPTIONS.map((o) => flagsOf(o))).size).toBe(RUN_OPTIONS.length);
    for (const o of RUN_OPTIONS) expect(o.help.length, o.key).toBeGreaterThan(5);
    for (const o of CLUSTER_OPTIONS) expect(RUN_OPTIONS, o.key).toContain(o);
  });

  it('commander carries exactly the table, with its defaults; the runner defaults to the same values', () => {
    const run = command('run');
    const flags = run.options.map((o) => o.long);
    expect(flags.filter((f) => f !== '--help').sort()).toEqual(RUN_OPTIONS.map((o) => (o.negatable ? `--no-${flagOf(o.key).slice(2)}` : flagOf(o.key))).sort());
    const defaults = Object.fromEntries(run.options.filter((o) => o.defaultValue !== undefined).map((o) => [o.attributeName(), o.defaultValue]));
    for (const o of RUN_OPTIONS) {
      if (o.default === undefined) continue;
      // a topology's option gets no commander default (it would be given on every topology); --no-report's is commander's own
      if (!o.negatable) expect(defaults[o.key], `commander default of ${o.key}`).toEqual(o.topologies ? undefined : o.default);
      if (!o.cluster && !(SPECIAL_KEYS as readonly string[]).includes(o.key)) expect((RUN_DEFAULTS as unknown as Record<string, unknown>)[fieldOf(o)], `RUN_DEFAULTS.${fieldOf(o)}`).toEqual(o.default);
    }
    // the drift the issue named: --max-retries is 1 everywhere
    expect(defaults.maxRetries).toBe(1);
    expect(RUN_DEFAULTS.maxRetries).toBe(1);
    // what a run without flags gets is what commander would pass
    const parsed = toRunOptions(defaults, '').options as unknown as Record<string, unknown>;
    for (const o of RUN_OPTIONS) if (o.default !== undefined && !o.topologies && !(SPECIAL_KEYS as readonly string[]).includes(o.key)) expect(parsed[fieldOf(o)], o.key).toEqual(o.default);
  });

  it('every experiment key round-trips into RunOptions', () => {
    for (const o of RUN_OPTIONS) {
      if (o.cliOnly || (SPECIAL_KEYS as readonly string[]).includes(o.key) || o.key === 'external' || o.key === 'hosts') continue;
      const v = sample(o);
      const topology = o.topologies?.[0] ?? (o.key === 'nodes' || o.key === 'sites' ? 'logical-bidir' : 'single');
      const raw = { topology, [o.key]: v, ...(o.key === 'sites' ? { nodes: 2 } : {}), ...(o.workloads ? { workload: o.workloads[0] } : {}) };
      const got = toRunOptions(raw, 'e').options as unknown as Record<string, unknown>;
      expect(got[fieldOf(o)], o.key).toEqual(v);
    }
    expect(toRunOptions({ quiet: true }, 'e').options.progress).toBe(false);
    expect(toRunOptions({ repeat: 3 }, 'e').repeat).toBe(3);
    expect(toRunOptions({ topology: 'logical-bidir', routing: 'any' }, 'e').options.routing).toBe('any');
    expect(EXPERIMENT_KEYS).not.toContain('replay');
  });

  it('refuses a value outside the type with the key as written, a topology option on another topology', () => {
    expect(() => toRunOptions({ sites: 27 }, 'f.json experiment 1')).toThrow(/^f\.json experiment 1: "sites" expected an integer from 1 to 26; got 27$/);
    expect(() => toRunOptions({ cut: 'snip' }, '')).toThrow(/^--cut expected one of blackhole, refuse; got "snip"$/);
    expect(() => toRunOptions({ external: 'x.json' }, '')).toThrow(/^--external applies to topology external only$/);
    expect(() => toRunOptions({ workload: 'set', isolation: 'serializable' }, '')).toThrow(/^--isolation applies to workload append, rw-register only \(this run's is set\)$/);
    expect(() => toRunOptions({ workload: 'append', expectedConsistencyModel: 'snapshot-isolaton' }, 'f.json experiment 1')).toThrow(/^f\.json experiment 1: "expectedConsistencyModel": unknown consistency model "snapshot-isolaton" \(did you mean "snapshot-isolation"\?\)/);
  });

  it('cluster up takes the cluster part of the table, and --dir', () => {
    const up = command('cluster').commands.find((c) => c.name() === 'up')!;
    expect(up.options.map((o) => o.long).filter((f) => f !== '--help')).toEqual(['--topology', ...CLUSTER_OPTIONS.map((o) => flagOf(o.key)), '--dir']);
  });
});

describe('the README', () => {
  it('holds the generated tables as the table and the registry render them', () => {
    const text = readFileSync(join(ROOT, 'README.md'), 'utf8');
    for (const [name, render] of Object.entries(GENERATED)) expect(text, `README block ${name}: run npm run readme-tables`).toContain(render());
    expect(updateReadme(text)).toBe(text);
  });
});
