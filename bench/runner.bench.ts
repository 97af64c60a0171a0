// Harness overhead: the `register` workload driven by faultline's clients (history written, outcomes
// classified) against a bare node-postgres loop running the same SQL at the same concurrency, on the same
// node through the same client proxy, alternating slices in one run. Target: ratio ≥ 0.9.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startCluster } from '../src/cluster/index.js';
import { HistoryWriter } from '../src/history/writer.js';
import { Client } from '../src/runner/client.js';
import { RUN_HISTORY_WRITE } from '../src/runner/config.js';
import { Rng } from '../src/util/rng.js';
import { makeRouter } from '../src/runner/routing.js';
import { registerWorkload } from '../workloads/register.js';
import type { GenContext } from '../workloads/types.js';

const CONCURRENCY = Number(process.env.FAULTLINE_BENCH_CONCURRENCY ?? 8);
const SLICE_S = Number(process.env.FAULTLINE_BENCH_SLICE ?? 3);
const SLICES = Number(process.env.FAULTLINE_BENCH_SLICES ?? 8);

export default async function (): Promise<void> {
  const cluster = await startCluster({ topology: 'single' });
  const dir = mkdtempSync(join(tmpdir(), 'faultline-bench-'));
  const node = cluster.nodes[0]!.name;
  const workload = registerWorkload({ keys: 8 });
  try {
    const admin = new pg.Client(cluster.adminConfig(node));
    await admin.connect();
    await workload.setup(admin);
    await admin.end();
    const bare: number[] = [];
    const harness: number[] = [];
    let bareCpu = 0;
    let harnessCpu = 0;
    const cpu = (): number => {
      const u = process.cpuUsage();
      return u.user + u.system;
    };
    for (let s = 0; s < SLICES; s++) {
      let c0 = cpu();
      bare.push(await bareLoop(cluster.clientConfig(node), workload, SLICE_S));
      bareCpu += cpu() - c0;
      c0 = cpu();
      harness.push(await harnessLoop(cluster.clientConfig(node), node, workload, SLICE_S, join(dir, `h${s}.jsonl`)));
      harnessCpu += cpu() - c0;
    }
    const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
    const bareRate = sum(bare) / (SLICES * SLICE_S);
    const harnessRate = sum(harness) / (SLICES * SLICE_S);
    process.stdout.write(`register workload, ${CONCURRENCY} clients, ${SLICES} alternating slices of ${SLICE_S} s, single node through its client proxy\n\n`);
    const perOp = (us: number, ops: number[]): string => (us / sum(ops)).toFixed(1);
    // each harness slice against the bare slice just before it: the spread shows how noisy the machine was
    const pairs = harness.map((h, i) => h / bare[i]!).sort((a, b) => a - b);
    const spread = `${pairs[0]!.toFixed(2)} / ${pairs[Math.floor(pairs.length / 2)]!.toFixed(2)} / ${pairs[pairs.length - 1]!.toFixed(2)}`;
    process.stdout.write('| loop | ops/s | ratio | slice pairs min / median / max | client-process CPU per op (µs) |\n|---|---:|---:|---:|---:|\n');
    process.stdout.write(`| bare node-postgres (baseline) | ${bareRate.toFixed(0)} | 1.00 | | ${perOp(bareCpu, bare)} |\n`);
    process.stdout.write(`| faultline clients + history | ${harnessRate.toFixed(0)} | ${(harnessRate / bareRate).toFixed(2)} | ${spread} | ${perOp(harnessCpu, harness)} |\n`);
  } finally {
    await cluster.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function bareLoop(config: pg.ClientConfig, workload: ReturnType<typeof registerWorkload>, seconds: number): Promise<number> {
  const until = Date.now() + seconds * 1000;
  let ops = 0;
  let unique = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, i) => {
      const c = new pg.Client(config);
      c.on('error', () => undefined);
      await c.connect();
      const ctx: GenContext = { rng: new Rng(i), client: i, concurrency: CONCURRENCY, unique: () => unique++ };
      while (Date.now() < until) {
        const op = workload.generate(ctx);
        try {
          await workload.invoke(c, op);
        } catch {
          // cas mismatches count as ops too
        }
        ops++;
      }
      await c.end();
    }),
  );
  return ops;
}

async function harnessLoop(config: pg.ClientConfig, node: string, workload: ReturnType<typeof registerWorkload>, seconds: number, file: string): Promise<number> {
  const writer = new HistoryWriter(file, RUN_HISTORY_WRITE); // as the runner writes it
  let stopped = false;
  let ops = 0;
  let unique = 0;
  const router = makeRouter('fixed', 'same', { nodes: () => [node], primary: () => node, standbys: () => [] });
  const timer = setTimeout(() => (stopped = true), seconds * 1000);
  const clients = Array.from(
    { length: CONCURRENCY },
    (_, i) =>
      new Client({
        client: i,
        concurrency: CONCURRENCY,
        workload,
        writer,
        router,
        rng: new Rng(i),
        connectionFor: () => config,
        opTimeoutMs: 5000,
        meanIntervalMs: 0,
        maxRetries: 0,
        unique: () => unique++,
        stopped: () => stopped,
        onOutcome: () => ops++,
      }),
  );
  await Promise.all(clients.map((c) => c.run()));
  clearTimeout(timer);
  writer.close();
  return ops;
}
