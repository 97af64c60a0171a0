// The linearized-ops set of the search as a hash-consed binary tree of 32-bit words: every distinct subtree
// has one integer id, so a whole bitset is identified exactly by its root id (flipping a bit costs one id
// per tree level), and the memo of configurations is a set of (root id, state id) integer pairs; or, faster,
// a 64-bit Zobrist hash of the set. Tables come from the buffer pool (buffers.ts) and go back with release().
import { give, takeInt32 } from './buffers.js';

/** A 32-bit mix of two 32-bit integers (murmur3-style finalizer). */
function mix2(a: number, b: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul((b ^ (b >>> 15)) + 0x27d4eb2f, 0xc2b2ae35);
  h ^= h >>> 13;
  h = Math.imul(h, 0x165667b1);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Interns pairs (left, right) of integers as dense node ids 0, 1, 2…: equal pairs, equal ids. */
export class PairInterner {
  private slots: Int32Array;
  private mask: number;
  private left: Int32Array;
  private right: Int32Array;
  size = 0;

  constructor(capacity = 1024) {
    const cap = 2 ** Math.ceil(Math.log2(Math.max(16, capacity * 2)));
    this.slots = takeInt32(cap);
    this.mask = cap - 1;
    this.left = takeInt32(capacity);
    this.right = takeInt32(capacity);
  }

  release(): void {
    give(this.slots, this.left, this.right);
  }

  /** The id of (a, b), a new one when the pair is new. */
  intern(a: number, b: number): number {
    const mask = this.mask;
    const slots = this.slots;
    let i = mix2(a, b) & mask;
    for (;;) {
      const s = slots[i];
      if (s === 0) break;
      const id = s - 1;
      if (this.left[id] === a && this.right[id] === b) return id;
      i = (i + 1) & mask;
    }
    const id = this.size++;
    if (id === this.left.length) this.growNodes();
    this.left[id] = a;
    this.right[id] = b;
    slots[i] = id + 1;
    if (this.size * 2 > mask) this.rehash();
    return id;
  }

  bytes(): number {
    return this.slots.byteLength + this.left.byteLength + this.right.byteLength;
  }

  private growNodes(): void {
    const l = takeInt32(this.left.length * 2);
    l.set(this.left);
    give(this.left);
    this.left = l;
    const r = takeInt32(this.right.length * 2);
    r.set(this.right);
    give(this.right);
    this.right = r;
  }

  private rehash(): void {
    const cap = this.slots.length * 2;
    const slots = takeInt32(cap);
    const mask = cap - 1;
    for (let id = 0; id < this.size; id++) {
      let i = mix2(this.left[id], this.right[id]) & mask;
      while (slots[i] !== 0) i = (i + 1) & mask;
      slots[i] = id + 1;
    }
    give(this.slots);
    this.slots = slots;
    this.mask = mask;
  }
}

/**
 * A set of `size` bits kept as a complete binary tree over 32-bit words whose inner nodes are interned:
 * root() identifies the whole set exactly. peek(i) computes the root with bit i flipped (one interned node
 * per level) without changing the set; commit() then applies that flip.
 */
export class InternedBitset {
  private readonly levels: Int32Array[];
  private readonly depth: number;
  private readonly path: Int32Array;
  private pending = -1;
  readonly nodes: PairInterner;

  constructor(readonly size: number) {
    const words = Math.max(1, Math.ceil(size / 32));
    this.depth = Math.ceil(Math.log2(words));
    this.nodes = new PairInterner(Math.min(1 << 20, Math.max(64, size * 4)));
    this.levels = [takeInt32(2 ** this.depth)];
    let zero = 0;
    for (let l = 1; l <= this.depth; l++) {
      zero = this.nodes.intern(zero, zero);
      this.levels.push(takeInt32(2 ** (this.depth - l)).fill(zero));
    }
    this.path = new Int32Array(this.depth + 1);
  }

  release(): void {
    give(...this.levels);
    this.nodes.release();
  }

  /** The id of the current set. */
  root(): number {
    return this.levels[this.depth][0];
  }

  has(i: number): boolean {
    return (this.levels[0][i >>> 5] & (1 << (i & 31))) !== 0;
  }

  /** The root id the set would have with bit i flipped; the set itself is unchanged until commit(). */
  peek(i: number): number {
    const levels = this.levels;
    const path = this.path;
    let idx = i >>> 5;
    let v = levels[0][idx] ^ (1 << (i & 31));
    path[0] = v;
    for (let l = 1; l <= this.depth; l++) {
      const below = levels[l - 1];
      v = (idx & 1) === 0 ? this.nodes.intern(v, below[idx + 1]) : this.nodes.intern(below[idx - 1], v);
      idx >>>= 1;
      path[l] = v;
    }
    this.pending = i;
    return v;
  }

  /** Apply the flip the last peek() computed. */
  commit(): void {
    let idx = this.pending >>> 5;
    for (let l = 0; l <= this.depth; l++) {
      this.levels[l][idx] = this.path[l];
      idx >>>= 1;
    }
    this.pending = -1;
  }

  /** Flip bit i; the new root id. */
  flip(i: number): number {
    const r = this.peek(i);
    this.commit();
    return r;
  }

  bytes(): number {
    let b = this.nodes.bytes() + this.path.byteLength;
    for (const l of this.levels) b += l.byteLength;
    return b;
  }
}

/** A set of (a, b) integer pairs with b ≥ 0: the configurations (linearized set's root, state) explored. */
export class PairSet {
  private keys: Int32Array;
  private mask: number;
  size = 0;

  constructor(capacity = 1024) {
    const cap = 2 ** Math.ceil(Math.log2(Math.max(16, capacity * 2)));
    this.keys = takeInt32(cap * 2);
    this.mask = cap - 1;
  }

  release(): void {
    give(this.keys);
  }

  /** Add (a, b); false when it was already there. */
  add(a: number, b: number): boolean {
    const keys = this.keys;
    const mask = this.mask;
    const tag = b + 1;
    let i = mix2(a, b) & mask;
    for (;;) {
      const t = keys[2 * i + 1];
      if (t === 0) break;
      if (t === tag && keys[2 * i] === a) return false;
      i = (i + 1) & mask;
    }
    keys[2 * i] = a;
    keys[2 * i + 1] = tag;
    if (++this.size * 2 > mask) this.rehash();
    return true;
  }

  bytes(): number {
    return this.keys.byteLength;
  }

  private rehash(): void {
    const old = this.keys;
    const cap = (this.mask + 1) * 2;
    const keys = takeInt32(cap * 2);
    const mask = cap - 1;
    for (let j = 0; j < old.length; j += 2) {
      const tag = old[j + 1];
      if (tag === 0) continue;
      let i = mix2(old[j], tag - 1) & mask;
      while (keys[2 * i + 1] !== 0) i = (i + 1) & mask;
      keys[2 * i] = old[j];
      keys[2 * i + 1] = tag;
    }
    give(old);
    this.keys = keys;
    this.mask = mask;
  }
}

/** The memo of configurations the search keeps, whatever it identifies the linearized set by. */
export interface ConfigMemo {
  /** With op i linearized from the current set, in state s: new? Then it is added and the set is so. */
  tryAdd(i: number, s: number): boolean;
  /** Take op i out of the current set again (the search backs up). */
  undo(i: number): void;
  readonly size: number;
  bytes(): number;
  /** Give the memo's tables back to the pool; it must not be used afterwards. */
  release(): void;
}

/** Exact: the set is an InternedBitset, a configuration its (root id, state) pair. */
export class ExactMemo implements ConfigMemo {
  private readonly bits: InternedBitset;
  private readonly configs: PairSet;

  constructor(n: number) {
    this.bits = new InternedBitset(n);
    this.configs = new PairSet(Math.min(1 << 16, 4 * n + 16));
  }

  get size(): number {
    return this.configs.size;
  }

  tryAdd(i: number, s: number): boolean {
    if (!this.configs.add(this.bits.peek(i), s)) return false;
    this.bits.commit();
    return true;
  }

  undo(i: number): void {
    this.bits.flip(i);
  }

  bytes(): number {
    return this.bits.bytes() + this.configs.bytes();
  }

  release(): void {
    this.bits.release();
    this.configs.release();
  }
}

/** splitmix32 of x: a well-spread 32-bit value. */
function splitmix(x: number): number {
  let z = (x + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return z ^ (z >>> 16);
}

/**
 * Fast: the set is identified by a 64-bit Zobrist hash (xor of a fixed random pair per op), updated in O(1).
 * Two different sets share a hash with odds about 2^-64 per pair; a shared hash could only hide a
 * linearization, never invent one, so a search with this memo that answers "linearizable" is right, and
 * its "not linearizable" is confirmed with ExactMemo before it is reported.
 */
export class HashMemo implements ConfigMemo {
  private readonly z1: Int32Array;
  private readonly z2: Int32Array;
  private h1 = 0;
  private h2 = 0;
  private keys: Int32Array;
  private mask: number;
  size = 0;

  constructor(n: number) {
    this.z1 = takeInt32(n);
    this.z2 = takeInt32(n);
    for (let i = 0; i < n; i++) {
      this.z1[i] = splitmix(2 * i);
      this.z2[i] = splitmix(2 * i + 1);
    }
    const cap = 2 ** Math.ceil(Math.log2(Math.max(16, Math.min(1 << 17, 2 * n + 16))));
    this.keys = takeInt32(cap * 3);
    this.mask = cap - 1;
  }

  release(): void {
    give(this.z1, this.z2, this.keys);
  }

  tryAdd(i: number, s: number): boolean {
    const a = this.h1 ^ this.z1[i];
    const b = this.h2 ^ this.z2[i];
    const keys = this.keys;
    const mask = this.mask;
    const tag = s + 1;
    let k = (a ^ Math.imul(tag, 0x9e3779b1)) & mask;
    for (;;) {
      const t = keys[3 * k + 2];
      if (t === 0) break;
      if (t === tag && keys[3 * k] === a && keys[3 * k + 1] === b) return false;
      k = (k + 1) & mask;
    }
    keys[3 * k] = a;
    keys[3 * k + 1] = b;
    keys[3 * k + 2] = tag;
    this.h1 = a;
    this.h2 = b;
    if (++this.size * 2 > mask) this.rehash();
    return true;
  }

  undo(i: number): void {
    this.h1 ^= this.z1[i];
    this.h2 ^= this.z2[i];
  }

  bytes(): number {
    return this.keys.byteLength + this.z1.byteLength * 2;
  }

  private rehash(): void {
    const old = this.keys;
    const cap = (this.mask + 1) * 2;
    const keys = takeInt32(cap * 3);
    const mask = cap - 1;
    for (let j = 0; j < old.length; j += 3) {
      const tag = old[j + 2];
      if (tag === 0) continue;
      let k = (old[j] ^ Math.imul(tag, 0x9e3779b1)) & mask;
      while (keys[3 * k + 2] !== 0) k = (k + 1) & mask;
      keys[3 * k] = old[j];
      keys[3 * k + 1] = old[j + 1];
      keys[3 * k + 2] = tag;
    }
    give(old);
    this.keys = keys;
    this.mask = mask;
  }
}
