// Nemesis schedules: periodic (wait, start a fault, hold, heal, repeat) or random (durations drawn from
// the seed). Every start and heal is recorded in the history as a nemesis invoke + info pair.
import { nemesisLabel } from '../src/history/nemesis-label.js';
import type { HistoryWriter } from '../src/history/writer.js';
import type { PartitionMode } from './partition.js';
import type { FaultRecord, Nemesis, NemesisContext, NodeSetSpec } from './types.js';

export type ScheduleMode = 'periodic' | 'random';
export const SCHEDULE_MODES: readonly ScheduleMode[] = ['periodic', 'random'];

/** One step of an explicit fault plan: start `nemesis` at `at` s into the main phase, heal it `duration` s later. */
export interface FaultStep {
  at: number;
  nemesis: string;
  duration: number;
  /** which nodes this step hits (default: the run's --targets) */
  targets?: NodeSetSpec;
  /** a partition step: which links it cuts (default: the run's --partition) */
  mode?: PartitionMode;
}

export interface ScheduleOptions {
  mode: ScheduleMode;
  /** seconds between faults, and how long each holds (mean for random) */
  intervalS: number;
  stopped(): boolean;
  /** resolves when the run is stopping (to cut sleeps short) */
  stopping: Promise<void>;
  onChange?(inForce: string | null): void;
}

/** Runs faults until stopped; leaves nothing in force (the final heal is the runner's, via healAll). */
export async function runSchedule(nemeses: Nemesis[], ctx: NemesisContext, writer: HistoryWriter, o: ScheduleOptions): Promise<void> {
  if (nemeses.length === 0) return;
  const pause = (): Promise<void> => {
    const s = o.mode === 'random' ? ctx.rng.exp(o.intervalS) : o.intervalS;
    return Promise.race([new Promise<void>((r) => setTimeout(r, Math.max(0.2, s) * 1000)), o.stopping]);
  };
  let turn = 0;
  while (!o.stopped()) {
    await pause();
    if (o.stopped()) break;
    const nem = o.mode === 'random' ? ctx.rng.pick(nemeses) : nemeses[turn++ % nemeses.length];
    o.onChange?.(nem.name);
    await record(writer, nem.names[0], () => nem.start(ctx), ctx);
    await pause();
    await record(writer, nem.names[1], () => nem.stop(ctx), ctx);
    o.onChange?.(null);
  }
}

/**
 * Runs an explicit plan (property tests, replays): steps in order of `at`; a step whose nemesis is still in
 * force from an earlier step waits for that heal. Nemeses are looked up by name in `nemeses`.
 */
export async function runPlan(plan: readonly FaultStep[], nemeses: Nemesis[], ctx: NemesisContext, writer: HistoryWriter, o: Omit<ScheduleOptions, 'mode' | 'intervalS'>): Promise<void> {
  const t0 = Date.now();
  const byName = new Map(nemeses.map((n) => [n.name, n]));
  const until = (s: number): Promise<void> => {
    const ms = t0 + s * 1000 - Date.now();
    return ms <= 0 ? Promise.resolve() : Promise.race([new Promise<void>((r) => setTimeout(r, ms)), o.stopping]);
  };
  const steps = [...plan].sort((a, b) => a.at - b.at);
  const running: Promise<void>[] = [];
  const busy = new Map<string, Promise<void>>();
  for (const step of steps) {
    const nem = byName.get(step.nemesis);
    if (!nem) throw new Error(`fault plan names nemesis "${step.nemesis}", which is not in this run`);
    await until(step.at);
    if (o.stopped()) break;
    const prior = busy.get(nem.name) ?? Promise.resolve();
    const sctx: NemesisContext = { ...ctx, targets: step.targets ?? ctx.targets };
    if (step.mode) sctx.partitionMode = step.mode;
    const p = prior.then(async () => {
      if (o.stopped()) return;
      o.onChange?.(nem.name);
      await record(writer, nem.names[0], () => nem.start(sctx), sctx);
      await until(step.at + step.duration);
      await record(writer, nem.names[1], () => nem.stop(sctx), sctx);
      o.onChange?.(null);
    });
    busy.set(nem.name, p);
    running.push(p);
  }
  await Promise.all(running);
}

/** Heal every nemesis (used at the end of the main phase and on interrupt), recording what was healed. */
export async function healAll(nemeses: Nemesis[], ctx: NemesisContext, writer: HistoryWriter | null): Promise<void> {
  for (const nem of nemeses) {
    if (writer) await record(writer, nem.names[1], () => nem.stop(ctx), ctx, true);
    else await nem.stop(ctx).catch(() => null);
  }
}

async function record(
  writer: HistoryWriter,
  f: string,
  action: () => Promise<FaultRecord | null>,
  ctx: NemesisContext,
  onlyIfSomething = false,
): Promise<void> {
  // a scheduled fault is recorded from its start; a final heal only when it healed something (or failed)
  if (!onlyIfSomething) writer.append({ process: 'nemesis', type: 'invoke', f });
  let rec: FaultRecord | null = null;
  let error: string | null = null;
  try {
    rec = await action();
  } catch (err) {
    error = err instanceof Error ? err.message : String(err);
  }
  if (onlyIfSomething) {
    if (rec === null && error === null) return;
    writer.append({ process: 'nemesis', type: 'invoke', f });
  }
  if (error !== null) {
    ctx.log(`nemesis ${f} failed: ${error}`);
    writer.append({ process: 'nemesis', type: 'info', f, error });
    return;
  }
  writer.append({ process: 'nemesis', type: 'info', f, value: rec?.value ?? null });
  if (rec) ctx.log(`nemesis: ${nemesisLabel(f, rec.value, 100)}`);
}
