// Replication-health checker (logical-bidir): from metrics.jsonl samples and a final probe, per direction
// (subscription): apply worker down or erroring, conflict counters, inactive slots with backlog, tables not
// subscribed, the conflicting keys the server names, and the time from the first conflicting write to detection.
// A run whose replication broke is invalid even when the data happens to match. Pure: no I/O.
import type { Json, Op, PairedHistory } from '../src/history/types.js';
import { publisherOf, type LogEvent, type MetricsSample, type ReplicationProbe, type SubscriptionSample } from '../src/history/observations.js';
import { explained, type Explanation } from './explain.js';
import type { Anomaly, CheckResult, Checker } from './types.js';

export { publisherOf, type MetricsSample, type ReplicationProbe, type SlotState, type SubscriptionSample, type SubscriptionState } from '../src/history/observations.js';

/** The row text `1, 0, 32186` → its fields. */
function rowFields(row: string | undefined): string[] {
  return row === undefined ? [] : row.split(/,\s*/).map((s) => s.trim());
}

export const CONFLICT_COUNTERS = [
  'confl_insert_exists',
  'confl_update_origin_differs',
  'confl_update_exists',
  'confl_update_missing',
  'confl_delete_origin_differs',
  'confl_delete_missing',
  'confl_multiple_unique_conflicts',
] as const;

/**
 * Conflicts that stop the apply worker (broken), that drop a remote change (the row was gone: lost update or
 * delete), and origin-differs conflicts, which PG18 also counts for sequential updates of a row last written by
 * the other site: reported as warnings, the data checkers decide whether anything diverged.
 */
export const STOPPING_CONFLICTS = ['insert_exists', 'update_exists', 'multiple_unique_conflicts'];
export const DROPPING_CONFLICTS = ['update_missing', 'delete_missing'];
export const WARNING_CONFLICTS = ['update_origin_differs', 'delete_origin_differs'];

export interface ConflictingKey {
  conflict: string;
  relation: string | null;
  key: string | null;
  existing: string | null;
  remote: string | null;
  /** the LSN to give ALTER SUBSCRIPTION … SKIP */
  finishedAt: string | null;
  level: string;
  /** how many log lines reported it (a failing apply worker retries the same transaction) */
  times: number;
}

export interface DirectionReport {
  subscription: string;
  /** `n2 → n1`: changes from the publisher applied on the subscriber */
  direction: string;
  subscriber: string;
  publisher: string | null;
  /** broken: replication stopped or misses tables; conflicts: remote changes dropped; warnings: origin differs only */
  status: 'healthy' | 'warnings' | 'conflicts' | 'broken';
  problems: string[];
  enabled: boolean | null;
  workerRunningAtEnd: boolean | null;
  /** samples in which the subscriber answered but its apply worker was not running */
  workerDownSamples: number;
  samples: number;
  applyErrors: number;
  /** increase of each confl_* counter over the run (only the non-zero ones) */
  conflicts: Record<string, number>;
  /**
   * does the subscriber keep conflict counters (PostgreSQL 18+)? false: an empty `conflicts` proves nothing;
   * null: no statistics were read
   */
  conflictCounters: boolean | null;
  slot: { active: boolean; backlogBytes: number | null } | null;
  skipLsn: string | null;
  tablesNotSubscribed: string[];
  conflictingKeys: ConflictingKey[];
  /** run time (ns) of the first write involved in a logged conflict, when the history names it */
  firstConflictingWriteNs: number | null;
  /** run time (ns) of the first sample showing an apply error or a conflict */
  firstDetectedNs: number | null;
  /** run time (ns) the server logged the first conflict / apply error */
  firstLoggedNs: number | null;
  /** ms from the first conflicting write to detection in the metrics (null when either is unknown) */
  detectionDelayMs: number | null;
}

interface Series {
  node: string;
  name: string;
  samples: number;
  down: number;
  first: Record<string, number> | null;
  last: Record<string, number> | null;
  firstDetectedNs: number | null;
  lastPid: number | null;
}

function numbers(stats: SubscriptionSample['stats']): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(stats ?? {})) if (typeof v === 'number') out[k] = v;
  return out;
}

function seriesOf(samples: readonly MetricsSample[]): Map<string, Series> {
  const out = new Map<string, Series>();
  for (const s of samples) {
    if (s.error !== undefined || !Array.isArray(s.subscriptions)) continue;
    // parallel apply workers show as extra rows of the same subscription: one entry per subscription
    const bySub = new Map<string, SubscriptionSample>();
    for (const sub of s.subscriptions) {
      const prev = bySub.get(sub.subname);
      if (!prev || (prev.pid === null && sub.pid !== null)) bySub.set(sub.subname, sub);
    }
    for (const [name, sub] of bySub) {
      const id = `${s.node}/${name}`;
      let ser = out.get(id);
      if (!ser) out.set(id, (ser = { node: s.node, name, samples: 0, down: 0, first: null, last: null, firstDetectedNs: null, lastPid: null }));
      ser.samples++;
      if (sub.pid === null) ser.down++;
      ser.lastPid = sub.pid;
      const stats = numbers(sub.stats);
      // faultline's clusters are fresh: counters start at zero (an external cluster's old errors count too)
      ser.first ??= {};
      ser.last = stats;
      if (ser.firstDetectedNs === null && increased(ser.first, stats)) ser.firstDetectedNs = s.time;
    }
  }
  return out;
}

function increased(first: Record<string, number>, now: Record<string, number>): boolean {
  return ['apply_error_count', ...CONFLICT_COUNTERS].some((k) => (now[k] ?? 0) > (first[k] ?? 0));
}

function keyText(e: LogEvent): string | null {
  return e.key ? `(${e.key.columns.join(', ')})=(${e.key.values.join(', ')})` : null;
}

function conflictingKeys(events: readonly LogEvent[]): ConflictingKey[] {
  const byId = new Map<string, ConflictingKey>();
  for (const e of events) {
    if (e.kind !== 'conflict' && e.kind !== 'apply-error') continue;
    const conflict = e.conflict ?? `error: ${e.message}`;
    const id = [conflict, e.relation, keyText(e), e.finishedAt, e.remote].join('|');
    const known = byId.get(id);
    if (known) known.times++;
    else {
      byId.set(id, {
        conflict,
        relation: e.relation ?? null,
        key: keyText(e),
        existing: e.existing ?? null,
        remote: e.remote ?? null,
        finishedAt: e.finishedAt ?? null,
        level: e.level,
        times: 1,
      });
    }
  }
  return [...byId.values()];
}

/**
 * The earliest write op involved in a logged conflict: keyed ops whose key is the conflict's key value, unkeyed
 * ops whose value is a field of the existing or remote row other than the key (e.g. the tag of a serial insert).
 */
function firstConflictingWrite(ops: readonly Op[], events: readonly LogEvent[]): number | null {
  const keyVals = new Set<string>();
  const rowVals = new Set<string>();
  for (const e of events) {
    if (e.kind !== 'conflict' && e.kind !== 'apply-error') continue;
    const kv = e.key?.values ?? [];
    for (const v of kv) keyVals.add(v);
    for (const f of [...rowFields(e.existing), ...rowFields(e.remote)]) if (!kv.includes(f)) rowVals.add(f);
  }
  if (keyVals.size === 0 && rowVals.size === 0) return null;
  let best: number | null = null;
  for (const op of ops) {
    if (op.type === 'fail' || op.f === 'read') continue;
    const hit = op.key !== undefined ? keyVals.has(String(op.key)) : isScalar(op.invokeValue) && rowVals.has(String(op.invokeValue));
    if (hit && (best === null || op.invokeTime < best)) best = op.invokeTime;
  }
  return best;
}

function isScalar(v: Json): boolean {
  return typeof v === 'number' || typeof v === 'string';
}

function logNs(probe: ReplicationProbe | null, ms: number | null): number | null {
  if (!probe || probe.takenAtNs === null || ms === null) return null;
  return Math.round(probe.takenAtNs - (probe.wallMs - ms) * 1e6);
}

/** What the replication checker reads, as a run stores it: metrics.jsonl samples and replication.json's probe. */
export interface ReplicationInputs {
  samples: readonly MetricsSample[];
  /** the final probe; null when it failed or was not taken */
  probe: ReplicationProbe | null;
  /** why there is no probe */
  probeError?: string;
}

/** data of a replication anomaly: one direction (subscription) broken or dropping changes, or DDL that never arrived. */
export type ReplicationAnomalyData =
  | { subscription: string; direction: string; problems: string[]; [extra: string]: Json }
  | { table: string; [extra: string]: Json };

/** The replication checker's result. */
export interface ReplicationResult extends CheckResult {
  directions: DirectionReport[];
  /** was a final probe taken */
  probed: boolean;
  /** `replication-broken` (a direction stopped or misses tables), `replication-conflicts` (remote changes dropped), `ddl-not-replicated` */
  anomalies: Anomaly<'replication-broken' | 'replication-conflicts' | 'ddl-not-replicated', ReplicationAnomalyData>[];
  schemaChanges?: SchemaChangeFinding[];
  unreachable?: Record<string, string>;
}

/** Records the schema-change nemesis left in the history: rows written on one node that never reached another. */
export interface SchemaChangeFinding {
  table: string;
  refreshed: boolean;
  notReplicated: { from: string; to: string; rows: number }[];
}

function schemaChanges(history: PairedHistory): SchemaChangeFinding[] {
  const out: SchemaChangeFinding[] = [];
  for (const e of history.nemesis) {
    if (e.type !== 'info' || e.f !== 'schema-change-check') continue;
    const v = e.value as { table?: unknown; refreshed?: unknown; notReplicated?: unknown } | undefined;
    if (!v || typeof v.table !== 'string' || !Array.isArray(v.notReplicated)) continue;
    out.push({ table: v.table, refreshed: v.refreshed === true, notReplicated: v.notReplicated as SchemaChangeFinding['notReplicated'] });
  }
  return out;
}

/** Judge replication health. `probe` null: only the samples are judged (and the verdict says so). */
export function checkReplication(history: PairedHistory, samples: readonly MetricsSample[], probe: ReplicationProbe | null): ReplicationResult {
  const series = seriesOf(samples);
  const names = new Map<string, { node: string; name: string }>();
  for (const s of series.values()) names.set(`${s.node}/${s.name}`, { node: s.node, name: s.name });
  for (const s of probe?.subscriptions ?? []) names.set(`${s.node}/${s.name}`, { node: s.node, name: s.name });
  if (names.size === 0) {
    return { valid: 'unknown', reason: probe ? 'no subscriptions found (not a logical topology?)' : 'no metrics samples and no probe', directions: [], probed: probe !== null, anomalies: [] };
  }
  const directions: DirectionReport[] = [];
  for (const [id, { node, name }] of [...names.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const ser = series.get(id);
    const state = probe?.subscriptions.find((s) => s.node === node && s.name === name) ?? null;
    const publisher = state?.publisher ?? publisherOf(name);
    const first = ser?.first ?? {};
    const last = state?.stats ?? ser?.last ?? {};
    const delta = (k: string): number => Math.max(0, (last[k] ?? 0) - (first[k] ?? 0));
    const conflicts: Record<string, number> = {};
    for (const k of CONFLICT_COUNTERS) if (delta(k) > 0) conflicts[k.replace(/^confl_/, '')] = delta(k);
    const statSets = [ser?.first, ser?.last, state?.stats].filter((x): x is Record<string, number> => x !== null && x !== undefined && Object.keys(x).length > 0);
    const conflictCounters = statSets.length === 0 ? null : statSets.some((x) => CONFLICT_COUNTERS.some((k) => k in x));
    const events = (probe?.log ?? []).filter((e) => e.node === node && e.subscription === name);
    const keys = conflictingKeys(events);
    const slotRec = probe?.slots.find((s) => s.node === publisher && s.slot === name) ?? null;
    const problems: string[] = [];
    let broken = false;
    const applyErrors = delta('apply_error_count');
    if (state && !state.enabled) {
      broken = true;
      problems.push('subscription disabled');
    }
    if (state && state.enabled && !state.workerRunning) {
      broken = true;
      problems.push('apply worker not running at the end');
    }
    // apply_error_count also counts lost connections (a partition): an error is a breakage when the worker failed
    // on data (a conflict that stops it, or an apply error in the log) or did not recover by the end
    const dataErrors = events.some((e) => e.kind === 'apply-error' || (e.kind === 'conflict' && e.level === 'ERROR'));
    const stopping = STOPPING_CONFLICTS.some((k) => delta(`confl_${k}`) > 0);
    const recovered = state ? state.workerRunning : (ser?.samples ?? 0) > 0 && ser?.lastPid !== null;
    if (applyErrors > 0 && (dataErrors || stopping || !recovered)) {
      broken = true;
      problems.push(`${applyErrors} apply error(s)`);
    } else if (applyErrors > 0) {
      problems.push(`${applyErrors} apply error(s) without a data error in the log (connection lost?), recovered`);
    }
    if (slotRec && !slotRec.active && (slotRec.backlogBytes ?? 0) > 0) {
      broken = true;
      problems.push(`slot ${slotRec.slot} on ${slotRec.node} inactive with ${slotRec.backlogBytes} bytes of backlog`);
    }
    const missing = state?.tablesNotSubscribed ?? [];
    if (missing.length > 0) {
      broken = true;
      problems.push(`not subscribed to ${missing.join(', ')} (REFRESH PUBLICATION missing)`);
    }
    if (Object.keys(conflicts).length > 0) problems.push(`conflicts: ${Object.entries(conflicts).map(([k, v]) => `${k} ×${v}`).join(', ')}`);
    const kinds = new Set([...Object.keys(conflicts), ...keys.map((k) => k.conflict)]);
    const dropping = [...kinds].some((k) => DROPPING_CONFLICTS.includes(k));
    // PG17 has no confl_* counters: the log is the only witness of resolved conflicts
    if (Object.keys(conflicts).length === 0 && applyErrors === 0 && keys.length > 0) problems.push(`${keys.length} conflict(s) in the server log`);
    const status: DirectionReport['status'] = broken ? 'broken' : dropping ? 'conflicts' : problems.length > 0 ? 'warnings' : 'healthy';
    const firstWrite = firstConflictingWrite(history.ops, events);
    const firstLogged = events.find((e) => e.kind === 'conflict' || e.kind === 'apply-error');
    const firstDetectedNs = ser?.firstDetectedNs ?? null;
    directions.push({
      subscription: name,
      direction: `${publisher ?? '?'} → ${node}`,
      subscriber: node,
      publisher,
      status,
      problems,
      enabled: state ? state.enabled : null,
      workerRunningAtEnd: state ? state.workerRunning : null,
      workerDownSamples: ser?.down ?? 0,
      samples: ser?.samples ?? 0,
      applyErrors,
      conflicts,
      conflictCounters,
      slot: slotRec ? { active: slotRec.active, backlogBytes: slotRec.backlogBytes } : null,
      skipLsn: state?.skipLsn ?? null,
      tablesNotSubscribed: missing,
      conflictingKeys: keys.slice(0, 50),
      firstConflictingWriteNs: firstWrite,
      firstDetectedNs,
      firstLoggedNs: firstLogged ? logNs(probe, firstLogged.timeMs) : null,
      detectionDelayMs: firstWrite !== null && firstDetectedNs !== null ? Math.round((firstDetectedNs - firstWrite) / 1e6) : null,
    });
  }
  const ddl = schemaChanges(history);
  const lostDdl = ddl.filter((d) => d.notReplicated.length > 0);
  const bad = directions.filter((d) => d.status === 'broken' || d.status === 'conflicts');
  const unreachable = Object.keys(probe?.unreachable ?? {});
  const valid = bad.length > 0 || lostDdl.length > 0 ? false : probe === null || unreachable.length > 0 ? 'unknown' : true;
  const out: ReplicationResult = { valid, directions, probed: probe !== null, anomalies: [] };
  for (const d of bad) {
    out.anomalies.push({
      type: d.status === 'broken' ? 'replication-broken' : 'replication-conflicts',
      ops: [],
      nodes: d.publisher === null ? [d.subscriber] : [d.publisher, d.subscriber],
      data: { subscription: d.subscription, direction: d.direction, problems: d.problems },
    });
  }
  for (const d of lostDdl) out.anomalies.push({ type: 'ddl-not-replicated', ops: [], nodes: [...new Set(d.notReplicated.flatMap((n) => [n.from, n.to]))], data: { table: d.table } });
  if (ddl.length > 0) out.schemaChanges = ddl;
  if (unreachable.length > 0) out.unreachable = probe?.unreachable;
  return explained(out, explainReplication);
}

/** The replication result in words, rendered from its data. */
export function explainReplication(r: ReplicationResult): Explanation {
  const bad = r.directions.filter((d) => d.status === 'broken' || d.status === 'conflicts');
  const reasons = bad.map((d) => `${d.direction} (${d.subscription}) ${d.status}: ${d.problems.join('; ')}${firstKey(d)}`);
  for (const d of (r.schemaChanges ?? []).filter((x) => x.notReplicated.length > 0)) {
    reasons.push(
      `table ${d.table} created on every node ${d.refreshed ? 'with' : 'without'} REFRESH PUBLICATION: ${d.notReplicated.map((n) => `${n.rows} row(s) ${n.from} → ${n.to} never arrived`).join(', ')}`,
    );
  }
  const warnings = r.directions.filter((d) => d.status === 'warnings').map((d) => `${d.direction} (${d.subscription}): ${d.problems.join('; ')}${firstKey(d)}`);
  const uncounted = r.directions.filter((d) => d.conflictCounters === false).map((d) => d.subscriber);
  if (uncounted.length > 0) warnings.push(NO_CONFLICT_COUNTERS(uncounted));
  let reason: string | undefined = reasons.length > 0 ? reasons.join(' | ') : undefined;
  if (reason === undefined && r.valid === 'unknown') reason = !r.probed ? 'no final probe: only the samples were judged' : `could not probe ${Object.keys(r.unreachable ?? {}).join(', ')}`;
  return { reason, warnings };
}

/** Before PostgreSQL 18 a resolved conflict is neither counted nor logged: say so, not "no conflicts". */
const NO_CONFLICT_COUNTERS = (nodes: string[]): string =>
  `${[...new Set(nodes)].sort().join(', ')}: no conflict counters (PostgreSQL before 18), and such servers log only the conflicts that stop replication: ` +
  'a remote update or delete skipped because the row is missing, or a row overwritten by the other site, leaves no trace here; the data checkers (final-state, convergence) decide';

function firstKey(d: DirectionReport): string {
  const k = d.conflictingKeys[0];
  if (!k) return '';
  const delay = d.detectionDelayMs !== null ? `; detected ${d.detectionDelayMs} ms after the first conflicting write` : '';
  return ` (first: ${k.conflict} on ${k.relation ?? '?'} key ${k.key ?? '?'}${k.finishedAt ? `, finished at ${k.finishedAt}` : ''}${delay})`;
}

/** The checker under the seam: the stored samples and probe come in through the context (ctx.replication). */
export const replicationChecker: Checker<ReplicationResult> = (history, ctx) => {
  const inputs = ctx.replication;
  if (inputs === undefined) {
    return { valid: 'unknown', directions: [], probed: false, anomalies: [], reason: 'no replication inputs stored (replication.json is missing)' };
  }
  const r = checkReplication(history, inputs.samples, inputs.probe);
  if (inputs.probe === null && inputs.probeError !== undefined && r.reason !== undefined && r.anomalies.length === 0) r.reason = `no final probe (${inputs.probeError}): only the samples were judged`;
  return r;
};
