// `faultline check`: command-line definition (options, help); the implementation is imported lazily.
import { InvalidArgumentError, Option, type Command } from 'commander';

/** Same list as CHECK_MODELS in checkers/index.ts (kept here so `--help` loads no checker; a test keeps them equal). */
export const CHECK_MODEL_CHOICES = ['register', 'cas-register', 'counter', 'set', 'kv', 'list-append', 'rw-register'] as const;

/** Default --time-limit, in seconds. */
export const DEFAULT_TIME_LIMIT_S = 60;

/** Default --max-line, in MiB (src/history/guards.ts DEFAULT_MAX_LINE_MIB; kept here so `--help` loads no reader). */
export const DEFAULT_MAX_LINE_MIB = 64;

function parseMaxLine(v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a number of MiB > 0');
  return n;
}

function parseTimeLimit(v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < 0) {
    throw new InvalidArgumentError('expected a number of seconds >= 0 (0: no limit)');
  }
  return n;
}

export interface CheckOptions {
  /** absent: each history must be a run's, and its test.json names the model */
  model?: (typeof CHECK_MODEL_CHOICES)[number];
  json?: boolean;
  timeLimit: number;
  linearizable?: boolean;
  final?: string;
  /** the longest JSONL line / EDN top-level form read, in MiB */
  maxLine?: number;
  /** linearizability: check every key even after one is found not linearizable */
  allKeys?: boolean;
  /** list-append / rw-register (checked in ../txn-options.ts) */
  consistencyModels?: string;
  anomalies?: string;
  linearizableKeys?: boolean;
  sequentialKeys?: boolean;
  wfrKeys?: boolean;
  transactionOrder?: string;
  cycleSearchTimeout?: number;
  explain?: boolean;
}

function parseMs(v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a number of milliseconds > 0');
  return n;
}

const HELP_AFTER = `
HISTORY: a history.jsonl, a Jepsen history.edn, - for stdin (JSONL, or EDN when it
starts with [, ( or {:), or a directory (every *.jsonl and *.edn below it, sorted;
in a run directory only its history.jsonl: metrics.jsonl is not a history).
One line per history in argument order (one JSON object per line with --json:
file, model, valid, status, ops, reason, and each checker's details; a history
that cannot be read gives file, status and error instead).

Models: register, cas-register, kv: linearizability (WGL search, per key);
counter: read bounds and final values; set: Jepsen set-full (lost, stale,
unexpected, duplicated elements); list-append, rw-register: transactions
(f "txn", micro-ops ["append"|"w"|"r", key, value]) checked as Elle does:
dependency cycles (G0, G1c, G-single-item, G-nonadjacent-item, G2-item and
their -process / -realtime variants), G1a, G1b, internal, lost-update, ...,
judged against --consistency-models (default strict-serializable; "none":
only --anomalies count); the result names the weakest models ruled out
(not, alsoNot). Every model also reports op statistics.

Keys are searched cheapest first, in growing slices; once one key is proven
not linearizable the verdict is INVALID and the search stops: the line names
that anomaly and how many keys were not fully checked (--all-keys checks them
all, within --time-limit). A key left by a limit makes the verdict UNKNOWN
only when no key is INVALID.

Without --model every history must be a run's: \`faultline check RUN_DIR\`
judges it with its workload's checker suite (test.json) over the inputs the run
stored (final.json, snapshot.json, replication.json, metrics.jsonl), so it
reaches the run's own verdict, convergence, replication and final state
included; a checker whose input is missing says so (unknown), and the line
names results.json's verdict when it differs. A history without test.json, or
of a workload faultline does not know that names no model, is a usage error
(64) for that history.

Final reads with --model: a run writes final.json beside its history; --final
auto (or --final RUN/final.json) hands them to the set and counter checkers.

Input: UTF-8 (a leading BOM is skipped); values nested at most 128 levels;
numbers a double holds exactly (2^53 + 1 is refused, not rounded: give it as a
string); one line (EDN: one form) of at most --max-line MiB; regular files or -
(a FIFO or device is refused). Renumbered EDN :index values and times that go
backwards are accepted with a warning on stderr.

Exit status (the highest over all histories):
  0 valid   1 invalid (anomaly found)   2 unknown (time limit ran out)
  64 bad usage   65 malformed input (file:line on stderr)   66 file not found
  or not a regular file`;

export function registerCheck(program: Command): void {
  program
    .command('check')
    .description('check histories for consistency anomalies against a model')
    .argument('<history...>', 'history files (.jsonl, .edn), directories, or - for stdin')
    .addOption(new Option('--model <model>', "what the history is of (default for a run's history: its test.json's model, with --final auto)").choices(CHECK_MODEL_CHOICES))
    .option('--json', 'print one JSON object per history instead of a line of text')
    .option(
      '--time-limit <seconds>',
      `time budget per history for search-based checkers; past it the verdict is unknown (0: no limit)`,
      parseTimeLimit,
      DEFAULT_TIME_LIMIT_S,
    )
    .option('--linearizable', 'counter, set: also check linearizability with the WGL checker')
    .option('--all-keys', 'linearizability: go on checking every key after one is found not linearizable (default: stop there)')
    .option('--max-line <MiB>', 'the longest JSONL line (or EDN form) read; a longer one is malformed input (65)', parseMaxLine, DEFAULT_MAX_LINE_MIB)
    .option('--final <file>', 'final reads per node (a run\'s final.json) for the set and counter checkers; auto: the final.json beside each history')
    .option('--consistency-models <list>', 'list-append, rw-register: models the history must satisfy, comma-separated (default strict-serializable; none: only --anomalies)')
    .option('--anomalies <list>', 'list-append, rw-register: anomalies to fail on besides the models\' (e.g. G1,G2,garbage-read)')
    .option('--linearizable-keys', 'rw-register: infer version orders from realtime order (each key linearizable)')
    .option('--sequential-keys', 'rw-register: infer version orders from process order (each key sequential)')
    .option('--wfr-keys', 'rw-register: infer version orders from writes following reads within a txn')
    .option('--no-wfr-keys', 'rw-register: do not (the default)')
    .option('--transaction-order <json>', 'rw-register: commit order, {"completion index": position, …}; writes follow it')
    .option('--explain', 'list-append, rw-register: after each line, every anomaly explained (cycles: "Let: T1 = … Then: T1 < T2, because …")')
    .option('--cycle-search-timeout <ms>', 'list-append, rw-register: search budget per strongly connected component (default 1000)', parseMs)
    .addHelpText('after', HELP_AFTER)
    .action(async (histories: string[], opts: CheckOptions) => {
      const { runCheck } = await import('../check.js');
      process.exitCode = await runCheck(histories, opts);
    });
}
