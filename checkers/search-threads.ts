// The main thread's side of a parallel linearizability search: starts one worker thread (search-worker.ts)
// on a share of the keys, and waits for its outcome synchronously (Atomics) so the checker stays a plain
// function. Only from the compiled command (a worker cannot load TypeScript sources) and with two cores.
import { availableParallelism, loadavg } from 'node:os';
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type { Key, Op } from '../src/history/types.js';
import type { KeysOutcome } from './linearizability.js';

/** What a worker is given: plain data, the ops structured-cloned, the flags shared. */
export interface WorkerJob {
  model: string;
  keys: { key: Key | null; ops: Op[]; position: number }[];
  timeLimitMs?: number;
  maxStates?: number;
  allKeys: boolean;
  memoryBytes: number;
  /** [0] stop (an anomaly was found), [1] the worker is done */
  flags: Int32Array;
}

export interface WorkerShare {
  /** Block until the worker has posted its outcome (or throw what it threw). */
  wait(): KeysOutcome;
}

const WORKER_FILE = new URL('./search-worker.js', import.meta.url);

/**
 * Can this process search in a worker thread? Compiled code, two cores, and one of them idle (the load
 * average of the last minute below cores − 1: on a busy machine a second thread only adds its start-up);
 * FAULTLINE_SEARCH_WORKERS=0 turns workers off, =always hands keys to one after the first round however short
 * it was and however busy the machine (tests, benchmarks).
 */
export function workersAvailable(): boolean {
  if (!import.meta.url.endsWith('.js') || process.env.FAULTLINE_SEARCH_WORKERS === '0') return false;
  const cores = availableParallelism();
  return cores >= 2 && (workersForced() || loadavg()[0] < cores - 1);
}

/** FAULTLINE_SEARCH_WORKERS=always: offload whenever keys are left after the first round. */
export function workersForced(): boolean {
  return process.env.FAULTLINE_SEARCH_WORKERS === 'always';
}

export function startWorker(job: WorkerJob): WorkerShare {
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(WORKER_FILE, { workerData: { ...job, port: port2 }, transferList: [port2] });
  worker.unref();
  return {
    wait(): KeysOutcome {
      // the worker stops at its time limit too; past it (and a grace) something is wrong
      const until = job.timeLimitMs === undefined ? Number.POSITIVE_INFINITY : performance.now() + job.timeLimitMs + 30_000;
      while (Atomics.load(job.flags, 1) === 0 && performance.now() < until) Atomics.wait(job.flags, 1, 0, 1000);
      const got = receiveMessageOnPort(port1)?.message as { out?: KeysOutcome; error?: string } | undefined;
      port1.close();
      void worker.terminate();
      if (got?.out !== undefined) return got.out;
      throw new Error(`the search worker ${got?.error === undefined ? 'gave no answer' : `failed: ${got.error}`}`);
    },
  };
}
