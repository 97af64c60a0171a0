// A fixed-size bitset with an incremental 64-bit (two-word) Zobrist hash, and a memo of
// (bitset, model-state hash) configurations whose bitsets live in one growable arena.

/** A well-mixed 32-bit value for op `i` and salt `s` (deterministic). */
function mix(i: number, s: number): number {
  let x = (Math.imul(i + 1, 0x9e3779b1) ^ s) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

export class Bitset {
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
export class ConfigCache {
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
