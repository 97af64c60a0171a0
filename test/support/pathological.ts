// Keyed histories with a known verdict and known hard keys, for the early-stop tests and the benchmarks: an
// ordinary linearizable history (the simulator's) plus `hard` keys that no search can finish (many clients'
// writes or appends that never complete, then a read no order of them explains) and one `bad` key with a
// cheap planted anomaly (a stale read after two sequential writes).
import type { HistoryEvent, Json, Key } from '../../src/history/types.js';
import { randomPlan, simulate } from './simulate.js';

export interface PlantedOptions {
  model: 'kv' | 'register' | 'cas-register';
  seed: number;
  /** ordinary keys 0..keys-1 of the simulated history */
  keys: number;
  clients: number;
  ops: number;
  /** keys made hard (may be among the ordinary ones or new) */
  hard: Key[];
  /** how many never-completing writes / appends each hard key gets */
  width: number;
  /** the key that gets the planted anomaly; null: none (the history is then undecidable in reasonable time) */
  bad: Key | null;
  infoRate?: number;
  /** mean invoke → completion time of the ordinary ops, in simulator units (default: clients) */
  meanDuration?: number;
}

export interface Planted {
  events: HistoryEvent[];
  /** invoke index of the stale read planted on the bad key */
  badRead: number | null;
}

/** The history described by `o`; deterministic. */
export function plantedHistory(o: PlantedOptions): Planted {
  const base = simulate(randomPlan(o.seed, { model: o.model, processes: o.clients, keys: o.keys, ops: o.ops, infoRate: o.infoRate ?? 0.02, failRate: 0.02, meanDuration: o.meanDuration }));
  const events: HistoryEvent[] = base.map((e) => ({ ...e }));
  let process = 1 + Math.max(-1, ...events.map((e) => (typeof e.process === 'number' ? e.process : -1)));
  let time = events.length === 0 ? 0 : events[events.length - 1].time;
  const push = (p: number, type: HistoryEvent['type'], f: string, key: Key, value: Json): number => {
    time += 1000;
    events.push({ index: events.length, time, process: p, type, f, key, value });
    return events.length - 1;
  };
  const kv = o.model === 'kv';
  for (const key of o.hard) {
    // `width` clients write at once and never hear back; then a read of a value none of them wrote
    for (let w = 0; w < o.width; w++) push(process++, 'invoke', kv ? 'append' : 'write', key, kv ? `.h${w}` : 1_000_000 + w);
    const reader = process++;
    push(reader, 'invoke', kv ? 'get' : 'read', key, null);
    push(reader, 'ok', kv ? 'get' : 'read', key, kv ? 'never-written' : -1);
  }
  let badRead: number | null = null;
  if (o.bad !== null) {
    const p = process++;
    const [a, b] = kv ? ['stale-a', 'stale-b'] : [-101, -102];
    for (const v of [a, b]) {
      push(p, 'invoke', kv ? 'put' : 'write', o.bad, v);
      push(p, 'ok', kv ? 'put' : 'write', o.bad, v);
    }
    badRead = push(p, 'invoke', kv ? 'get' : 'read', o.bad, null);
    push(p, 'ok', kv ? 'get' : 'read', o.bad, a);
  }
  return { events, badRead };
}
