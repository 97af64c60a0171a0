// The consistency-model lattice as data (after Elle's elle.consistency-model, from Adya, Bailis, Cerone and
// others): friendly → canonical model names, which model implies which, what each model proscribes, and which
// anomaly implies which. Functions below only walk these tables.

/** Friendly names and their canonical (Adya) names; every other model name is its own canonical name. */
export const CANONICAL_NAMES: Readonly<Record<string, string>> = {
  'consistent-view': 'PL-2+',
  'conflict-serializable': 'PL-3',
  'cursor-stability': 'PL-CS',
  'forward-consistent-view': 'PL-FCV',
  'monotonic-snapshot-read': 'PL-MSR',
  'monotonic-view': 'PL-2L',
  'read-committed': 'PL-2',
  'read-uncommitted': 'PL-1',
  'repeatable-read': 'PL-2.99',
  serializable: 'PL-3',
  'snapshot-isolation': 'PL-SI',
  'strict-serializable': 'PL-SS',
  'strong-serializable': 'PL-SS',
  'update-serializable': 'PL-3U',
  'strong-session-read-uncommitted': 'strong-session-PL-1',
  'strong-session-read-committed': 'strong-session-PL-2',
  'strong-read-uncommitted': 'strong-PL-1',
  'strong-read-committed': 'strong-PL-2',
};

/** Where two friendly names share a canonical one, the one results use. */
const PREFERRED_FRIENDLY: Readonly<Record<string, string>> = { 'PL-3': 'serializable', 'PL-SS': 'strict-serializable' };

/**
 * Model → the weaker models it implies (a history satisfying the key satisfies each value), by friendly or
 * canonical name. Sources as in Elle: Adya, Bailis (HAT), Cerone (framework, SI), Daudjee, Zuikeviciute, ROLA.
 * update-atomic (Cerone's UA: read atomic without lost updates) sits under parallel SI and ROLA.
 */
const IMPLIES: Readonly<Record<string, readonly string[]>> = {
  'causal-cerone': ['read-atomic'],
  'consistent-view': ['cursor-stability', 'monotonic-view'],
  'conflict-serializable': ['view-serializable'],
  'cursor-stability': ['read-committed'],
  'forward-consistent-view': ['consistent-view'],
  'monotonic-atomic-view': ['read-committed'],
  'monotonic-view': ['read-committed'],
  'monotonic-snapshot-read': ['read-committed'],
  'parallel-snapshot-isolation': ['causal-cerone', 'ROLA', 'update-atomic'],
  prefix: ['causal-cerone'],
  'read-atomic': ['monotonic-atomic-view'],
  'read-committed': ['read-uncommitted'],
  'repeatable-read': ['cursor-stability', 'monotonic-atomic-view'],
  ROLA: ['read-atomic', 'update-atomic'],
  'update-atomic': ['read-atomic'],
  serializable: ['repeatable-read', 'snapshot-isolation', 'view-serializable', 'update-serializable'],
  'update-serializable': ['forward-consistent-view'],
  'session-serializable': ['1SR'],
  'snapshot-isolation': ['forward-consistent-view', 'monotonic-atomic-view', 'monotonic-snapshot-read', 'parallel-snapshot-isolation', 'prefix'],
  'strict-serializable': ['serializable', 'linearizable', 'snapshot-isolation', 'strong-snapshot-isolation', 'strong-session-serializable', 'session-serializable'],
  'strong-session-PL-1': ['read-uncommitted'],
  'strong-session-PL-2': ['read-committed', 'strong-session-PL-1'],
  'strong-PL-1': ['strong-session-PL-1'],
  'strong-PL-2': ['strong-session-PL-2', 'strong-PL-1'],
  'strong-session-serializable': ['serializable', 'strong-session-snapshot-isolation'],
  'strong-session-snapshot-isolation': ['snapshot-isolation', 'strong-session-PL-2'],
  'strong-snapshot-isolation': ['strong-session-snapshot-isolation', 'strong-PL-2'],
  linearizable: ['sequential'],
  sequential: ['causal'],
  causal: ['writes-follow-reads', 'PRAM'],
  PRAM: ['monotonic-reads', 'monotonic-writes', 'read-your-writes'],
};

/** Model → the anomalies it proscribes directly (weaker models' proscriptions apply too). */
const PROSCRIBES: Readonly<Record<string, readonly string[]>> = {
  'causal-cerone': ['internal', 'G1a'],
  'cursor-stability': ['G1', 'G-cursor', 'lost-update'],
  'monotonic-view': ['G1', 'G-monotonic'],
  'monotonic-snapshot-read': ['G1', 'G-MSR'],
  'consistent-view': ['G1', 'G-single'],
  'forward-consistent-view': ['G1', 'G-SIb'],
  'parallel-snapshot-isolation': ['internal', 'G1a'],
  serializable: ['G1', 'G2', 'internal'],
  'read-committed': ['G1'],
  // Version orders are total and elements appended once: no Adya history has these
  'read-uncommitted': ['G0', 'duplicate-elements', 'cyclic-versions'],
  prefix: ['internal', 'G1a'],
  'snapshot-isolation': ['internal', 'G1', 'G-SI', 'G-nonadjacent'],
  'read-atomic': ['internal', 'G1a', 'future-read'],
  'repeatable-read': ['G1', 'G2-item', 'lost-update'],
  ROLA: ['lost-update'],
  'update-atomic': ['lost-update'],
  'strict-serializable': ['G1', 'G1c-realtime', 'G2-realtime'],
  'strong-session-PL-1': ['G0-process'],
  'strong-session-PL-2': ['G1c-process'],
  'strong-PL-1': ['G0-realtime'],
  'strong-PL-2': ['G1c-realtime'],
  'strong-session-snapshot-isolation': ['internal', 'G1-process', 'G-nonadjacent-process'],
  'strong-snapshot-isolation': ['internal', 'G1-realtime', 'G-nonadjacent-realtime'],
  'strong-session-serializable': ['G1-process', 'G2-process'],
  'update-serializable': ['G1', 'G-update'],
};

/** Anomaly → the anomalies its presence implies (e.g. G1a is one of the three kinds of G1). */
const ANOMALY_IMPLIES: Readonly<Record<string, readonly string[]>> = {
  G0: ['G1c', 'G0-process'],
  'G0-process': ['G1c-process', 'G0-realtime'],
  'G0-realtime': ['G1c-realtime'],
  G1a: ['G1'],
  G1b: ['G1'],
  G1c: ['G1', 'G1c-process'],
  'G1c-process': ['G1c-realtime', 'G1-process'],
  'G1c-realtime': ['G1-realtime'],
  G1: ['G1-process'],
  'G1-process': ['G1-realtime'],
  'G-single-item': ['G-single', 'G-single-item-process', 'G-nonadjacent-item'],
  'G-single-item-process': ['G-single-process', 'G-single-item-realtime', 'G-nonadjacent-item-process'],
  'G-single-item-realtime': ['G-single-realtime', 'G-nonadjacent-item-realtime'],
  'G-single': ['G-nonadjacent', 'GSIb', 'G-single-process'],
  'G-single-process': ['G-nonadjacent-process', 'G-single-realtime'],
  'G-single-realtime': ['G-nonadjacent-realtime'],
  'G-nonadjacent-item': ['G-nonadjacent', 'G2-item', 'G-nonadjacent-item-process'],
  'G-nonadjacent-item-process': ['G-nonadjacent-process', 'G2-item-process', 'G-nonadjacent-item-realtime'],
  'G-nonadjacent-item-realtime': ['G2-item-realtime', 'G-nonadjacent-realtime'],
  'G-nonadjacent': ['G2', 'G-nonadjacent-process'],
  'G-nonadjacent-process': ['G2-process', 'G-nonadjacent-realtime'],
  'G-nonadjacent-realtime': ['G2-realtime'],
  G2: ['G2-process'],
  'G2-item': ['G2', 'G2-item-process'],
  'G2-item-process': ['G2-process', 'G2-item-realtime'],
  'G2-item-realtime': ['G2-realtime'],
  'G2-process': ['G2-realtime'],
  GSIa: ['GSI'],
  GSIb: ['GSI'],
  // two committed reads that no single order of appends explains: some read saw a dirty (aborted) state
  'incompatible-order': ['G1a'],
  // reading a write of one's own future is a trivial cycle T -wr-> T
  'future-read': ['G1c'],
  // a committed write on top of an aborted one carries the aborted state into committed state
  'dirty-update': ['G1a'],
  // two read-modify-writes of the same version: write skew on one item
  'lost-update': ['write-skew', 'G2-item'],
  'write-skew': ['G2'],
};

/**
 * A read of a value no txn in the history wrote. Elle does not judge it (its rw-register tests read values written
 * outside the history), so no model here proscribes it: it is reported apart, and fails a check only when asked
 * for (--anomalies garbage-read), as faultline's own workloads do, whose tables start empty.
 */
export const GARBAGE_READ = 'garbage-read';

/** Found no matter what is asked: they make the verdict "unknown" rather than false. */
export const UNKNOWN_ANOMALIES: readonly string[] = ['empty-transaction-graph', 'cycle-search-timeout'];

export function canonicalModel(name: string): string {
  return CANONICAL_NAMES[name] ?? name;
}

export function friendlyModel(canonical: string): string {
  const preferred = PREFERRED_FRIENDLY[canonical];
  if (preferred) return preferred;
  for (const [friendly, c] of Object.entries(CANONICAL_NAMES)) if (c === canonical) return friendly;
  return canonical;
}

/** A directed graph over names, with edges in both directions, built from a table (names canonicalised). */
class NameGraph {
  readonly out = new Map<string, Set<string>>();
  readonly in = new Map<string, Set<string>>();
  constructor(table: Readonly<Record<string, readonly string[]>>, canon: (s: string) => string = (s) => s) {
    for (const [a, bs] of Object.entries(table)) {
      this.vertex(canon(a));
      for (const b of bs) this.link(canon(a), canon(b));
    }
  }
  private vertex(v: string): void {
    if (!this.out.has(v)) this.out.set(v, new Set());
    if (!this.in.has(v)) this.in.set(v, new Set());
  }
  private link(a: string, b: string): void {
    this.vertex(a);
    this.vertex(b);
    this.out.get(a)?.add(b);
    this.in.get(b)?.add(a);
  }
  /** Everything reachable from `start` (included) along `dir`. */
  reach(start: Iterable<string>, dir: 'out' | 'in'): Set<string> {
    const edges = dir === 'out' ? this.out : this.in;
    const seen = new Set<string>();
    const stack = [...start];
    while (stack.length > 0) {
      const v = stack.pop() as string;
      if (seen.has(v)) continue;
      seen.add(v);
      for (const w of edges.get(v) ?? []) if (!seen.has(w)) stack.push(w);
    }
    return seen;
  }
}

const models = new NameGraph(IMPLIES, canonicalModel);
const anomalyGraph = new NameGraph(ANOMALY_IMPLIES);
/** canonical model → anomalies, and anomaly → canonical models proscribing it */
const proscribes = new Map<string, Set<string>>();
const proscribedBy = new Map<string, Set<string>>();
for (const [m, as] of Object.entries(PROSCRIBES)) {
  const c = canonicalModel(m);
  for (const a of as) {
    if (!proscribes.has(c)) proscribes.set(c, new Set());
    proscribes.get(c)?.add(a);
    if (!proscribedBy.has(a)) proscribedBy.set(a, new Set());
    proscribedBy.get(a)?.add(c);
  }
}

/** Every model name the checker accepts (friendly and canonical), sorted. */
export const KNOWN_MODELS: readonly string[] = [
  ...new Set([...Object.keys(CANONICAL_NAMES), ...Object.values(CANONICAL_NAMES), ...models.out.keys()]),
].sort();

/** Every anomaly name the checker accepts for --anomalies, sorted. */
export const KNOWN_ANOMALIES: readonly string[] = [
  ...new Set([...anomalyGraph.out.keys(), ...proscribedBy.keys(), ...UNKNOWN_ANOMALIES, GARBAGE_READ, 'incompatible-order', 'internal', 'duplicate-elements', 'cyclic-versions']),
].sort();

export function isKnownModel(name: string): boolean {
  return KNOWN_MODELS.includes(name);
}

export function isKnownAnomaly(name: string): boolean {
  return KNOWN_ANOMALIES.includes(name);
}

/** The anomalies implied by those given (themselves included). */
export function impliedAnomalies(anomalies: Iterable<string>): Set<string> {
  return anomalyGraph.reach(anomalies, 'out');
}

/** The anomalies that would imply one of those given (themselves included). */
export function anomaliesImplying(anomalies: Iterable<string>): Set<string> {
  return anomalyGraph.reach(anomalies, 'in');
}

/** The anomalies that cannot be present if every one of these models holds. */
export function anomaliesProhibitedBy(modelNames: Iterable<string>): Set<string> {
  const implied = models.reach([...modelNames].map(canonicalModel), 'out');
  const direct: string[] = [];
  for (const m of implied) for (const a of proscribes.get(m) ?? []) direct.push(a);
  return anomaliesImplying(direct);
}

/** What makes a result invalid under these options: the models' proscriptions and the asked anomalies. */
export function prohibitedAnomalies(consistencyModels: readonly string[], anomalies: readonly string[]): Set<string> {
  const out = anomaliesProhibitedBy(consistencyModels);
  for (const a of anomaliesImplying(anomalies)) out.add(a);
  return out;
}

/** The (canonical) models these anomalies rule out: those proscribing any implied anomaly, and every stronger one. */
export function impossibleModels(anomalies: Iterable<string>): Set<string> {
  const direct: string[] = [];
  for (const a of impliedAnomalies(anomalies)) for (const m of proscribedBy.get(a) ?? []) direct.push(m);
  return models.reach(direct, 'in');
}

/** Of a set of (canonical) models, those implying no other model of the set: the weakest ones. */
export function weakestModels(set: ReadonlySet<string>): Set<string> {
  const out = new Set<string>();
  for (const m of set) {
    const below = models.reach([m], 'out');
    below.delete(m);
    if (![...below].some((b) => set.has(b))) out.add(m);
  }
  return out;
}

/** Elle's boundary: the weakest models ruled out (`not`), and the other models ruled out (`alsoNot`), friendly names, sorted. */
export function boundary(anomalies: Iterable<string>): { not: string[]; alsoNot: string[] } {
  const impossible = impossibleModels(anomalies);
  const weakest = weakestModels(impossible);
  const friendly = (s: Iterable<string>): string[] => [...new Set([...s].map(friendlyModel))].sort();
  return { not: friendly(weakest), alsoNot: friendly([...impossible].filter((m) => !weakest.has(m))) };
}

/** Does any of these models forbid a cycle with a realtime (or process) edge? Then those edges are needed. */
export function needsOrderEdges(prohibited: ReadonlySet<string>): 'realtime' | 'process' | null {
  let process = false;
  for (const a of prohibited) {
    if (/-realtime$/.test(a)) return 'realtime';
    if (/-process$/.test(a)) process = true;
  }
  return process ? 'process' : null;
}
