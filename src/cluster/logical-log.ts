// Parses PostgreSQL server logs for logical-replication events: conflicts (PG18 `conflict detected … conflict=…`),
// apply errors (PG17 and other errors while applying remote data), apply-worker starts, disables and skips. Pure.
import type { LogEvent } from '../history/observations.js';

export type { LogEvent, LogEventKind } from '../history/observations.js';

interface RawRecord {
  time: string;
  zone: string;
  pid: number;
  level: string;
  message: string;
  detail: string;
  context: string;
}

const HEADER =
  /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?) (\S+) \[(\d+)\] (?:.*? )?(DEBUG\d?|INFO|NOTICE|WARNING|ERROR|LOG|FATAL|PANIC|DETAIL|HINT|CONTEXT|STATEMENT|QUERY|LOCATION):  (.*)$/;

function records(text: string): RawRecord[] {
  const out: RawRecord[] = [];
  let last: { rec: RawRecord; field: 'message' | 'detail' | 'context' | null } | null = null;
  const open = new Map<number, RawRecord>();
  for (const line of text.split('\n')) {
    const m = HEADER.exec(line);
    if (!m) {
      if (last?.field && line.trim() !== '') last.rec[last.field] += `\n${line.trim()}`;
      continue;
    }
    const [, time, zone, pidText, level, rest] = m;
    const pid = Number(pidText);
    if (level === 'DETAIL' || level === 'CONTEXT' || level === 'HINT' || level === 'STATEMENT' || level === 'QUERY' || level === 'LOCATION') {
      const rec = open.get(pid);
      if (rec && (level === 'DETAIL' || level === 'CONTEXT')) {
        const field = level === 'DETAIL' ? 'detail' : 'context';
        rec[field] = rec[field] ? `${rec[field]}\n${rest}` : rest;
        last = { rec, field };
      } else last = null;
      continue;
    }
    const rec: RawRecord = { time: `${time} ${zone}`, zone, pid, level, message: rest, detail: '', context: '' };
    out.push(rec);
    open.set(pid, rec);
    last = { rec, field: 'message' };
  }
  return out;
}

function epochMs(time: string, zone: string): number | null {
  if (zone !== 'UTC' && zone !== 'GMT') return null;
  const ms = Date.parse(`${time.slice(0, time.lastIndexOf(' ')).replace(' ', 'T')}Z`);
  return Number.isFinite(ms) ? ms : null;
}

/** `(a, b)` → `a, b` contents of the parenthesised group right after `label`, balancing nested parentheses. */
function group(text: string, label: string): string | undefined {
  const at = text.toLowerCase().indexOf(label.toLowerCase());
  if (at < 0) return undefined;
  let i = text.indexOf('(', at + label.length);
  if (i < 0) return undefined;
  const start = ++i;
  for (let depth = 1; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')' && --depth === 0) return text.slice(start, i);
  }
  return undefined;
}

function split(list: string): string[] {
  return list.split(/,\s*/).map((s) => s.trim());
}

function keyOf(detail: string): LogEvent['key'] {
  const m = /(?:Key|replica identity) \(([^)]*)\)=\(/.exec(detail);
  if (!m) return undefined;
  const values = group(detail.slice(m.index + m[0].length - 2), '=');
  return values === undefined ? undefined : { columns: split(m[1]), values: split(values) };
}

/** Every replication event of one node's log, in log order. `origins` maps pg_<oid> origin names to subscriptions. */
export function parseReplicationLog(node: string, text: string, origins: Record<string, string> = {}): LogEvent[] {
  const workers = new Map<number, string>();
  const out: LogEvent[] = [];
  for (const r of records(text)) {
    const base = { node, level: r.level, time: r.time, timeMs: epochMs(r.time, r.zone), pid: r.pid, message: r.message };
    const start = /^logical replication apply worker for subscription "([^"]+)" has started/.exec(r.message);
    if (start) {
      workers.set(r.pid, start[1]);
      out.push({ ...base, kind: 'worker-start', subscription: start[1] });
      continue;
    }
    const disabled = /^subscription "([^"]+)" has been disabled because of an error/.exec(r.message);
    if (disabled) {
      out.push({ ...base, kind: 'disabled', subscription: disabled[1] });
      continue;
    }
    if (/^logical replication (starts|completed) skipping transaction/.test(r.message)) {
      const lsn = /LSN ([0-9A-F]+\/[0-9A-F]+)/i.exec(r.message)?.[1];
      const ev: LogEvent = { ...base, kind: /starts/.test(r.message) ? 'skip-start' : 'skip-done', subscription: workers.get(r.pid) ?? null };
      if (lsn) ev.finishedAt = lsn;
      out.push(ev);
      continue;
    }
    const conflict = /^conflict detected on relation "([^"]+)": conflict=(\w+)/.exec(r.message);
    const applying = /processing remote data for replication origin/.test(r.context);
    if (!conflict && !(applying && (r.level === 'ERROR' || r.level === 'FATAL'))) continue;
    const origin = /replication origin "([^"]+)"/.exec(r.context)?.[1];
    const ev: LogEvent = {
      ...base,
      kind: conflict ? 'conflict' : 'apply-error',
      subscription: workers.get(r.pid) ?? (origin ? (origins[origin] ?? null) : null),
    };
    if (conflict) {
      ev.relation = conflict[1];
      ev.conflict = conflict[2];
    } else {
      const rel = /replication target relation "([^"]+)"/.exec(r.context)?.[1];
      if (rel) ev.relation = rel;
    }
    const key = keyOf(r.detail);
    if (key) ev.key = key;
    const existing = group(r.detail, 'existing local row');
    if (existing !== undefined) ev.existing = existing;
    const remote = group(r.detail, 'remote row');
    if (remote !== undefined) ev.remote = remote;
    if (origin) ev.origin = origin;
    const fin = /finished at ([0-9A-F]+\/[0-9A-F]+)/i.exec(r.context)?.[1];
    if (fin) ev.finishedAt = fin;
    const xid = /in transaction (\d+)/.exec(r.context)?.[1];
    if (xid) ev.remoteXid = xid;
    out.push(ev);
  }
  return out;
}

