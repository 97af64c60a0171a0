// Environment knobs that scale property tests without editing them: FAULTLINE_RUNS, FAULTLINE_TIME,
// FAULTLINE_SEED, FAULTLINE_PATH, FAULTLINE_SHRINKS, FAULTLINE_RESULTS, FAULTLINE_KEEP.

/** Defaults sized for CI: a few short runs, one fixed seed. */
export const PROPERTY_DEFAULTS = {
  runs: 3,
  timeS: 6,
  seed: 42,
  /** shrink runs after a failure (each a real run); FAULTLINE_SHRINKS=1000 for a thorough overnight shrink */
  shrinks: 10,
  resultsDir: 'results',
} as const;

export interface PropertyEnv {
  /** FAULTLINE_RUNS: generated cases per property */
  runs?: number;
  /** FAULTLINE_TIME: seconds of client load (and faults) per run */
  timeS?: number;
  /** FAULTLINE_SEED: fast-check seed (an integer, or "random" for a fresh one) */
  seed?: number;
  /** FAULTLINE_PATH: fast-check path of a counterexample, to replay it with its seed */
  path?: string;
  /** FAULTLINE_SHRINKS: most shrink candidates tried (each one a real run) */
  shrinks?: number;
  /** FAULTLINE_RESULTS: the results directory (run directories go under <it>/properties/) */
  resultsDir?: string;
  /** FAULTLINE_KEEP=1: keep the run directories of passing cases too */
  keep?: boolean;
}

/** Reads the knobs; a malformed value is an error naming the variable, never silently ignored. */
export function propertyEnv(env: NodeJS.ProcessEnv = process.env): PropertyEnv {
  const out: PropertyEnv = {};
  const num = (name: string, min: number, integer: boolean): number | undefined => {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') return undefined;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) {
      throw new Error(`${name}=${raw}: expected ${integer ? 'an integer' : 'a number'} ≥ ${min}`);
    }
    return n;
  };
  out.runs = num('FAULTLINE_RUNS', 1, true);
  out.timeS = num('FAULTLINE_TIME', 1, false);
  out.shrinks = num('FAULTLINE_SHRINKS', 0, true);
  const seed = env.FAULTLINE_SEED?.trim();
  if (seed === 'random') out.seed = Date.now() % 2 ** 31;
  else if (seed) {
    const n = Number(seed);
    if (!Number.isInteger(n)) throw new Error(`FAULTLINE_SEED=${seed}: expected an integer or "random"`);
    out.seed = n;
  }
  if (env.FAULTLINE_PATH?.trim()) out.path = env.FAULTLINE_PATH.trim();
  if (env.FAULTLINE_RESULTS?.trim()) out.resultsDir = env.FAULTLINE_RESULTS.trim();
  if (env.FAULTLINE_KEEP !== undefined) out.keep = env.FAULTLINE_KEEP === '1' || env.FAULTLINE_KEEP === 'true';
  for (const k of Object.keys(out) as (keyof PropertyEnv)[]) if (out[k] === undefined) delete out[k];
  return out;
}

/** Seconds per run: FAULTLINE_TIME, else the default (plans are generated to fit in it). */
export function propertyTimeS(env: NodeJS.ProcessEnv = process.env): number {
  return propertyEnv(env).timeS ?? PROPERTY_DEFAULTS.timeS;
}
