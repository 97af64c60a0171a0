// One declarative option: experiment-file key, flag, type, default and help. Tables of these generate commander's
// options, validate flags and experiment files alike, give the defaults and render --help and the README's tables.
import { UsageError } from './exit.js';
import { didYouMean } from './suggest.js';

export type OptionType =
  | { readonly kind: 'int'; readonly min: number; readonly max: number }
  | { readonly kind: 'number'; readonly min: number; readonly max: number }
  | { readonly kind: 'string' }
  | { readonly kind: 'boolean' }
  | { readonly kind: 'enum'; readonly values: readonly string[] };

export type OptionValue = string | number | boolean;

export interface OptionSpec {
  /** the experiment-file key; the long flag is its kebab-case (timeLimit ↔ --time-limit) */
  readonly key: string;
  /** the options field it sets (RunOptions, ClusterOptions), when not the key itself (timeLimit → timeLimitS) */
  readonly field?: string;
  /** a one-letter flag: `-w` */
  readonly short?: string;
  /** the value's placeholder in --help: `--time-limit <s>` */
  readonly arg?: string;
  readonly type: OptionType;
  readonly help: string;
  /** the value when not given (commander's default, the runner's defaults, --help and the README) */
  readonly default?: OptionValue;
  /** --help / README text for a default that is not one value ("per topology") */
  readonly defaultText?: string;
  /** a boolean that is on unless negated: --no-report */
  readonly negatable?: boolean;
  /** passed to startCluster (a cluster option) rather than read by the runner */
  readonly cluster?: boolean;
  /** only these topologies read it (the topology modules that declare it): refused on any other */
  readonly topologies?: readonly string[];
  /** only these workloads read it: refused with any other */
  readonly workloads?: readonly string[];
  /** a further check of a value of the right type: what is wrong with it, or null (e.g. a name from a long list) */
  readonly check?: (v: OptionValue) => string | null;
  /** a command-line flag only, not an experiment-file key (--replay) */
  readonly cliOnly?: boolean;
}

export const int = (min: number, max = Number.MAX_SAFE_INTEGER): OptionType => ({ kind: 'int', min, max });
export const num = (min: number, max = Number.MAX_VALUE): OptionType => ({ kind: 'number', min, max });
export const oneOf = (values: readonly string[]): OptionType => ({ kind: 'enum', values });
export const STRING: OptionType = { kind: 'string' };
export const BOOLEAN: OptionType = { kind: 'boolean' };

/** `timeLimit` → `--time-limit`. */
export function flagOf(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** The options field a spec sets. */
export function fieldOf(spec: OptionSpec): string {
  return spec.field ?? spec.key;
}

/** "from 1 to 26", or "of at least 0" when there is no useful upper bound. */
export function rangeText(min: number, max: number): string {
  return max >= Number.MAX_SAFE_INTEGER ? `of at least ${min}` : `from ${min} to ${max}`;
}

/** What a value of this type must be, as a sentence fragment ("an integer from 1 to 26"). */
export function expected(t: OptionType): string {
  switch (t.kind) {
    case 'int':
      return `an integer ${rangeText(t.min, t.max)}`;
    case 'number':
      return `a number ${rangeText(t.min, t.max)}`;
    case 'string':
      return 'a string';
    case 'boolean':
      return 'true or false';
    case 'enum':
      return `one of ${t.values.join(', ')}`;
  }
}

/**
 * Checks one value (a flag's text, or an experiment file's JSON value) against its spec and returns it typed.
 * `name` is how the user wrote the setting ("timeLimit" in a file, --time-limit on the command line); `prefix`
 * goes before the message ("FILE experiment 2: ", or '').
 */
export function coerce(spec: OptionSpec, v: unknown, name: string, prefix = ''): OptionValue {
  const value = coerceType(spec, v, name, prefix);
  const problem = spec.check?.(value) ?? null;
  if (problem !== null) throw new UsageError(`${prefix}${name}: ${problem}`);
  return value;
}

function coerceType(spec: OptionSpec, v: unknown, name: string, prefix: string): OptionValue {
  const t = spec.type;
  const bad = (hint = ''): never => {
    throw new UsageError(`${prefix}${name} expected ${expected(t)}; got ${JSON.stringify(v)}${hint}`);
  };
  switch (t.kind) {
    case 'int':
    case 'number': {
      const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
      if (!Number.isFinite(n) || n < t.min || n > t.max || (t.kind === 'int' && !Number.isInteger(n))) bad();
      return n;
    }
    case 'string':
      return typeof v === 'string' ? v : bad();
    case 'boolean':
      return typeof v === 'boolean' ? v : bad();
    case 'enum':
      if (typeof v === 'string' && t.values.includes(v)) return v;
      return bad(typeof v === 'string' ? didYouMean(v, t.values) : '');
  }
}

/** The default as --help and the README show it ('' when none). */
export function defaultShown(spec: OptionSpec): string {
  if (spec.defaultText !== undefined) return spec.defaultText;
  if (spec.negatable) return 'on';
  if (spec.default === undefined || spec.default === false) return '';
  return String(spec.default);
}
