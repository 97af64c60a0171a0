// The history format of ../shared/spec/history.md as TypeScript types: events, processes, paired ops.
// Everything else in faultline (workloads, checkers, reports) speaks these types.

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** invoke: the op starts; ok: it took effect; fail: it certainly did not; info: unknown. */
export type EventType = 'invoke' | 'ok' | 'fail' | 'info';
export type CompletionType = Exclude<EventType, 'invoke'>;

/** A logical client process, or the nemesis. */
export type Process = number | 'nemesis';

/** The object an op acts on in keyed ("independent") histories. */
export type Key = string | number;

/** One line of history.jsonl. Extra fields are allowed and ignored by checkers. */
export interface HistoryEvent {
  index: number;
  /** nanoseconds since the test started (monotonic) */
  time: number;
  process: Process;
  type: EventType;
  f: string;
  key?: Key;
  value?: Json;
  node?: string;
  error?: string;
  [extra: string]: unknown;
}

/**
 * A client operation: an invoke paired with its completion.
 * An invoke never completed by the end of the history is `info` with `complete === null`.
 */
export interface Op {
  process: number;
  f: string;
  key?: Key;
  /** outcome: ok, fail, or info (unknown; includes never completed) */
  type: CompletionType;
  /** the value given at invoke */
  invokeValue: Json;
  /** the value at completion for ok ops (e.g. what a read returned); invokeValue otherwise */
  value: Json;
  invokeIndex: number;
  /** index of the completion event, or null when the op never completed */
  completeIndex: number | null;
  invokeTime: number;
  /** completion time in ns, or null when never completed */
  completeTime: number | null;
  node?: string;
  error?: string;
  /** for a retried op (routing `any`): which attempt this is (1, 2, …) and the invoke index it retries */
  retry?: number;
  retryOf?: number;
}

/** A nemesis event (process "nemesis"), kept apart from client ops. */
export interface NemesisEvent {
  index: number;
  time: number;
  type: EventType;
  f: string;
  value?: Json;
  [extra: string]: unknown;
}

/** A history paired into client ops (ordered by invoke index) and nemesis events. */
export interface PairedHistory {
  ops: Op[];
  nemesis: NemesisEvent[];
  /** number of events read */
  events: number;
}
