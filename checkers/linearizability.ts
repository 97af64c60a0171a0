// Linearizability checker: Wing–Gong–Lowe search (just-in-time linearization over a linked list of call/return
// entries, memoising (linearized set, model state) as integer pairs), run per key (P-compositionality): keys
// cheapest first, interleaved in growing slices, stopping at the first key proven not linearizable.
// fail ops are dropped; info ops return at +∞ (may take effect any time after invoke, or never).
import type { Json, Key, Op, PairedHistory } from '../src/history/types.js';
import { ExactMemo, HashMemo, type ConfigMemo } from './bitset.js';
import { compileGeneric } from './compiled.js';
import { give, takeFloat64, takeInt32, takeUint8 } from './buffers.js';
import { builtinModelName, hasIsRead } from './models.js';
import { startWorker, workersAvailable, workersForced, type WorkerShare } from './search-threads.js';
import type { CheckContext, CheckResult, CompiledModel, Model, Validity } from './types.js';

/** An op as it appears in verdicts (JSON-serialisable). */
export interface RenderedOp {
  process: number;
  f: string;
  key?: Key;
  type: 'ok' | 'info' | 'fail';
  /** invoke value for writes / info ops, observed value for ok reads */
  value: Json;
  invokeIndex: number;
  completeIndex: number | null;
  /** the model's short description, e.g. "p3 write 5" */
  text: string;
}

export interface LinearizabilityAnomaly {
  /** the key of the failing sub-history; null for an unkeyed history */
  key: Key | null;
  /** how many ops the longest linearizable prefix holds */
  prefixLength: number;
  /** the longest linearizable prefix in linearization order (its last PREFIX_SHOWN ops when longer) */
  prefix: RenderedOp[];
  /** the ok op whose return could not be passed: the one returning latest among those the search got stuck at */
  op: RenderedOp;
  /** the model states it was tried against (described by the model) */
  states: string[];
  /** the ops concurrent with `op` (it included), by invoke index */
  window: RenderedOp[];
}

export interface LinearizabilityResult extends CheckResult {
  valid: Validity;
  model: string;
  /** ops checked: ok and info ops (fail ops and info reads are dropped) */
  ops: number;
  /** of which info (outcome unknown, including never completed) */
  infoOps: number;
  /** independent sub-histories (keys) */
  keys: number;
  dropped: { fail: number; infoReads: number };
  /** configurations explored (memoised), over all keys */
  configurations: number;
  /** when a key was left without a verdict: which limit ran out first */
  unknownReason?: 'time-limit' | 'state-limit';
  /** keys left without a verdict by a limit (first ones, up to 20); `unknown` counts them all */
  unknownKeys?: (Key | null)[];
  unknown?: number;
  /** keys found not linearizable (first ones, up to 20), in the order they were found */
  invalidKeys?: (Key | null)[];
  /**
   * once a key was found not linearizable (and ctx.allKeys was not set), the keys whose search was stopped
   * or never started: not fully checked (first ones, up to 20); `unchecked` counts them all
   */
  uncheckedKeys?: (Key | null)[];
  unchecked?: number;
  /** the first anomaly found */
  anomaly?: LinearizabilityAnomaly;
}

/** Prefix ops shown in an anomaly (the tail of the prefix, nearest the failure). */
export const PREFIX_SHOWN = 64;
/** Ops shown in an anomaly's window. */
export const WINDOW_SHOWN = 64;
/** Memory budget of the searches alive at once (memo, linearized sets, model states). */
export const DEFAULT_CACHE_BYTES = 768 * 1024 * 1024;
const LISTED_KEYS = 20;
const STATES_SHOWN = 8;
const CHECK_EVERY = 1024;
/** First slice of a key, in search steps: enough for a key of n ops whose search is about linear. */
const FIRST_SLICE = 1 << 15;
const SLICE_PER_OP = 64;
const SLICE_GROWTH = 4;
/** A search past this many steps is a long one (ScheduleOptions.onLongSearch). */
const LONG_SEARCH_STEPS = 1 << 13;
/** A worker thread takes half of the keys left after the first round only when that round took this long. */
const WORKER_AFTER_MS = 150;

/** One key's ops with its entry list order and a guess of its cost, before any search memory is taken. */
interface Sub {
  key: Key | null;
  ops: Op[];
  /** entries in list order: call of op i is 2i+1, its return 2i+2 */
  order: Int32Array;
  /** op i returns at +∞ (an info op) */
  infinite: Uint8Array;
  cost: number;
  /** position in the history (first appearance): ties in cost keep it */
  position: number;
  search: KeySearch | null;
  slice: number;
  verdict: Validity | null;
}

/** Entry order (sorted by event index; info returns last, in op order) and a cost guess for one key. */
function prepare(key: Key | null, ops: Op[], position: number): Sub {
  const n = ops.length;
  const infinite = takeUint8(n);
  const order = takeInt32(2 * n);
  // returns of ok ops by completion: ops complete about in the order they were invoked, so an insertion
  // sort is near linear; calls are in op order already (ops come by invoke index)
  const rets = takeInt32(n);
  const at = takeFloat64(n);
  let r = 0;
  let infos = 0;
  let callsSorted = true;
  let moves = 0;
  for (let i = 0; i < n; i++) {
    const op = ops[i];
    if (i > 0 && op.invokeIndex < ops[i - 1].invokeIndex) callsSorted = false;
    if (op.type !== 'ok' || op.completeIndex === null) {
      infinite[i] = 1;
      infos++;
      continue;
    }
    const c = op.completeIndex;
    let j = r++;
    while (j > 0 && at[j - 1] > c && moves < 64 * n) {
      at[j] = at[j - 1];
      rets[j] = rets[j - 1];
      j--;
      moves++;
    }
    at[j] = c;
    rets[j] = i;
  }
  let k = 0;
  let open = 0;
  let maxOpen = 0;
  if (callsSorted && moves < 64 * n) {
    let i = 0;
    let j = 0;
    while (i < n || j < r) {
      if (j >= r || (i < n && ops[i].invokeIndex < at[j])) {
        order[k++] = 2 * i + 1;
        if (++open > maxOpen) maxOpen = open;
        i++;
      } else {
        order[k++] = 2 * rets[j] + 2;
        open--;
        j++;
      }
    }
  } else {
    // out of order (ops given by hand) or far from it: (event index, entry) packed in one exact double, sorted natively
    const width = 2 * n + 2;
    const keys = takeFloat64(2 * n);
    let m = 0;
    for (let i = 0; i < n; i++) {
      keys[m++] = ops[i].invokeIndex * width + 2 * i + 1;
      if (infinite[i] === 0) keys[m++] = ops[i].completeIndex! * width + 2 * i + 2;
    }
    const sorted = keys.subarray(0, m).sort();
    for (let q = 0; q < m; q++) {
      const e = sorted[q] % width;
      order[k++] = e;
      if (e & 1) {
        if (++open > maxOpen) maxOpen = open;
      } else {
        open--;
      }
    }
    give(keys);
  }
  give(rets, at);
  // info ops' calls are counted open for good; their returns come at +∞, last, in op order
  for (let i = 0; i < n; i++) if (infinite[i] === 1) order[k++] = 2 * i + 2;
  return { key, ops, order, infinite, cost: n * (maxOpen + infos + 1), position, search: null, slice: FIRST_SLICE + SLICE_PER_OP * n, verdict: null };
}

/** Give a key's entry order back once nothing will search it again (idempotent). */
function releaseSub(sub: Sub): void {
  if (sub.order.length === 0) return;
  give(sub.order, sub.infinite);
  sub.order = new Int32Array(0);
  sub.infinite = new Uint8Array(0);
}

type RunOutcome = 'done' | 'slice' | 'time' | 'memory' | 'states';

/**
 * The search of one key, resumable: run() goes on from where the last call stopped. Entries live in typed
 * arrays (head 0, call of op i = 2i+1, its return 2i+2; next = 0 ends the list), the stack of linearized ops
 * too, so pausing costs nothing. An info op that can happen in one state only (compiled.requires: an
 * indeterminate cas, say) is kept out of the list, in a list of its own per state, and merged into the scan
 * by position only while the search is in that state: the scan tries exactly the candidates, in the order,
 * of Wing–Gong–Lowe over the whole list, without walking past every indeterminate op stuck since the start
 * of the history (on a cas-register history with 5 % info ops that walking is 97 % of the steps).
 */
class KeySearch {
  private readonly next: Int32Array;
  private readonly prev: Int32Array;
  /** position of each entry in the sorted order */
  private readonly pos: Int32Array;
  /** info ops that need one state: circular lists by position, sentinel n + s for state s (n + buckets: empty) */
  private readonly infoNext: Int32Array;
  private readonly infoPrev: Int32Array;
  private readonly inBucket: Uint8Array;
  private readonly buckets: number;
  private readonly n: number;
  private readonly stackOp: Int32Array;
  private readonly stackState: Int32Array;
  /** the scan's place in the list and in the state's info list when the op on the stack was taken */
  private readonly stackEntry: Int32Array;
  private readonly stackInfo: Int32Array;
  private readonly memo: ConfigMemo;
  private depth = 0;
  private okLeft = 0;
  private state: number;
  private entry: number;
  private info: number;
  verdict: Validity | null = null;
  /** where it got stuck: the op, the deepest linearization that reached it (its tail), the states tried */
  blockedOp = -1;
  blockedDepth = 0;
  blockedPrefix: Int32Array = new Int32Array(0);
  blockedStates: number[] = [];

  constructor(
    readonly sub: Sub,
    readonly compiled: CompiledModel,
    private readonly maxStates: number,
    readonly exact: boolean,
  ) {
    const n = sub.ops.length;
    this.n = n;
    const infinite = sub.infinite;
    this.memo = exact ? new ExactMemo(n) : new HashMemo(n);
    this.next = takeInt32(2 * n + 1);
    this.prev = takeInt32(2 * n + 1);
    this.pos = takeInt32(2 * n + 1);
    const req = takeInt32(n).fill(-1);
    let maxReq = -1;
    for (let i = 0; i < n; i++) {
      if (infinite[i] === 1 && compiled.requires) req[i] = compiled.requires(i);
      else if (infinite[i] === 0) this.okLeft++;
      if (req[i] > maxReq) maxReq = req[i];
    }
    this.buckets = maxReq + 1;
    this.infoNext = takeInt32(n + this.buckets + 1);
    this.infoPrev = takeInt32(n + this.buckets + 1);
    this.inBucket = takeUint8(n);
    for (let b = 0; b <= this.buckets; b++) {
      this.infoNext[n + b] = n + b;
      this.infoPrev[n + b] = n + b;
    }
    let last = 0;
    const order = sub.order;
    for (let p = 0; p < order.length; p++) {
      const e = order[p];
      this.pos[e] = p;
      const i = (e - 1) >> 1;
      if (infinite[i] === 1 && (e & 1) === 0) continue; // an info op's return is at +∞: never reached
      if (req[i] >= 0) {
        // an info op for one state: to the end of that state's list
        const head = n + req[i];
        const tail = this.infoPrev[head];
        this.infoNext[tail] = i;
        this.infoPrev[i] = tail;
        this.infoNext[i] = head;
        this.infoPrev[head] = i;
        this.inBucket[i] = 1;
        continue;
      }
      this.next[last] = e;
      this.prev[e] = last;
      last = e;
    }
    this.next[last] = 0;
    give(req);
    this.stackOp = takeInt32(n);
    this.stackState = takeInt32(n);
    this.stackEntry = takeInt32(n);
    this.stackInfo = takeInt32(n);
    this.state = compiled.init;
    this.entry = this.next[0];
    this.info = this.firstInfo(this.state);
  }

  /** The first info op of state s's list (a sentinel ≥ n when there is none). */
  private firstInfo(s: number): number {
    return s < this.buckets ? this.infoNext[this.n + s] : this.n + this.buckets;
  }

  get configurations(): number {
    return this.memo.size;
  }

  /** Give the search's buffers back (the search is over; its blocked data stays readable). */
  release(): void {
    give(this.next, this.prev, this.pos, this.infoNext, this.infoPrev, this.inBucket, this.stackOp, this.stackState, this.stackEntry, this.stackInfo);
    this.memo.release();
  }

  bytes(): number {
    return (
      this.memo.bytes() +
      this.next.byteLength * 3 +
      this.infoNext.byteLength * 2 +
      this.stackOp.byteLength * 4 +
      (this.compiled.bytes?.() ?? 0)
    );
  }

  /** Search on for up to `slice` steps; stops early at the deadline or past `maxBytes`. */
  run(slice: number, deadline: number, maxBytes: number, flags?: Int32Array): RunOutcome {
    const { next, prev, pos, infoNext, infoPrev, inBucket, stackOp, stackState, stackEntry, stackInfo, memo, compiled, n } = this;
    const infinite = this.sub.infinite;
    const noInfo = n + this.buckets;
    const buckets = this.buckets;
    let { entry, info, state, depth, okLeft } = this;
    let work = 0;
    let outcome: RunOutcome = 'done';
    for (;;) {
      if (okLeft === 0) {
        // every ok op is linearized: the info ops left may never have happened
        this.verdict = true;
        break;
      }
      if (++work % CHECK_EVERY === 0) {
        if (work >= slice) {
          outcome = 'slice';
          break;
        }
        if (performance.now() > deadline) {
          outcome = 'time';
          break;
        }
        if (this.bytes() > maxBytes) {
          outcome = 'memory';
          break;
        }
        if (flags !== undefined && Atomics.load(flags, 0) !== 0) {
          outcome = 'slice'; // another thread found an anomaly
          break;
        }
      }
      // the next candidate in list order: the list's entry, or the state's info op if it comes first
      let i: number;
      const fromInfo = info < n && pos[2 * info + 1] < pos[entry];
      if (fromInfo) {
        i = info;
      } else if ((entry & 1) === 1) {
        i = (entry - 1) >> 1;
      } else {
        // a return no op before it can pass: back up
        this.noteBlocked((entry - 2) >> 1, depth, state);
        if (depth === 0) {
          this.verdict = false;
          break;
        }
        depth--;
        const j = stackOp[depth];
        state = stackState[depth];
        memo.undo(j);
        entry = stackEntry[depth];
        info = stackInfo[depth];
        if (inBucket[j] === 1) {
          infoNext[infoPrev[j]] = j;
          infoPrev[infoNext[j]] = j;
          info = infoNext[j];
        } else {
          // put op j's call (and return) back where they were
          const c = 2 * j + 1;
          if (infinite[j] === 0) {
            const r = c + 1;
            next[prev[r]] = r;
            if (next[r] !== 0) prev[next[r]] = r;
            okLeft++;
          }
          next[prev[c]] = c;
          prev[next[c]] = c;
          entry = next[c];
        }
        continue;
      }
      const s = compiled.step(state, i);
      if (s >= 0 && memo.tryAdd(i, s)) {
        if (memo.size > this.maxStates) {
          outcome = 'states';
          break;
        }
        stackOp[depth] = i;
        stackState[depth] = state;
        stackEntry[depth] = entry;
        stackInfo[depth] = info;
        depth++;
        state = s;
        if (fromInfo) {
          infoNext[infoPrev[i]] = infoNext[i];
          infoPrev[infoNext[i]] = infoPrev[i];
        } else {
          // lift the call (and its return) out of the list
          const c = entry;
          next[prev[c]] = next[c];
          prev[next[c]] = prev[c];
          if (infinite[i] === 0) {
            const r = c + 1;
            next[prev[r]] = next[r];
            if (next[r] !== 0) prev[next[r]] = prev[r];
            okLeft--;
          }
        }
        entry = next[0];
        info = state < buckets ? infoNext[n + state] : noInfo;
        continue;
      }
      if (fromInfo) info = infoNext[info];
      else entry = next[entry];
    }
    this.entry = entry;
    this.info = info;
    this.state = state;
    this.depth = depth;
    this.okLeft = okLeft;
    return outcome;
  }

  /**
   * Remember where the search got stuck: the ok op with the latest return that could not be passed (the
   * history is linearizable up to just before it), the deepest linearization that reached it, the states it failed in.
   */
  private noteBlocked(i: number, depth: number, state: number): void {
    if (this.blockedOp === i) {
      if (depth > this.blockedDepth) this.keepPrefix(depth);
      if (!this.blockedStates.includes(state) && this.blockedStates.length < STATES_SHOWN) this.blockedStates.push(state);
      return;
    }
    const ops = this.sub.ops;
    if (this.blockedOp >= 0 && ops[i].completeIndex! <= ops[this.blockedOp].completeIndex!) return;
    this.blockedOp = i;
    this.keepPrefix(depth);
    this.blockedStates = [state];
  }

  private keepPrefix(depth: number): void {
    this.blockedDepth = depth;
    this.blockedPrefix = this.stackOp.slice(Math.max(0, depth - PREFIX_SHOWN), depth);
  }
}

function render<S>(op: Op, model: Model<S>): RenderedOp {
  const r: RenderedOp = {
    process: op.process,
    f: op.f,
    type: op.type,
    value: op.type === 'ok' ? op.value : op.invokeValue,
    invokeIndex: op.invokeIndex,
    completeIndex: op.completeIndex,
    text: model.describeOp(op),
  };
  if (op.key !== undefined) r.key = op.key;
  return r;
}

function anomalyOf<S>(s: KeySearch, model: Model<S>): LinearizabilityAnomaly {
  const ops = s.sub.ops;
  const prefix = Array.from(s.blockedPrefix, (i) => ops[i]);
  const bad = ops[s.blockedOp];
  const end = bad.completeIndex ?? Number.POSITIVE_INFINITY;
  const window = ops
    .filter((o) => o.invokeIndex < end && (o.completeIndex ?? Number.POSITIVE_INFINITY) > bad.invokeIndex)
    .slice(0, WINDOW_SHOWN);
  return {
    key: s.sub.key,
    prefixLength: s.blockedDepth,
    prefix: prefix.map((o) => render(o, model)),
    op: render(bad, model),
    states: s.blockedStates.map((st) => s.compiled.describeState(st)),
    window: window.map((o) => render(o, model)),
  };
}

/** ok and info ops (fail ops and, for models that name them, info reads dropped), with the counts. */
function keptOps<S>(history: PairedHistory, model: Model<S>): { kept: Op[]; infoOps: number; dropped: { fail: number; infoReads: number } } {
  const isRead = hasIsRead(model) ? (op: Op) => model.isRead(op) : () => false;
  const dropped = { fail: 0, infoReads: 0 };
  let infoOps = 0;
  const kept: Op[] = [];
  for (const op of history.ops) {
    if (op.type === 'fail') dropped.fail++;
    else if (op.type === 'info' && isRead(op)) dropped.infoReads++;
    else {
      if (op.type === 'info') infoOps++;
      kept.push(op);
    }
  }
  return { kept, infoOps, dropped };
}

/** Where a key ended up in a thread's share of the keys (plain data: it crosses to the main thread). */
export interface KeysOutcome {
  configurations: number;
  /** keys proven not linearizable, in the order found, with when (epoch ms) */
  invalid: { key: Key | null; position: number; at: number }[];
  /** the anomaly of the first of them */
  anomaly?: LinearizabilityAnomaly;
  unknown: { key: Key | null; position: number; reason: 'time-limit' | 'state-limit' }[];
  /** keys not finished when the search stopped (an anomaly, the stop flag, the time limit) */
  left: { key: Key | null; position: number }[];
  /** the search stopped because an anomaly was found (here or in another thread) */
  stopped: boolean;
}

interface ScheduleOptions {
  /** performance.now() past which keys are left */
  deadline: number;
  maxStates: number;
  allKeys: boolean;
  /** the memory budget of this thread's live searches (halved when a worker takes half of the keys) */
  memoryBytes: number;
  /** shared flags: [0] = 1 once any thread found an anomaly and the others should stop */
  flags?: Int32Array;
  /** after the first round: may take some of the pending keys away (to a worker); returns those kept */
  offload?: (pending: Sub[], elapsedMs: number) => Sub[];
  /** called once, when a key's search goes past LONG_SEARCH_STEPS (CheckContext.onLongSearch) */
  onLongSearch?: () => void;
}

/** Search the keys of `subs` (cost order) in rounds of growing slices; see checkLinearizability. */
function schedule<S>(subs: Sub[], model: Model<S>, o: ScheduleOptions): KeysOutcome {
  const start = performance.now();
  const compile = (ops: Op[]): CompiledModel => (model.compile ? model.compile(ops) : compileGeneric(model, ops));
  const out: KeysOutcome = { configurations: 0, invalid: [], unknown: [], left: [], stopped: false };
  let live: Sub[] = [];
  const liveBytes = (except: Sub): number => live.reduce((n, s) => (s === except || s.search === null ? n : n + s.search.bytes()), 0);
  const finish = (sub: Sub, verdict: Validity, why?: 'time-limit' | 'state-limit'): void => {
    const search = sub.search;
    sub.verdict = verdict;
    if (search !== null) out.configurations += search.configurations;
    if (verdict === false && search !== null) {
      out.invalid.push({ key: sub.key, position: sub.position, at: performance.timeOrigin + performance.now() });
      out.anomaly ??= anomalyOf(search, model);
    } else if (verdict === 'unknown') {
      out.unknown.push({ key: sub.key, position: sub.position, reason: why ?? 'time-limit' });
    }
    search?.release();
    releaseSub(sub);
    sub.search = null;
    live = live.filter((s) => s !== sub && s.search !== null);
  };
  const flags = o.flags;
  const stopped = (): boolean => out.stopped || (flags !== undefined && Atomics.load(flags, 0) !== 0);

  let pending = subs;
  let round = 0;
  while (pending.length > 0 && !stopped()) {
    const unfinished: Sub[] = [];
    for (const sub of pending) {
      if (sub.verdict !== null) continue; // given up for memory while waiting
      if (stopped() || performance.now() > o.deadline) {
        unfinished.push(sub);
        continue;
      }
      if (sub.search === null) {
        sub.search = new KeySearch(sub, compile(sub.ops), o.maxStates, false);
        live.push(sub);
      }
      // while the long-search hint is pending: its first steps alone, then the hint if the search goes on (the rest of
      // the slice continues the same search)
      const hint = o.onLongSearch;
      const first = hint === undefined ? sub.slice : Math.min(sub.slice, LONG_SEARCH_STEPS);
      let outcome = sub.search.run(first, o.deadline, o.memoryBytes - liveBytes(sub), flags);
      if (hint !== undefined && outcome === 'slice' && first < sub.slice) {
        hint();
        o.onLongSearch = undefined;
        outcome = sub.search.run(sub.slice - first, o.deadline, o.memoryBytes - liveBytes(sub), flags);
      }
      while (outcome === 'memory') {
        // over the memory budget: give up on the biggest search alive (this one or another)
        let biggest = sub;
        for (const s of live) if (s.search !== null && s.search.bytes() > biggest.search!.bytes()) biggest = s;
        finish(biggest, 'unknown', 'state-limit');
        if (biggest === sub) break;
        outcome = sub.search.run(sub.slice, o.deadline, o.memoryBytes - liveBytes(sub), flags);
      }
      if (sub.search === null) continue; // given up above
      if (outcome === 'done' && sub.search.verdict === false && !sub.search.exact) {
        // confirm with the exact memo (the hashed one could, in theory, have hidden a linearization); the
        // exact search explores the same configurations, and only its count is reported
        const hashed = sub.search;
        hashed.release();
        sub.search = new KeySearch(sub, hashed.compiled, o.maxStates, true);
        outcome = sub.search.run(Number.POSITIVE_INFINITY, o.deadline, o.memoryBytes - liveBytes(sub));
        if (outcome === 'memory') {
          finish(sub, 'unknown', 'state-limit');
          continue;
        }
      }
      if (outcome === 'done') {
        finish(sub, sub.search.verdict!);
        if (sub.verdict === false && !o.allKeys) {
          out.stopped = true;
          if (flags !== undefined) Atomics.store(flags, 0, 1);
        }
      } else if (outcome === 'states') {
        finish(sub, 'unknown', 'state-limit');
      } else {
        sub.slice *= SLICE_GROWTH;
        unfinished.push(sub);
      }
    }
    pending = unfinished.filter((s) => s.verdict === null);
    if (round++ === 0 && o.offload !== undefined && pending.length > 1 && !stopped()) {
      const kept = new Set(o.offload(pending, performance.now() - start));
      for (const s of pending) {
        if (kept.has(s)) continue;
        // the worker starts them afresh
        s.search?.release();
        s.search = null;
        releaseSub(s);
      }
      live = live.filter((s) => kept.has(s));
      pending = pending.filter((s) => kept.has(s));
    }
    if (performance.now() > o.deadline) break;
  }
  out.stopped = stopped();
  for (const s of pending) {
    if (s.verdict !== null) continue;
    if (s.search !== null) out.configurations += s.search.configurations;
    out.left.push({ key: s.key, position: s.position });
  }
  for (const s of subs) {
    s.search?.release();
    s.search = null;
    releaseSub(s);
  }
  return out;
}

/** Sub-histories of the kept ops, prepared and in cost order. */
function prepareAll(parts: Iterable<[Key | null, Op[]]>, positions?: number[]): Sub[] {
  const subs: Sub[] = [];
  for (const [key, ops] of parts) subs.push(prepare(key, ops, positions?.[subs.length] ?? subs.length));
  return subs.sort((a, b) => a.cost - b.cost || a.position - b.position);
}

/** The search of a worker thread (checkers/linearizability-worker.ts): the keys it was given, by the same rules. */
export function searchKeys<S>(model: Model<S>, keys: { key: Key | null; ops: Op[]; position: number }[], o: { timeLimitMs?: number; maxStates?: number; allKeys: boolean; memoryBytes: number; flags: Int32Array }): KeysOutcome {
  const subs = prepareAll(
    keys.map((k) => [k.key, k.ops]),
    keys.map((k) => k.position),
  );
  const deadline = o.timeLimitMs === undefined ? Number.POSITIVE_INFINITY : performance.now() + o.timeLimitMs;
  return schedule(subs, model, { deadline, maxStates: o.maxStates ?? Number.POSITIVE_INFINITY, allKeys: o.allKeys, memoryBytes: o.memoryBytes, flags: o.flags });
}

/**
 * Is the history linearizable with respect to `model`? Keyed ops are checked per key: keys in order of
 * their guessed cost, each for a slice of steps, the unfinished ones again with slices growing fourfold, so
 * an anomaly a short search can prove is found before a hard key takes the budget. Once a key is proven
 * not linearizable the verdict is false and the other keys are left (`uncheckedKeys`) unless ctx.allKeys.
 * When the first round leaves several keys and took a while, half of them go to a worker thread
 * (linearizability-worker.ts, for the built-in models of the compiled command) and the two threads stop
 * each other at the first anomaly. ctx.timeLimitMs bounds the whole check, ctx.maxStates the memo of each
 * key, DEFAULT_CACHE_BYTES the searches alive at once; a key past a limit is "unknown", which is the
 * verdict only when no key is false.
 */
export function checkLinearizability<S>(history: PairedHistory, model: Model<S>, ctx: CheckContext = {}): LinearizabilityResult {
  const start = performance.now();
  const deadline = ctx.timeLimitMs === undefined ? Number.POSITIVE_INFINITY : start + ctx.timeLimitMs;
  const { kept, infoOps, dropped } = keptOps(history, model);
  const parts = model.partition ? model.partition(kept) : new Map<Key | null, Op[]>([[null, kept]]);
  const result: LinearizabilityResult = { valid: true, model: model.name, ops: kept.length, infoOps, keys: parts.size, dropped, configurations: 0 };
  const subs = prepareAll(parts);
  const allKeys = ctx.allKeys === true;
  // a worker can take a share of several keys, of a built-in model (named to the worker); whether one is
  // available (cores, load) is asked only when the first round leaves keys and took a while
  const name = subs.length > 1 ? builtinModelName(model) : null;
  let worker: WorkerShare | null = null;
  const flags = name === null ? undefined : new Int32Array(new SharedArrayBuffer(8));
  const options: ScheduleOptions = {
    deadline,
    maxStates: ctx.maxStates ?? Number.POSITIVE_INFINITY,
    allKeys,
    memoryBytes: DEFAULT_CACHE_BYTES,
    flags,
  };
  if (ctx.onLongSearch !== undefined) options.onLongSearch = ctx.onLongSearch;
  if (name !== null) {
    options.offload = (pending, elapsed) => {
      if (!workersForced() && (elapsed < WORKER_AFTER_MS || deadline - performance.now() < 2 * WORKER_AFTER_MS)) return pending;
      if (!workersAvailable()) return pending;
      // every other key in cost order to the worker; each thread then has half the memory budget
      options.memoryBytes = DEFAULT_CACHE_BYTES / 2;
      const theirs = pending.filter((_, i) => i % 2 === 1);
      worker = startWorker({
        model: name,
        keys: theirs.map((s) => ({ key: s.key, ops: s.ops, position: s.position })),
        timeLimitMs: Number.isFinite(deadline) ? Math.max(1, deadline - performance.now()) : undefined,
        maxStates: ctx.maxStates,
        allKeys,
        memoryBytes: DEFAULT_CACHE_BYTES / 2,
        flags: flags!,
      });
      return pending.filter((_, i) => i % 2 === 0);
    };
  }
  const mine = schedule(subs, model, options);
  const theirs: KeysOutcome | null = worker === null ? null : (worker as WorkerShare).wait();
  return assemble(result, theirs === null ? [mine] : [mine, theirs]);
}

/** One verdict from the outcomes of the threads. */
function assemble(result: LinearizabilityResult, outcomes: KeysOutcome[]): LinearizabilityResult {
  const invalid = outcomes.flatMap((o) => o.invalid).sort((a, b) => a.at - b.at);
  const unknown = outcomes.flatMap((o) => o.unknown);
  const left = outcomes.flatMap((o) => o.left).sort((a, b) => a.position - b.position);
  const stopped = outcomes.some((o) => o.stopped);
  result.configurations = outcomes.reduce((n, o) => n + o.configurations, 0);
  let reason = unknown[0]?.reason;
  if (invalid.length > 0) {
    result.valid = false;
    result.invalidKeys = invalid.slice(0, LISTED_KEYS).map((s) => s.key);
    // the anomaly found first (by the clock when two threads found one)
    const first = invalid[0];
    result.anomaly = outcomes.find((o) => o.invalid.some((x) => x === first))!.anomaly;
    if (stopped && left.length > 0) {
      result.uncheckedKeys = left.slice(0, LISTED_KEYS).map((s) => s.key);
      result.unchecked = left.length;
    } else {
      for (const s of left) unknown.push({ ...s, reason: 'time-limit' });
    }
  } else {
    for (const s of left) unknown.push({ ...s, reason: 'time-limit' });
    if (unknown.length > 0) result.valid = 'unknown';
  }
  reason ??= unknown[0]?.reason;
  if (unknown.length > 0) {
    unknown.sort((a, b) => a.position - b.position);
    result.unknownKeys = unknown.slice(0, LISTED_KEYS).map((s) => s.key);
    result.unknown = unknown.length;
    result.unknownReason = reason ?? 'time-limit';
  }
  return result;
}
