// Short human labels for nemesis events ("site a lost; n2 promoted", "kill n2", "partition n1 | n2 n3"),
// read from the values the nemeses record; the full value stays in the history (and in the report's hover).
import type { Json } from './types.js';

type Rec = { [k: string]: Json };
const isRec = (v: Json | undefined): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);
const strings = (v: Json | undefined): string[] | null => (Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : null);

/** Node names a value names: a list of names, or its `nodes` field. */
function nodesOf(v: Json | undefined): string[] | null {
  return strings(v) ?? (isRec(v) ? strings(v.nodes) : null);
}

/** "n1 | n2 n3" for a grudge {n1: [n2, n3]} whose sides are clear, else null. */
function grudgeText(g: Json | undefined): string | null {
  if (!isRec(g)) return null;
  const entries = Object.entries(g).filter(([, x]) => strings(x) !== null) as Array<[string, string[]]>;
  if (entries.length === 0) return null;
  // nodes that cannot reach the same set form one side
  const sides = new Map<string, string[]>();
  for (const [n, cut] of entries) {
    const k = [...cut].sort().join(' ');
    sides.set(k, [...(sides.get(k) ?? []), n]);
  }
  const groups = [...sides.values()].map((s) => s.sort().join(' '));
  if (groups.length === 1) {
    const [cut] = [...sides.keys()];
    return `${groups[0]} | ${cut}`;
  }
  return groups.sort().join(' | ');
}

function short(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/**
 * A short label for a nemesis event: what happened, in words. Known shapes: failover (site/lost/newPrimary),
 * rejoin, kill / pause / resume / restart (nodes), partitions (mode, grudge), link faults (toxic, nodes),
 * switchover, and an `error`. Anything else: the f and its scalar fields, cut at `max` characters.
 */
export function nemesisLabel(f: string, value: Json | undefined, max = 48): string {
  const v = value ?? null;
  if (isRec(v) && typeof v.error === 'string') return short(`${f} failed: ${v.error}`, max);
  if (f === 'failover' && isRec(v)) {
    const lost = strings(v.lost) ?? [];
    const who = typeof v.site === 'string' && lost.length > 1 ? `site ${v.site} lost` : lost.length ? `${lost.join(', ')} lost` : 'primary lost';
    const promoted = typeof v.newPrimary === 'string' ? `; ${v.newPrimary} promoted` : '';
    return short(`${who}${promoted}`, max);
  }
  if (f === 'rejoin') {
    const n = nodesOf(v);
    return short(n && n.length ? `${n.join(', ')} rejoin${n.length === 1 ? 's' : ''}` : 'rejoin', max);
  }
  if (/partition/.test(f) && isRec(v)) {
    if (f.startsWith('stop') || f.startsWith('heal')) return 'partition healed';
    const g = grudgeText(v.grudge ?? null) ?? grudgeText(v);
    const mode = typeof v.mode === 'string' ? ` (${v.mode})` : '';
    return short(g ? `partition ${g}${mode}` : `partition${mode}`, max);
  }
  if (/partition/.test(f) && (f.startsWith('stop') || f.startsWith('heal'))) return 'partition healed';
  if (/^start-/.test(f) && isRec(v)) {
    const n = nodesOf(v);
    const toxic = typeof v.toxic === 'string' ? v.toxic : f.slice('start-'.length);
    return short(`${toxic}${n && n.length ? ` ${n.join(' ')}` : ''}`, max);
  }
  if (/^stop-/.test(f)) return `${f.slice('stop-'.length)} healed`;
  const n = nodesOf(v);
  if (n) return short(n.length ? `${f} ${n.join(' ')}` : f, max);
  if (f.startsWith('switchover') && isRec(v) && typeof v.node === 'string') return short(`${f} ${v.node}${typeof v.mode === 'string' ? ` (${v.mode})` : ''}`, max);
  if (v === null || v === undefined) return f;
  if (typeof v !== 'object') return short(`${f} ${String(v)}`, max);
  const parts = Object.entries(v as Rec)
    .filter(([, x]) => typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean')
    .map(([k, x]) => `${k}=${String(x)}`);
  return short(parts.length ? `${f} ${parts.join(' ')}` : f, max);
}
