// Primary periods from the sampler's samples (metrics.jsonl): the spans during which a node was certainly not in
// recovery. A postmaster that is not in recovery never re-enters recovery without a restart, so two such samples of
// one postmaster (same pg_postmaster_start_time) prove the node stayed primary between them. Pure.

/** The fields of a metrics.jsonl line this module reads (other fields are ignored). */
export interface RoleSample {
  /** ns since the run's t0: when the sample's query was sent */
  time: number;
  /** ns since t0: when the node's answer arrived (the state was read somewhere in [time, answered]) */
  answered?: number;
  node: string;
  in_recovery?: boolean;
  /** pg_postmaster_start_time() as text: identifies one postmaster's life */
  postmaster_start?: string;
  error?: string;
}

/** A span (ns since t0) during which `node` was certainly not in recovery. */
export interface PrimaryPeriod {
  node: string;
  from: number;
  to: number;
  postmasterStart: string;
  /** how many samples showed it (two at least: one sample proves an instant, not a span) */
  samples: number;
}

/** Samples this module can use: with the answer time and the postmaster's identity (older samplers lacked them). */
export function usable(s: RoleSample): boolean {
  return typeof s.time === 'number' && typeof s.answered === 'number' && (s.error !== undefined || (typeof s.in_recovery === 'boolean' && typeof s.postmaster_start === 'string'));
}

/**
 * Per node, the maximal runs of answered samples that are not in recovery with one postmaster (error samples
 * inside a run neither break it nor extend it). Each run of two or more gives the certain span from the first
 * sample's answer to the last sample's send.
 */
export function primaryPeriods(samples: readonly RoleSample[]): PrimaryPeriod[] {
  const byNode = new Map<string, RoleSample[]>();
  for (const s of samples) {
    if (!usable(s)) continue;
    const list = byNode.get(s.node);
    if (list) list.push(s);
    else byNode.set(s.node, [s]);
  }
  const out: PrimaryPeriod[] = [];
  for (const [node, list] of [...byNode.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    list.sort((a, b) => a.time - b.time);
    let run: RoleSample[] = [];
    const close = (): void => {
      if (run.length >= 2) {
        const first = run[0]!;
        const last = run[run.length - 1]!;
        if (last.time > first.answered!) out.push({ node, from: first.answered!, to: last.time, postmasterStart: first.postmaster_start!, samples: run.length });
      }
      run = [];
    };
    for (const s of list) {
      if (s.error !== undefined) continue;
      if (s.in_recovery === false) {
        if (run.length > 0 && run[0]!.postmaster_start !== s.postmaster_start) close();
        run.push(s);
      } else close();
    }
    close();
  }
  return out;
}

/**
 * Whether the samples show `node` left the primary role somewhere in (from, to): a sample in recovery, or a
 * different postmaster than one seen before or after. null when no usable sample of it falls in the window.
 */
export function leftPrimary(samples: readonly RoleSample[], node: string, from: number, to: number): boolean | null {
  const inside = samples.filter((s) => s.node === node && usable(s) && s.error === undefined && s.time < to && (s.answered ?? s.time) > from);
  if (inside.length === 0) return null;
  if (inside.some((s) => s.in_recovery === true)) return true;
  return new Set(inside.map((s) => s.postmaster_start)).size > 1;
}

/** The role fields of metrics.jsonl lines (parsed objects); lines without a time or node are skipped. */
export function roleSamples(lines: readonly Record<string, unknown>[]): RoleSample[] {
  const out: RoleSample[] = [];
  for (const l of lines) {
    if (typeof l.time !== 'number' || typeof l.node !== 'string') continue;
    const s: RoleSample = { time: l.time, node: l.node };
    if (typeof l.answered === 'number') s.answered = l.answered;
    if (typeof l.in_recovery === 'boolean') s.in_recovery = l.in_recovery;
    if (typeof l.postmaster_start === 'string') s.postmaster_start = l.postmaster_start;
    if (typeof l.error === 'string') s.error = l.error;
    out.push(s);
  }
  return out;
}
