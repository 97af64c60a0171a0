// Cluster start-up: time from nothing to a ready cluster (startCluster resolved: every node accepts connections,
// standbys stream, subscriptions apply; HA stacks: a leader and streaming replicas), median of a few runs, against
// one `single` node and `streaming-sync` (what the HA stacks replace) in the same run.
import { missingPackages } from '../src/cluster/ha/packages.js';
import { defaultRunBase, startCluster, type ClusterOptions } from '../src/cluster/index.js';

const RUNS = Number(process.env.FAULTLINE_BENCH_RUNS ?? 3);

const CASES: { label: string; opts: ClusterOptions }[] = [
  { label: 'single (baseline)', opts: { topology: 'single' } },
  { label: 'streaming-sync, 3 nodes', opts: { topology: 'streaming-sync', nodes: 3 } },
  { label: 'logical-bidir, 2 nodes', opts: { topology: 'logical-bidir', nodes: 2 } },
  // HA stacks (Debian packages): ready = a leader elected and every replica streaming
  ...(missingPackages('patroni').length === 0 ? [{ label: 'patroni + etcd, 3 members', opts: { topology: 'patroni', nodes: 3 } as ClusterOptions }] : []),
  ...(missingPackages('pg-auto-failover').length === 0 ? [{ label: 'pg-auto-failover, monitor + 2 nodes', opts: { topology: 'pg-auto-failover', nodes: 2 } as ClusterOptions }] : []),
  ...(missingPackages('pgpool').length === 0 ? [{ label: 'pgpool + 3 async nodes', opts: { topology: 'pgpool', nodes: 3 } as ClusterOptions }] : []),
];
const SYNC = 1;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export default async function (): Promise<void> {
  const rows: { label: string; up: number[]; down: number[] }[] = CASES.map((c) => ({ label: c.label, up: [], down: [] }));
  // interleave the cases so background load hits them alike
  for (let run = 0; run < RUNS; run++) {
    for (let i = 0; i < CASES.length; i++) {
      const t0 = performance.now();
      const cluster = await startCluster(CASES[i]!.opts);
      const t1 = performance.now();
      await cluster.stop();
      rows[i]!.up.push(t1 - t0);
      rows[i]!.down.push(performance.now() - t1);
    }
  }
  const base = median(rows[0]!.up);
  const sync = median(rows[SYNC]!.up);
  process.stdout.write(`PostgreSQL start-up to ready, median of ${RUNS} runs (ms); every link through the embedded proxy; run directories under ${defaultRunBase()}\n\n`);
  process.stdout.write('| cluster | ready (median) | min | max | vs single | vs streaming-sync | stop (median) |\n|---|---:|---:|---:|---:|---:|---:|\n');
  for (const r of rows) {
    const m = median(r.up);
    process.stdout.write(
      `| ${r.label} | ${m.toFixed(0)} | ${Math.min(...r.up).toFixed(0)} | ${Math.max(...r.up).toFixed(0)} | ${(m / base).toFixed(2)}× | ${(m / sync).toFixed(2)}× | ${median(r.down).toFixed(0)} |\n`,
    );
  }
}
