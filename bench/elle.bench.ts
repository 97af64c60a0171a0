// Transactional (Elle-style) checker benchmark: list-append histories from a simulated serial database (10
// processes, 4 micro-ops a txn) of 10k, 100k and 1M txns, checked against strict-serializable; a G-single (read
// skew) planted in the 1M history must be found. Throughput, CPU time, peak RSS, and ratios in the same run.
import { loadavg } from 'node:os';
import { checkListAppend } from '../checkers/txn/index.js';
import { simulateTxns } from '../test/support/txn-sim.js';
import type { PairedHistory } from '../src/history/types.js';

const MiB = 1024 * 1024;
const peakMiB = (): number => Math.round((process.resourceUsage().maxRSS * 1024) / MiB);

/** The baseline: one pass reading every micro-op and every element read, as any checker must. */
function scan(h: PairedHistory): number {
  let s = 0;
  for (const op of h.ops) {
    const mops = (op.type === 'ok' ? op.value : op.invokeValue) as unknown[][];
    for (const m of mops) {
      s += typeof m[1] === 'number' ? 1 : 0;
      if (Array.isArray(m[2])) for (const e of m[2]) s += e as number;
    }
  }
  return s;
}

function timed<T>(fn: () => T): { value: T; ms: number; cpuMs: number } {
  const c = process.cpuUsage();
  const t = performance.now();
  const value = fn();
  const u = process.cpuUsage(c);
  return { value, ms: performance.now() - t, cpuMs: (u.user + u.system) / 1000 };
}

export default async function run(): Promise<void> {
  process.stdout.write(`load average at start: ${loadavg().map((l) => l.toFixed(1)).join(' ')} (2 cores, shared)\n\n`);
  process.stdout.write('| txns | simulate (s) | scan (ms, baseline) | check (ms) | check CPU (ms) | txn/s | ratio to scan | edges | verdict | peak RSS (MiB) |\n');
  process.stdout.write('|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|\n');
  const times: number[] = [];
  for (const n of [10_000, 100_000, 1_000_000]) {
    const plant = n === 1_000_000 ? { at: n / 2, kind: 'read-skew' as const } : undefined;
    const gen = timed(() => simulateTxns({ model: 'list-append', seed: n, txns: n, processes: 10, mops: 4, keys: 10, maxWritesPerKey: 32, ...(plant ? { plant } : {}) }));
    const h = gen.value;
    const base = timed(() => scan(h));
    const check = timed(() => checkListAppend(h));
    const r = check.value;
    times.push(check.ms);
    const found = plant ? `${r.anomalyTypes.join(', ') || 'nothing'}${r.anomalies.some((a) => a.type === 'G-single-item' && [...a.ops].sort().join() === [...h.planted].sort().join()) ? ' (the planted txns)' : ''}` : String(r.valid);
    process.stdout.write(
      `| ${n.toLocaleString('en')} | ${(gen.ms / 1000).toFixed(1)} | ${base.ms.toFixed(0)} | ${check.ms.toFixed(0)} | ${check.cpuMs.toFixed(0)} | ${Math.round(n / (check.ms / 1000)).toLocaleString('en')} | ${(check.ms / base.ms).toFixed(1)} | ${r.edges.toLocaleString('en')} | ${found} | ${peakMiB()} |\n`,
    );
  }
  process.stdout.write(`\ntime growth: 10k → 100k ×${((times[1] as number) / (times[0] as number)).toFixed(1)}, 100k → 1M ×${((times[2] as number) / (times[1] as number)).toFixed(1)} (linear: ×10); load average at end: ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n\n`);
}
