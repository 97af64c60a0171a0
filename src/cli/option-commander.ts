// Commander options generated from option tables (src/util/option-spec.ts): flag, placeholder, parser with its
// range, choices, default and help all come from the spec, so --help and validation cannot drift apart.
import { Option, type Command } from 'commander';
import { defaultShown, flagOf, type OptionSpec } from '../util/option-spec.js';
import { int, num } from './numbers.js';

/** `-w, --workload <name>`, `--no-report`, `--tls`. */
export function flagsOf(spec: OptionSpec): string {
  const long = spec.negatable ? `--no-${flagOf(spec.key).slice(2)}` : flagOf(spec.key);
  const value = spec.type.kind === 'boolean' ? '' : ` <${spec.arg ?? 'value'}>`;
  return `${spec.short ? `${spec.short}, ` : ''}${long}${value}`;
}

/** One commander Option from a spec; `commanderDefault` false leaves the default to the help text only. */
export function commanderOption(spec: OptionSpec): Option {
  // a topology's or workload's option gets no commander default: given with another one it would be refused
  const setsDefault = spec.default !== undefined && !spec.negatable && spec.topologies === undefined && spec.workloads === undefined && spec.type.kind !== 'boolean';
  const notes: string[] = [];
  if (spec.topologies) notes.push(`topology ${spec.topologies.join(', ')}`);
  if (spec.workloads) notes.push(`workload ${spec.workloads.join(', ')}`);
  const shown = defaultShown(spec);
  if (!setsDefault && !spec.negatable && shown !== '') notes.push(`default: ${shown}`);
  const o = new Option(flagsOf(spec), notes.length > 0 ? `${spec.help} (${notes.join('; ')})` : spec.help);
  const t = spec.type;
  if (t.kind === 'int') o.argParser(int(t.min, t.max));
  if (t.kind === 'number') o.argParser(num(t.min, t.max));
  if (t.kind === 'enum') o.choices(t.values);
  if (setsDefault) o.default(spec.default);
  return o;
}

export function addOptions(cmd: Command, specs: readonly OptionSpec[]): Command {
  for (const s of specs) cmd.addOption(commanderOption(s));
  return cmd;
}
