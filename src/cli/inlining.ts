// V8's function inlining during `faultline check`: off while a check is start-up bound (small inputs, where
// compiling inlined code costs more than it gains), back on for large inputs and once a search runs long.
// FAULTLINE_INLINING=on keeps V8's default throughout (bench/linearizability.bench.ts measures both).
import { setFlagsFromString } from 'node:v8';
import { MiB } from '../history/guards.js';

/** Inputs up to this many bytes in all are start-up bound: their check takes well under a second. */
export const START_UP_BOUND_BYTES = 8 * MiB;

/** Whether a check of `bytes` of input (null: unknown, as from a pipe) starts with inlining off. */
export function startsWithoutInlining(bytes: number | null, env: NodeJS.ProcessEnv = process.env): boolean {
  return env.FAULTLINE_INLINING !== 'on' && bytes !== null && bytes <= START_UP_BOUND_BYTES;
}

let off = false;

/** Turn inlining off for the code compiled from now on (what is compiled already stays as it is). */
export function inliningOff(): void {
  if (off) return;
  setFlagsFromString('--no-turbo-inlining');
  off = true;
}

/** Turn inlining back on (V8's default); idempotent. */
export function inliningOn(): void {
  if (!off) return;
  setFlagsFromString('--turbo-inlining');
  off = false;
}

export function inliningIsOff(): boolean {
  return off;
}
