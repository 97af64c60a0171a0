// Set checker (Jepsen set-full semantics): follows every added element through the reads (and the final
// reads per node) and classifies it stable, stale, lost, never-read, unexpected, recovered, duplicated.
// Keyed histories (ops with `key`) are checked per key; reads are ordered by their invoke index.
import type { Json, Key, Op, PairedHistory } from '../src/history/types.js';
import { CappedList, compactList, LIST_CAP, type Capped } from './ref.js';
import { explained, type Explanation } from './explain.js';
import type { Anomaly, CheckContext, CheckResult, Checker } from './types.js';

/** A set op's values are ill-typed: returns what was expected, or null when fine. */
export function setOpProblem(op: Op): string | null {
  if (op.f === 'add' && op.invokeValue === null) return 'expected the "value" of a set add to be the element; got null';
  if (op.f === 'read' && op.type === 'ok' && !Array.isArray(op.value)) {
    return `expected the "value" of an ok set read to be an array of elements; got ${JSON.stringify(op.value)}`;
  }
  return null;
}

/** Which read: a history read (index = its invoke index), a node's final read, or the final reads judged together. */
export interface ReadRef {
  index: number | null;
  completeIndex: number | null;
  process?: number;
  node?: string;
  /** the final reads judged as one (several settled nodes, no single primary) */
  nodes?: string[];
  final?: true;
}

interface Read {
  ref: ReadRef;
  invoke: number;
  complete: number;
  /** element ids as read, duplicates included */
  ids: Int32Array;
}

export interface ElementRef {
  element: Json;
  key?: Key;
}

/** Interns elements to dense integer ids; 1 and "1" differ, structured elements compare by their JSON. */
class ElementTable {
  private readonly nums = new Map<number, number>();
  private readonly strs = new Map<string, number>();
  private readonly other = new Map<string, number>();
  readonly values: Json[] = [];

  id(v: Json): number {
    let map: Map<number, number> | Map<string, number>;
    let k: number | string;
    if (typeof v === 'number') {
      map = this.nums;
      k = v;
    } else if (typeof v === 'string') {
      map = this.strs;
      k = v;
    } else {
      map = this.other;
      k = JSON.stringify(v);
    }
    const found = (map as Map<number | string, number>).get(k);
    if (found !== undefined) return found;
    (map as Map<number | string, number>).set(k, this.values.length);
    this.values.push(v);
    return this.values.length - 1;
  }
}

function readElements(v: Json, what: string): Json[] {
  if (!Array.isArray(v)) throw new Error(`${what}: expected an array of elements, got ${JSON.stringify(v)}`);
  return v;
}

function finalFor(v: Json, key: string | null, node: string): Json[] {
  if (key === null) {
    if (v === null) return [];
    return readElements(v, `final read of ${node}`);
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    throw new Error(`final read of ${node}: expected an object of key → elements for a keyed history`);
  }
  const got = v[key];
  return got === undefined || got === null ? [] : readElements(got, `final read of ${node} key ${key}`);
}

/** One node's final read as the checker takes it: judged (the reference for "lost") or only compared. */
interface FinalIn {
  node: string;
  vals: Json[];
  /** part of the reference: the settled primary, or (without one) every settled node */
  reference: boolean;
  /** the node had caught up when it was read (else `reason` says why not) */
  settled: boolean;
  reason?: string;
}

/** Elements absent from one node's final read though the reference holds them. */
interface Missing {
  settled: boolean;
  reason?: string;
  list: CappedList<ElementRef>;
  /** invoke indexes of the adds of the missing elements (capped) */
  ops: number[];
  /** every missing element by key (uncapped), for the ranges */
  byKey: Map<Key | undefined, Json[]>;
}

class Report {
  stable = 0;
  indeterminate = 0;
  attempted = 0;
  acknowledged = 0;
  reads = 0;
  lost = new CappedList<LostElement>();
  stale = new CappedList<StaleElement>();
  neverRead = new CappedList<ElementRef>();
  unexpected = new CappedList<ElementRef & { firstSeenBy: ReadRef; addFailed: boolean }>();
  recovered = new CappedList<ElementRef & { firstSeenBy: ReadRef }>();
  duplicated = new CappedList<ElementRef & { read: ReadRef; copies: number }>();
  final = new Map<string, { settled: boolean; reference: boolean; missing: CappedList<ElementRef>; unexpected: CappedList<ElementRef> }>();
  /** per node: known elements its final read lacks that are not lost (the reference holds them) */
  missing = new Map<string, Missing>();
  /** every lost element by key (uncapped): `lostElements` names them all as ranges */
  lostByKey = new Map<Key | undefined, Json[]>();
}

/** Every lost element, as ranges ("871–1064, 3219–3382"); per key for a keyed set ("1: 5–9; 2: 3"). */
function lostElements(byKey: Map<Key | undefined, Json[]>): string {
  const parts = [...byKey].map(([key, values]) => (key === undefined ? compactList(values, Number.POSITIVE_INFINITY) : `${JSON.stringify(key)}: ${compactList(values, Number.POSITIVE_INFINITY)}`));
  return parts.join('; ');
}

function withKey<T extends object>(o: T, key: Key | undefined): T & { key?: Key } {
  return key === undefined ? o : { ...o, key };
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  let l = m.get(k);
  if (!l) m.set(k, (l = []));
  l.push(v);
}

/**
 * Check one key's (or the unkeyed) sub-history. Linear in the total size of the reads: element ids are
 * interned, and absences are found as gaps between an element's successive presences (reads in invoke order).
 * The reference final reads count as one last read (an element is lost when none of them holds it); the
 * other final reads only show sightings and what each node lacks.
 */
function checkGroup(ops: Op[], key: Key | undefined, finals: FinalIn[], events: number, out: Report): void {
  const table = new ElementTable();
  const adds: Array<[Op, number]> = [];
  const reads: Read[] = [];
  const internRead = (vals: Json[]): Int32Array => {
    const ids = new Int32Array(vals.length);
    for (let i = 0; i < vals.length; i++) ids[i] = table.id(vals[i]);
    return ids;
  };
  for (const op of ops) {
    if (op.f === 'add') adds.push([op, table.id(op.invokeValue)]);
    else if (op.f === 'read' && op.type === 'ok') {
      const ref: ReadRef = { index: op.invokeIndex, completeIndex: op.completeIndex, process: op.process };
      if (op.node !== undefined) ref.node = op.node;
      const ids = internRead(readElements(op.value, `read at index ${op.invokeIndex}`));
      reads.push({ ref, invoke: op.invokeIndex, complete: op.completeIndex ?? events, ids });
    }
  }
  out.reads += reads.length;
  // final reads come after every history read; they are all "invoked" after everything is known
  const finalStart = reads.length;
  for (const f of finals) {
    reads.push({ ref: { index: null, completeIndex: null, node: f.node, final: true }, invoke: Infinity, complete: events, ids: internRead(f.vals) });
  }
  const R = reads.length;
  const E = table.values.length;
  const refs = finals.flatMap((f, i) => (f.reference ? [finalStart + i] : []));
  const refNodes = refs.map((j) => reads[j].ref.node as string);
  const combinedRef: ReadRef =
    refNodes.length === 1 ? { index: null, completeIndex: null, node: refNodes[0], final: true } : { index: null, completeIndex: null, nodes: refNodes, final: true };
  /** judged positions: the history reads, then (when there is a reference) the reference finals as one read */
  const J = finalStart + (refs.length > 0 ? 1 : 0);
  const refAt = (pos: number): ReadRef => (pos < finalStart ? reads[pos].ref : combinedRef);

  const okAdd = new Float64Array(E).fill(Infinity);
  const infoAdd = new Uint8Array(E);
  const anyAdd = new Uint8Array(E);
  const addAt = new Float64Array(E).fill(-1);
  for (const [op, id] of adds) {
    anyAdd[id] = 1;
    if (op.type === 'ok' && op.completeIndex !== null) {
      okAdd[id] = Math.min(okAdd[id], op.completeIndex);
      if (addAt[id] < 0 || infoAdd[id] === 1) addAt[id] = op.invokeIndex;
    } else if (op.type === 'info') {
      infoAdd[id] = 1;
      if (addAt[id] < 0) addAt[id] = op.invokeIndex;
    }
  }

  // pass 1: first sighting (position, completion), duplicates within one read; every read, every final
  const firstSeen = new Float64Array(E).fill(Infinity);
  const firstPos = new Int32Array(E).fill(-1);
  const stamp = new Int32Array(E).fill(-1);
  for (let j = 0; j < R; j++) {
    const r = reads[j];
    let copies: Map<number, number> | null = null;
    for (const id of r.ids) {
      if (stamp[id] === j) {
        copies ??= new Map();
        copies.set(id, (copies.get(id) ?? 1) + 1);
        continue;
      }
      stamp[id] = j;
      if (r.complete < firstSeen[id]) firstSeen[id] = r.complete;
      if (firstPos[id] < 0) firstPos[id] = j;
    }
    if (copies) for (const [id, n] of copies) out.duplicated.add(withKey({ element: table.values[id], read: r.ref, copies: n }, key));
  }

  // when each element became known, and the first read invoked after that (finalStart at the latest)
  const invokes = reads.map((r) => r.invoke);
  const firstAfter = (k: number): number => {
    let lo = 0;
    let hi = R;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (invokes[mid] <= k) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const known = new Float64Array(E);
  const start = new Int32Array(E);
  for (let id = 0; id < E; id++) {
    known[id] = Math.min(okAdd[id], firstSeen[id]);
    start[id] = known[id] === Infinity ? J : Math.min(firstAfter(known[id]), finalStart);
  }

  // pass 2: absences after known = gaps between successive presences at or after start (judged reads only)
  const lastPos = new Int32Array(E).fill(-1);
  const firstAbsent = new Int32Array(E).fill(-1);
  const lastAbsent = new Int32Array(E).fill(-1);
  const seenAgain = new Int32Array(E).fill(-1);
  const present = (id: number, j: number): void => {
    if (lastPos[id] === j) return; // a duplicate, or held by two reference finals
    const s = start[id];
    if (j >= s) {
      const gap = Math.max(lastPos[id] + 1, s);
      if (gap < j) {
        if (firstAbsent[id] < 0) {
          firstAbsent[id] = gap;
          seenAgain[id] = j;
        }
        lastAbsent[id] = j - 1;
      }
    }
    lastPos[id] = j;
  };
  for (let j = 0; j < finalStart; j++) for (const id of reads[j].ids) present(id, j);
  for (const j of refs) for (const id of reads[j].ids) present(id, finalStart);

  /** the first final read (of any node, settled or not) holding each element, or -1 */
  const heldBy = new Int32Array(E).fill(-1);
  for (let j = R - 1; j >= finalStart; j--) for (const id of reads[j].ids) heldBy[id] = j;
  const knownIds: number[] = [];
  const lostIds = new Uint8Array(E);
  for (let id = 0; id < E; id++) {
    const value = table.values[id];
    const attempted = okAdd[id] !== Infinity || infoAdd[id] === 1;
    if (anyAdd[id]) out.attempted++;
    if (okAdd[id] !== Infinity) out.acknowledged++;
    if (!attempted) {
      if (firstPos[id] >= 0) out.unexpected.add(withKey({ element: value, firstSeenBy: reads[firstPos[id]].ref, addFailed: anyAdd[id] === 1 }, key));
      continue;
    }
    if (known[id] === Infinity) {
      out.indeterminate++;
      continue;
    }
    knownIds.push(id);
    if (okAdd[id] === Infinity && firstPos[id] >= 0) out.recovered.add(withKey({ element: value, firstSeenBy: reads[firstPos[id]].ref }, key));
    const s = start[id];
    if (s >= J) {
      out.neverRead.add(withKey({ element: value }, key));
      continue;
    }
    const tail = Math.max(lastPos[id] + 1, s);
    if (tail < J) {
      if (firstAbsent[id] < 0) firstAbsent[id] = tail;
      lastAbsent[id] = J - 1;
    }
    const lastPresent = lastPos[id] >= s ? lastPos[id] : -1;
    // without a reference final read the history's reads judge, but a node's final read holding the element proves it
    // was not lost (reads that missed it were stale: a standby that stopped following, say): not an anomaly
    const held = refs.length === 0 ? heldBy[id] : -1;
    const lost = lastAbsent[id] >= 0 && lastAbsent[id] > lastPresent && held < 0;
    if (held >= 0 && lastAbsent[id] >= 0 && lastAbsent[id] > lastPresent) {
      out.stable++;
      out.stale.add(withKey({ element: value, known: known[id], firstMissedBy: refAt(firstAbsent[id]), seenAgainBy: reads[held].ref }, key));
    } else if (lost) {
      lostIds[id] = 1;
      push(out.lostByKey, key, value);
      out.lost.add(
        withKey(
          {
            element: value,
            known: known[id],
            lastSeenBy: lastPos[id] >= 0 ? refAt(lastPos[id]) : null,
            firstMissedBy: refAt(firstAbsent[id]),
            add: addAt[id] >= 0 ? addAt[id] : null,
          },
          key,
        ),
      );
    } else {
      out.stable++;
      if (firstAbsent[id] >= 0) {
        out.stale.add(withKey({ element: value, known: known[id], firstMissedBy: refAt(firstAbsent[id]), seenAgainBy: refAt(seenAgain[id]) }, key));
      }
    }
  }

  for (let i = 0; i < finals.length; i++) {
    const f = finals[i];
    const j = finalStart + i;
    let entry = out.final.get(f.node);
    if (!entry) {
      entry = { settled: f.settled, reference: f.reference, missing: new CappedList(), unexpected: new CappedList() };
      out.final.set(f.node, entry);
    }
    const mark = R + j;
    for (const id of reads[j].ids) {
      if (stamp[id] === mark) continue;
      stamp[id] = mark;
      if (okAdd[id] === Infinity && infoAdd[id] === 0) entry.unexpected.add(withKey({ element: table.values[id] }, key));
    }
    for (const id of knownIds) {
      if (stamp[id] === mark) continue;
      const el = withKey({ element: table.values[id] }, key);
      entry.missing.add(el);
      if (lostIds[id]) continue; // a lost element is reported as lost, not per node
      let m = out.missing.get(f.node);
      if (!m) {
        m = { settled: f.settled, list: new CappedList(), ops: [], byKey: new Map() };
        if (f.reason !== undefined) m.reason = f.reason;
        out.missing.set(f.node, m);
      }
      m.list.add(el);
      if (addAt[id] >= 0 && m.ops.length < LIST_CAP) m.ops.push(addAt[id]);
      push(m.byKey, key, table.values[id]);
    }
  }
}

function where(r: ReadRef): string {
  if (r.nodes !== undefined) return `the final reads on ${r.nodes.join(', ')}`;
  const on = r.node !== undefined ? ` on ${r.node}` : '';
  return r.final ? `the final read${on}` : `the read at index ${r.index}${on}`;
}

/**
 * Which final reads judge "lost": the primary's when it was settled, else every settled node's (an element is
 * lost when none holds it); none when no node settled (then only the history's reads judge, at best unknown).
 */
function finalsIn(entries: Array<[string, Json]>, ctx: CheckContext): Array<Omit<FinalIn, 'vals'> & { value: Json }> {
  const unsettled = ctx.settlement?.unsettled ?? {};
  const settled = entries.filter(([n]) => !(n in unsettled)).map(([n]) => n);
  const primary = ctx.settlement?.primary;
  const reference = new Set(primary !== undefined && settled.includes(primary) ? [primary] : settled);
  return entries.map(([node, value]) => {
    const f: Omit<FinalIn, 'vals'> & { value: Json } = { node, value, reference: reference.has(node), settled: !(node in unsettled) };
    if (node in unsettled) f.reason = unsettled[node];
    return f;
  });
}

/** What one node lacks, as an anomaly (settled nodes: a divergence) or as a note (unsettled: not judged). */
function missingRecord(node: string, m: Missing): Anomaly<'missing-on-node', MissingOnNode & Record<string, Json>> {
  const keys = [...m.byKey.keys()].filter((k): k is Key => k !== undefined);
  const first = m.list.toJSON().items.slice(0, 4).map((e) => e.element);
  const data: MissingOnNode & Record<string, Json> = { count: m.list.count, elements: lostElements(m.byKey), first, settled: m.settled };
  if (m.reason !== undefined) data.reason = m.reason;
  const a: Anomaly<'missing-on-node', MissingOnNode & Record<string, Json>> = { type: 'missing-on-node', ops: m.ops, nodes: [node], data };
  if (keys.length > 0) a.keys = keys;
  return a;
}

/** A lost element: acknowledged (or seen), then missing from every later read up to the judging final reads. */
export interface LostElement extends ElementRef {
  /** event index from which the element was known to be in the set */
  known: number;
  lastSeenBy: ReadRef | null;
  firstMissedBy: ReadRef;
  /** invoke index of the add that wrote it (null: seen but never added in the history) */
  add: number | null;
}

/** A stale element: missed by a read after it was known, then seen again (not lost). */
export interface StaleElement extends ElementRef {
  known: number;
  firstMissedBy: ReadRef;
  seenAgainBy: ReadRef;
}

/** One node's final read compared with what the history says the set holds. */
export interface NodeFinal {
  settled: boolean;
  /** part of the reference the "lost" verdict is judged against */
  reference: boolean;
  missing: Capped<ElementRef>;
  unexpected: Capped<ElementRef>;
}

/** data of a missing-on-node anomaly: how many elements one node lacks (as ranges) and whether it had settled. */
export interface MissingOnNode {
  count: number;
  /** every element it lacks, as ranges */
  elements: string;
  /** the first few of them (at most 4), for the explanation */
  first: Json[];
  settled: boolean;
  reason?: string;
}

/** The set checker's result (Jepsen set-full's fields, plus per-node finals). */
export interface SetResult extends CheckResult {
  attempted: number;
  acknowledged: number;
  reads: number;
  stable: number;
  indeterminate: number;
  lost: Capped<LostElement>;
  /** every lost element as ranges ("871–1064, 3219"); per key for a keyed set */
  lostElements: string;
  stale: Capped<StaleElement>;
  neverRead: Capped<ElementRef>;
  unexpected: Capped<ElementRef & { firstSeenBy: ReadRef; addFailed: boolean }>;
  recovered: Capped<ElementRef & { firstSeenBy: ReadRef }>;
  duplicated: Capped<ElementRef & { read: ReadRef; copies: number }>;
  /** lost, missing-on-node (a settled node diverged), unexpected, duplicated */
  anomalies: Anomaly[];
  /** what unsettled nodes lack: shown, not judged */
  notConverged?: Anomaly<'missing-on-node', MissingOnNode & Record<string, Json>>[];
  final?: Record<string, NodeFinal>;
  /** no final read is of a settled node: node → why (lost writes are then judged from the history's reads only) */
  noReference?: Record<string, string>;
}

/** Check a set history (add / read ops); ctx.final: node → elements (or key → elements for keyed histories). */
export function checkSet(history: PairedHistory, ctx: CheckContext = {}): SetResult {
  const groups = new Map<string, { key?: Key; ops: Op[] }>();
  for (const op of history.ops) {
    if (op.f !== 'add' && op.f !== 'read') continue;
    const gk = op.key === undefined ? '' : String(op.key);
    let g = groups.get(gk);
    if (!g) {
      g = op.key === undefined ? { ops: [] } : { key: op.key, ops: [] };
      groups.set(gk, g);
    }
    g.ops.push(op);
  }
  const finalEntries = Object.entries(ctx.final ?? {});
  const isObject = (v: Json): boolean => v !== null && typeof v === 'object' && !Array.isArray(v);
  const keyed = [...groups.keys()].some((k) => k !== '') || finalEntries.some(([, v]) => isObject(v));
  if (keyed) {
    for (const [, v] of finalEntries) {
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
        groups.delete('');
        for (const k of Object.keys(v)) if (!groups.has(k)) groups.set(k, { key: k, ops: [] });
      }
    }
  } else if (groups.size === 0 && finalEntries.length > 0) {
    groups.set('', { ops: [] });
  }
  const nodes = finalsIn(finalEntries, ctx);
  const noReference = nodes.length > 0 && !nodes.some((n) => n.reference);
  const out = new Report();
  for (const [gk, g] of groups) {
    const finals = nodes.map(({ value, ...n }): FinalIn => ({ ...n, vals: finalFor(value, g.key === undefined ? null : gk, n.node) ?? [] }));
    checkGroup(g.ops, g.key, finals, history.events, out);
  }

  const missing = [...out.missing].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const diverged = missing.filter(([, m]) => m.settled);
  const notJudged = missing.filter(([, m]) => !m.settled);
  const invalid = out.lost.count > 0 || out.unexpected.count > 0 || out.duplicated.count > 0 || diverged.length > 0;
  const result: SetResult = {
    valid: invalid ? false : noReference ? 'unknown' : true,
    attempted: out.attempted,
    acknowledged: out.acknowledged,
    reads: out.reads,
    stable: out.stable,
    indeterminate: out.indeterminate,
    lost: out.lost.toJSON(),
    lostElements: lostElements(out.lostByKey),
    stale: out.stale.toJSON(),
    neverRead: out.neverRead.toJSON(),
    unexpected: out.unexpected.toJSON(),
    recovered: out.recovered.toJSON(),
    duplicated: out.duplicated.toJSON(),
    anomalies: [],
  };
  const anomalies = result.anomalies;
  for (const l of out.lost.toJSON().items) {
    const a: Anomaly = { type: 'lost', ops: l.add === null ? [] : [l.add], data: { element: l.element, firstMissedBy: l.firstMissedBy as unknown as Json } };
    if (l.key !== undefined) a.keys = [l.key];
    const by = l.firstMissedBy;
    if (by.final) a.nodes = by.nodes ?? (by.node !== undefined ? [by.node] : []);
    anomalies.push(a);
  }
  for (const [node, m] of diverged) anomalies.push(missingRecord(node, m));
  for (const u of out.unexpected.toJSON().items) {
    const a: Anomaly = { type: 'unexpected', ops: u.firstSeenBy.index === null ? [] : [u.firstSeenBy.index], data: { element: u.element } };
    if (u.key !== undefined) a.keys = [u.key];
    if (u.firstSeenBy.node !== undefined) a.nodes = [u.firstSeenBy.node];
    anomalies.push(a);
  }
  for (const d of out.duplicated.toJSON().items) {
    const a: Anomaly = { type: 'duplicated', ops: d.read.index === null ? [] : [d.read.index], data: { element: d.element, copies: d.copies } };
    if (d.key !== undefined) a.keys = [d.key];
    anomalies.push(a);
  }
  if (notJudged.length > 0) result.notConverged = notJudged.map(([node, m]) => missingRecord(node, m));
  if (ctx.final) {
    const fin: Record<string, NodeFinal> = {};
    for (const [node, f] of out.final) fin[node] = { settled: f.settled, reference: f.reference, missing: f.missing.toJSON(), unexpected: f.unexpected.toJSON() };
    result.final = fin;
  }
  if (nothingFound(result) && noReference) result.noReference = Object.fromEntries(nodes.map((n) => [n.node, n.reason ?? 'unsettled']));
  return explained(result, explainSet);
}

function nothingFound(r: SetResult): boolean {
  return r.lost.count === 0 && r.unexpected.count === 0 && r.duplicated.count === 0 && !r.anomalies.some((a) => a.type === 'missing-on-node');
}

/** A few elements as ranges, "…" when there are more. */
function some(first: readonly Json[], count: number): string {
  return `${compactList(first, 4)}${count > first.length ? ', …' : ''}`;
}

/** The set result in words (reason, warnings), rendered from its data. */
export function explainSet(r: SetResult): Explanation {
  const reasons: string[] = [];
  const l = r.lost.items[0];
  if (l) reasons.push(`${r.lost.count} lost (${describeLost(l)})`);
  for (const a of r.anomalies) {
    if (a.type !== 'missing-on-node' || !isMissing(a.data)) continue;
    reasons.push(`${a.data.count} missing on ${a.nodes?.[0] ?? '?'} though it had caught up (${some(a.data.first, a.data.count)}): the nodes diverged`);
  }
  const u = r.unexpected.items[0];
  if (u) reasons.push(`${r.unexpected.count} unexpected (first: ${JSON.stringify(u.element)}, seen by ${where(u.firstSeenBy)})`);
  const d = r.duplicated.items[0];
  if (d) reasons.push(`${r.duplicated.count} duplicated (first: ${JSON.stringify(d.element)} ×${d.copies} in ${where(d.read)})`);
  if (reasons.length === 0 && r.noReference) {
    reasons.push(`no final read is of a settled node (${Object.entries(r.noReference).map(([n, why]) => `${n}: ${why}`).join('; ')}): lost writes are judged from the history's reads only`);
  }
  const warnings = (r.notConverged ?? []).map(
    (a) => `${a.nodes?.[0] ?? '?'} had not caught up when read (${a.data?.reason ?? 'unsettled'}): the ${a.data?.count ?? 0} element(s) it lacks (${some(a.data?.first ?? [], a.data?.count ?? 0)}) are not judged lost`,
  );
  return { reason: reasons.length > 0 ? reasons.join('; ') : undefined, warnings };
}

/** "first: 7, missed by the final read on n2": the first lost element and the read that first missed it. */
export function describeLost(l: LostElement): string {
  return `first: ${JSON.stringify(l.element)}, missed by ${where(l.firstMissedBy)}`;
}

function isMissing(d: unknown): d is MissingOnNode {
  return typeof d === 'object' && d !== null && typeof (d as MissingOnNode).count === 'number' && Array.isArray((d as MissingOnNode).first);
}

/** The set checker under the Checker seam. */
export const setChecker: Checker<SetResult> = (history, ctx) => checkSet(history, ctx);
