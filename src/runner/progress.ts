// Live progress on the terminal: elapsed / total, acknowledged ops/s, ok / fail / info, the fault in force.
// A cli-progress bar on a TTY (log lines printed above it, the bar cleared before anything follows); on
// pipes and CI, one plain line every few seconds. The bar starts with the main phase, never before.
import cliProgress from 'cli-progress';

export interface ProgressCounts {
  ok: number;
  fail: number;
  info: number;
}

export interface Progress {
  /** main-phase time and counts; the first call starts the bar */
  update(elapsedS: number, counts: ProgressCounts, fault: string | null): void;
  /** a line above the bar (or a plain line when there is none) */
  log(line: string): void;
  /** clear the bar: whatever is written next starts on a clean line */
  stop(): void;
}

/** Seconds of main phase over which the ok/s rate is measured (a sliding window). */
export const RATE_WINDOW_S = 3;
/** Seconds between plain progress lines when stderr is not a terminal. */
export const PLAIN_EVERY_S = 5;

/**
 * Acknowledged ops per second over the last RATE_WINDOW_S seconds; null until a full second of main phase
 * has been seen (no stale "0 ops/s" at the start). Failures and unknown outcomes are not throughput.
 */
export class OkRate {
  private readonly samples: Array<[number, number]> = [];

  sample(elapsedS: number, ok: number): number | null {
    this.samples.push([elapsedS, ok]);
    while (this.samples.length > 2 && elapsedS - (this.samples[1] as [number, number])[0] >= RATE_WINDOW_S) this.samples.shift();
    const [t0, ok0] = this.samples[0] as [number, number];
    if (elapsedS < 1 || elapsedS - t0 < 0.5) return null;
    return (ok - ok0) / (elapsedS - t0);
  }
}

/** The numbers part of a progress line: "171 ok/s · ok 1610 · fail 31 · info 2". Pure. */
export function countsText(rate: number | null, c: ProgressCounts): string {
  return `${rate === null ? '…' : rate.toFixed(0)} ok/s · ok ${c.ok} · fail ${c.fail} · info ${c.info}`;
}

/** One plain progress line (pipes, CI). Pure. */
export function plainLine(elapsedS: number, totalS: number, rate: number | null, c: ProgressCounts, fault: string | null): string {
  return `  ${Math.min(totalS, Math.floor(elapsedS))}/${totalS}s  ${countsText(rate, c)}  fault: ${fault ?? '-'}`;
}

/** Cut `s` to at most `max` characters, with an ellipsis. */
function fit(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, Math.max(0, max - 1))}…`;
}

export function makeProgress(totalS: number, enabled: boolean, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!enabled) return { update() {}, log() {}, stop() {} };
  const rate = new OkRate();
  if (!stream.isTTY) {
    let nextLine = PLAIN_EVERY_S;
    return {
      update(elapsedS, c, fault) {
        const r = rate.sample(elapsedS, c.ok);
        if (elapsedS < nextLine) return;
        nextLine = (Math.floor(elapsedS / PLAIN_EVERY_S) + 1) * PLAIN_EVERY_S;
        stream.write(`${plainLine(elapsedS, totalS, r, c, fault)}\n`);
      },
      log(line) {
        stream.write(`  ${line}\n`);
      },
      stop() {},
    };
  }
  const BAR = 20;
  // the fixed parts of the format, to fit the fault label into the terminal's width
  const fixed = 2 + BAR + 1 + `${totalS}/${totalS}s`.length + 3 + 3 + 'fault: '.length;
  const multi = new cliProgress.MultiBar(
    {
      stream,
      format: '  {bar} {value}/{total}s · {counts} · fault: {fault}',
      hideCursor: true,
      clearOnComplete: true,
      linewrap: false,
      barsize: BAR,
      gracefulExit: false,
      autopadding: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let bar: cliProgress.SingleBar | null = null;
  let stopped = false;
  let last: { elapsedS: number; c: ProgressCounts; r: number | null; fault: string | null } | null = null;
  const payload = (r: number | null, c: ProgressCounts, fault: string | null): Record<string, string> => {
    const counts = countsText(r, c);
    const room = (stream.columns ?? 100) - fixed - counts.length - 1;
    return { counts, fault: fit(fault ?? '-', Math.max(1, room)) };
  };
  return {
    update(elapsedS, c, fault) {
      if (stopped) return;
      const r = rate.sample(elapsedS, c.ok);
      last = { elapsedS, c: { ...c }, r, fault };
      const value = Math.min(totalS, Math.floor(elapsedS));
      if (bar === null) bar = multi.create(totalS, value, payload(r, c, fault));
      else bar.update(value, payload(r, c, fault));
    },
    log(line) {
      if (bar === null || stopped) {
        stream.write(`  ${line}\n`);
        return;
      }
      multi.log(`  ${line}\n`);
    },
    stop() {
      if (stopped) return;
      stopped = true;
      if (bar === null) return;
      multi.update(); // flush buffered log lines above the bar
      multi.stop(); // clearOnComplete: the bar's line is erased, the cursor is back at its start
      // what the bar last said, as a plain line that stays
      if (last) stream.write(`${plainLine(last.elapsedS, totalS, last.r, last.c, last.fault)}\n`);
    },
  };
}
