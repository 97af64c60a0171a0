// The linearizability search as it was before issue 18 (string state hashes, a bitset copied per configuration,
// keys one after another to the end), kept only as the baseline bench/linearizability.bench.ts measures against.
// Frozen: not used by faultline itself.
import type { Json, Key, Op, PairedHistory } from '../../src/history/types.js';
import { hasIsRead } from '../../checkers/models.js';
import type { CheckContext, CheckResult, Model, Validity } from '../../checkers/types.js';
/** A well-mixed 32-bit value for op `i` and salt `s` (deterministic). */
function mix(i: number, s: number): number {
  let x = (Math.imul(i + 1, 0x9e3779b1) ^ s) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

class Bitset {
  readonly words: Uint32Array;
  /** Zobrist hash halves: xor of mix(i) over the set bits */
  h1 = 0;
  h2 = 0;

  constructor(readonly size: number) {
    this.words = new Uint32Array(Math.max(1, Math.ceil(size / 32)));
  }

  has(i: number): boolean {
    return (this.words[i >>> 5] & (1 << (i & 31))) !== 0;
  }

  /** Flip bit i (set it if clear, clear it if set). */
  flip(i: number): void {
    this.words[i >>> 5] ^= 1 << (i & 31);
    this.h1 = (this.h1 ^ mix(i, 0x2545f491)) >>> 0;
    this.h2 = (this.h2 ^ mix(i, 0x6c078965)) >>> 0;
  }

  count(): number {
    let n = 0;
    for (let w of this.words) {
      while (w !== 0) {
        w &= w - 1;
        n++;
      }
    }
    return n;
  }
}

/** FNV-1a over a string's UTF-16 units. */
function fnv(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** The set of configurations already explored: (linearized ops, model state), compared exactly. */
class ConfigCache {
  private arena: Uint32Array;
  private readonly states: string[] = [];
  /** small-integer hash → entry number, or several entry numbers on a collision */
  private readonly index = new Map<number, number | number[]>();
  private readonly width: number;
  size = 0;

  constructor(size: number) {
    this.width = Math.max(1, Math.ceil(size / 32));
    this.arena = new Uint32Array(this.width * 64);
  }

  /** Bytes used by one entry, roughly (bitset words plus map overhead); for memory budgets. */
  static entryBytes(size: number): number {
    return Math.max(1, Math.ceil(size / 32)) * 4 + 96;
  }

  /** Add (bits, stateHash); false when it was already there. */
  add(bits: Bitset, stateHash: string): boolean {
    const key = ((bits.h1 ^ Math.imul(fnv(stateHash), 0x9e3779b1) ^ (bits.h2 >>> 7)) & 0x3fffffff) >>> 0;
    const hit = this.index.get(key);
    if (hit === undefined) {
      this.index.set(key, this.store(bits.words, stateHash));
    } else if (typeof hit === 'number') {
      if (this.same(hit, bits.words, stateHash)) return false;
      this.index.set(key, [hit, this.store(bits.words, stateHash)]);
    } else {
      for (const e of hit) if (this.same(e, bits.words, stateHash)) return false;
      hit.push(this.store(bits.words, stateHash));
    }
    return true;
  }

  private same(entry: number, words: Uint32Array, stateHash: string): boolean {
    if (this.states[entry] !== stateHash) return false;
    const a = this.arena;
    const off = entry * this.width;
    for (let i = 0; i < words.length; i++) if (a[off + i] !== words[i]) return false;
    return true;
  }

  /** Store a new entry; its number. */
  private store(words: Uint32Array, stateHash: string): number {
    const entry = this.size++;
    const off = entry * this.width;
    if (off + this.width > this.arena.length) {
      const grown = new Uint32Array(Math.max(this.arena.length * 2, off + this.width));
      grown.set(this.arena);
      this.arena = grown;
    }
    this.arena.set(words, off);
    this.states.push(stateHash);
    return entry;
  }
}

/** An op as it appears in verdicts (JSON-serialisable). */
interface RenderedOp {
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

interface LinearizabilityAnomaly {
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

export interface BaselineResult extends CheckResult {
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
  /** when valid is "unknown": which limit ran out */
  unknownReason?: 'time-limit' | 'state-limit';
  /** keys left without a verdict (first ones, up to 20) */
  unknownKeys?: (Key | null)[];
  /** keys found not linearizable (first ones, up to 20) */
  invalidKeys?: (Key | null)[];
  anomaly?: LinearizabilityAnomaly;
}

/** Prefix ops shown in an anomaly (the tail of the prefix, nearest the failure). */
const PREFIX_SHOWN = 64;
/** Ops shown in an anomaly's window. */
const WINDOW_SHOWN = 64;
/** Memory budget of the memo when ctx.maxStates is not given. */
const DEFAULT_CACHE_BYTES = 768 * 1024 * 1024;
const LISTED_KEYS = 20;
const STATES_SHOWN = 8;
const CLOCK_EVERY = 1024;

interface Entry {
  /** op number within the sub-history */
  id: number;
  call: boolean;
  /** return at +∞ (info op) */
  infinite: boolean;
  match: Entry;
  prev: Entry | null;
  next: Entry | null;
}

/** A linearized op on the search stack; frames form an immutable list so a prefix is kept by reference. */
interface Frame<S> {
  entry: Entry;
  before: S;
  parent: Frame<S> | null;
  depth: number;
}

interface Blocked<S> {
  depth: number;
  top: Frame<S> | null;
  id: number;
  states: S[];
  hashes: Set<string>;
}

type SearchOutcome<S> =
  | { verdict: true; configurations: number }
  | { verdict: 'unknown'; reason: 'time-limit' | 'state-limit'; configurations: number }
  | { verdict: false; configurations: number; blocked: Blocked<S> };

interface Budget {
  deadline: number;
  maxStates: number | undefined;
}

/** Build the entry list (sorted by event index; info returns last) behind a sentinel head. */
function buildEntries(ops: Op[]): Entry {
  const calls: Entry[] = [];
  const rets: Entry[] = [];
  ops.forEach((op, id) => {
    const call = { id, call: true, infinite: false, prev: null, next: null } as unknown as Entry;
    const ret = { id, call: false, infinite: op.type !== 'ok', prev: null, next: null } as unknown as Entry;
    call.match = ret;
    ret.match = call;
    calls.push(call);
    rets.push(ret);
  });
  const at = (e: Entry): number => {
    const op = ops[e.id];
    if (e.call) return op.invokeIndex;
    return e.infinite || op.completeIndex === null ? Number.POSITIVE_INFINITY : op.completeIndex;
  };
  const all = calls.concat(rets).sort((a, b) => at(a) - at(b) || a.id - b.id);
  const head = { id: -1, call: false, infinite: false, prev: null, next: null } as unknown as Entry;
  head.match = head;
  let last = head;
  for (const e of all) {
    last.next = e;
    e.prev = last;
    last = e;
  }
  return head;
}

function lift(call: Entry): void {
  call.prev!.next = call.next;
  if (call.next) call.next.prev = call.prev;
  const ret = call.match;
  ret.prev!.next = ret.next;
  if (ret.next) ret.next.prev = ret.prev;
}

function unlift(call: Entry): void {
  const ret = call.match;
  ret.prev!.next = ret;
  if (ret.next) ret.next.prev = ret;
  call.prev!.next = call;
  if (call.next) call.next.prev = call;
}

/** Search one sub-history. Deterministic: entries are tried in event order. */
function search<S>(ops: Op[], model: Model<S>, budget: Budget): SearchOutcome<S> {
  const head = buildEntries(ops);
  const bits = new Bitset(ops.length);
  const cache = new ConfigCache(ops.length);
  const maxStates =
    budget.maxStates ?? Math.max(10_000, Math.floor(DEFAULT_CACHE_BYTES / ConfigCache.entryBytes(ops.length)));
  let state = model.init();
  let top = null as Frame<S> | null;
  let entry = head.next;
  let blocked: Blocked<S> | null = null;
  let tick = 0;

  while (entry !== null) {
    if (++tick === CLOCK_EVERY) {
      tick = 0;
      if (performance.now() > budget.deadline) {
        return { verdict: 'unknown', reason: 'time-limit', configurations: cache.size };
      }
    }
    if (entry.call) {
      const r = model.step(state, ops[entry.id]);
      if (r.ok) {
        bits.flip(entry.id);
        if (cache.add(bits, model.hash(r.state))) {
          if (cache.size > maxStates) return { verdict: 'unknown', reason: 'state-limit', configurations: cache.size };
          const parent: Frame<S> | null = top;
          top = { entry, before: state, parent, depth: parent === null ? 1 : parent.depth + 1 };
          state = r.state;
          lift(entry);
          entry = head.next;
          continue;
        }
        bits.flip(entry.id);
      }
      entry = entry.next;
      continue;
    }
    // a return: every ok op is linearized once an info op's (infinite) return is reached
    if (entry.infinite) return { verdict: true, configurations: cache.size };
    blocked = noteBlocked(blocked, top, entry.id, ops, state, model);
    if (top === null) return { verdict: false, configurations: cache.size, blocked };
    const frame: Frame<S> = top;
    top = frame.parent;
    state = frame.before;
    bits.flip(frame.entry.id);
    unlift(frame.entry);
    entry = frame.entry.next;
  }
  return { verdict: true, configurations: cache.size };
}

/**
 * Remember where the search got stuck: the ok op with the latest return that could not be passed (the
 * history is linearizable up to just before it), the deepest linearization that reached it, the states it failed in.
 */
function noteBlocked<S>(
  b: Blocked<S> | null,
  top: Frame<S> | null,
  id: number,
  ops: Op[],
  state: S,
  model: Model<S>,
): Blocked<S> {
  const depth = top?.depth ?? 0;
  if (b && b.id === id) {
    if (depth > b.depth) {
      b.depth = depth;
      b.top = top;
    }
    const h = model.hash(state);
    if (!b.hashes.has(h) && b.states.length < STATES_SHOWN) {
      b.hashes.add(h);
      b.states.push(state);
    }
    return b;
  }
  if (b && ops[id].completeIndex! <= ops[b.id].completeIndex!) return b;
  return { depth, top, id, states: [state], hashes: new Set([model.hash(state)]) };
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

function anomalyOf<S>(key: Key | null, ops: Op[], blocked: Blocked<S>, model: Model<S>): LinearizabilityAnomaly {
  const prefix: Op[] = [];
  for (let f = blocked.top; f !== null && prefix.length < PREFIX_SHOWN; f = f.parent) prefix.push(ops[f.entry.id]);
  prefix.reverse();
  const bad = ops[blocked.id];
  const end = bad.completeIndex ?? Number.POSITIVE_INFINITY;
  const window = ops
    .filter((o) => o.invokeIndex < end && (o.completeIndex ?? Number.POSITIVE_INFINITY) > bad.invokeIndex)
    .slice(0, WINDOW_SHOWN);
  return {
    key,
    prefixLength: blocked.depth,
    prefix: prefix.map((o) => render(o, model)),
    op: render(bad, model),
    states: blocked.states.map((s) => model.describeState(s)),
    window: window.map((o) => render(o, model)),
  };
}

/**
 * Is the history linearizable with respect to `model`? Keyed ops are checked per key.
 * ctx.timeLimitMs bounds the whole check, ctx.maxStates the memo of each key; past either: "unknown".
 */
export function checkLinearizabilityV1<S>(
  history: PairedHistory,
  model: Model<S>,
  ctx: CheckContext = {},
): BaselineResult {
  const start = performance.now();
  const budget: Budget = {
    deadline: ctx.timeLimitMs === undefined ? Number.POSITIVE_INFINITY : start + ctx.timeLimitMs,
    maxStates: ctx.maxStates,
  };
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
  const parts = model.partition ? model.partition(kept) : new Map<Key | null, Op[]>([[null, kept]]);
  const result: BaselineResult = {
    valid: true,
    model: model.name,
    ops: kept.length,
    infoOps,
    keys: parts.size,
    dropped,
    configurations: 0,
  };
  const invalid: (Key | null)[] = [];
  const unknown: (Key | null)[] = [];
  for (const [key, ops] of parts) {
    if (performance.now() > budget.deadline) {
      unknown.push(key);
      continue;
    }
    const out = search(ops, model, budget);
    result.configurations += out.configurations;
    if (out.verdict === false) {
      invalid.push(key);
      result.anomaly ??= anomalyOf(key, ops, out.blocked, model);
    } else if (out.verdict === 'unknown') {
      unknown.push(key);
      result.unknownReason ??= out.reason;
    }
  }
  if (invalid.length > 0) {
    result.valid = false;
    result.invalidKeys = invalid.slice(0, LISTED_KEYS);
  } else if (unknown.length > 0) {
    result.valid = 'unknown';
  }
  if (unknown.length > 0) {
    result.unknownKeys = unknown.slice(0, LISTED_KEYS);
    result.unknownReason ??= 'time-limit';
  }
  return result;
}
