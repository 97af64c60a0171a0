// The README's generated tables, rendered from the option table and the topology registry (never written by hand):
// `faultline run`'s options and the topologies with the nemeses each refuses. `npm run readme-tables` rewrites them
// between their markers; a test fails when the README's copy differs.
import { NEMESIS_NAMES, NEMESIS_NEEDS } from '../../nemesis/names.js';
import { resolveCluster } from '../cluster/options.js';
import { missing } from '../cluster/topology/capabilities.js';
import { TOPOLOGIES } from '../cluster/topology/index.js';
import type { Topology } from '../cluster/topology/types.js';
import { RUN_OPTIONS } from '../runner/option-table.js';
import { defaultShown, type OptionSpec } from '../util/option-spec.js';
import { flagsOf } from './option-commander.js';

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/</g, '&lt;');

function optionRow(o: OptionSpec): string {
  const flag = flagsOf(o).replace(/<([^>]+)>/, (_, a: string) => a.toUpperCase());
  const t = o.type;
  const choices = t.kind === 'enum' && o.key !== 'workload' && o.key !== 'topology' ? `: ${t.values.map((v) => `\`${v}\``).join(', ')}` : '';
  const scope = o.topologies ? ` (${o.topologies.join(', ')} only)` : o.workloads ? ` (workload ${o.workloads.join(', ')} only)` : '';
  const shown = defaultShown(o);
  const def = shown === '' ? '' : o.defaultText !== undefined ? shown : `\`${shown}\``;
  const key = o.cliOnly ? ' (command line only)' : ` (\`${o.key}\`)`;
  return `| \`${flag}\`${key} | ${cell(def)} | ${cell(o.help + choices + scope)} |`;
}

/** `faultline run`'s options: flag (experiment key), default, meaning. */
export function runOptionsTable(): string {
  return ['| option (experiment key) | default | meaning |', '|---|---|---|', ...RUN_OPTIONS.map(optionRow)].join('\n');
}

/** The nemeses a topology refuses, and why (its capability report under its default plan). */
function refused(t: Topology): string {
  if (t.nodeCount === 'from its file') return 'by its file: a nemesis needing a command a node lacks (`kill`: kill + start, `pause`: pause + resume, `switchover-*`: stop + start); `partition` across nodes; `failover`';
  const plan = resolveCluster({ topology: t.name as never }).plan;
  const out = NEMESIS_NAMES.filter((n) => n !== 'none' && missing(t, plan, NEMESIS_NEEDS[n]) !== null).map((n) => `\`${n}\``);
  return out.length > 0 ? out.join(', ') : 'none';
}

/** The topologies: name, nodes, what it is, the nemeses it refuses before a run. */
export function topologiesTable(): string {
  const rows = (TOPOLOGIES as readonly Topology[]).map((t) => {
    const nodes = t.nodeCount === 'from its file' ? 'from its file' : t.nodeCount.min === t.nodeCount.max ? String(t.nodeCount.min) : `${t.nodeCount.default} (${t.nodeCount.min}–${t.nodeCount.max})`;
    const opts = t.options.map((o) => `\`${flagsOf(o).replace(/ <.*>/, '')}\``).join(', ');
    return `| \`${t.name}\` | ${nodes} | ${cell(t.summary)}${opts ? `; ${opts}` : ''} | ${refused(t)} |`;
  });
  return ['| topology | nodes (default, range) | what it is | nemeses it refuses |', '|---|---|---|---|', ...rows].join('\n');
}

export const GENERATED: Record<string, () => string> = { 'run-options': runOptionsTable, topologies: topologiesTable };

/** The README with every generated block (between `<!-- generated: NAME -->` and `<!-- end: NAME -->`) rendered anew. */
export function updateReadme(text: string): string {
  let out = text;
  for (const [name, render] of Object.entries(GENERATED)) {
    const begin = `<!-- generated: ${name} (npm run readme-tables) -->`;
    const end = `<!-- end: ${name} -->`;
    const i = out.indexOf(begin);
    const j = out.indexOf(end);
    if (i < 0 || j < i) throw new Error(`README has no ${begin} … ${end} block`);
    out = `${out.slice(0, i + begin.length)}\n${render()}\n${out.slice(j)}`;
  }
  return out;
}
