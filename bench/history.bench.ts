// JSONL history parse throughput (MB/s) on a generated ~100 MB history, against baselines measured in the
// same run: readline line counting, and readline + JSON.parse of the same lines. Asserts nothing.
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { readJsonlFile } from '../src/history/jsonl.js';
import { loadHistory } from '../src/history/load.js';

const TARGET_BYTES = Number(process.env.FAULTLINE_BENCH_MB ?? 100) * 1024 * 1024;
const PROCESSES = 16;
const ROUNDS = Number(process.env.FAULTLINE_BENCH_ROUNDS ?? 3);

/** Write a plausible history: counter / set / register ops with keys and nodes, some info and fail outcomes. */
async function generate(path: string): Promise<void> {
  const out = createWriteStream(path);
  let bytes = 0;
  let index = 0;
  let time = 0;
  let seed = 42;
  const rnd = (): number => {
    seed = (seed * 1_103_515_245 + 12_345) >>> 0;
    return seed / 2 ** 32;
  };
  const pending: Array<{ f: string; key: number; value: unknown } | null> = new Array(PROCESSES).fill(null);
  while (bytes < TARGET_BYTES) {
    let chunk = '';
    for (let n = 0; n < 2000; n++) {
      const p = Math.floor(rnd() * PROCESSES);
      time += 1 + Math.floor(rnd() * 50_000);
      const op = pending[p];
      let e: Record<string, unknown>;
      if (op === null) {
        const f = ['read', 'write', 'add', 'cas'][Math.floor(rnd() * 4)];
        const key = Math.floor(rnd() * 100);
        const value = f === 'read' ? null : f === 'cas' ? [Math.floor(rnd() * 10), Math.floor(rnd() * 10)] : index;
        pending[p] = { f, key, value };
        e = { index, time, process: p, type: 'invoke', f, key, value };
      } else {
        pending[p] = null;
        const r = rnd();
        const type = r < 0.9 ? 'ok' : r < 0.95 ? 'fail' : 'info';
        e = { index, time, process: p, type, f: op.f, key: op.key, value: op.f === 'read' && type === 'ok' ? Math.floor(rnd() * 1000) : op.value, node: `n${1 + (p % 3)}` };
        if (type !== 'ok') e.error = type === 'fail' ? '40001 could not serialize access' : 'timeout after 1000 ms';
      }
      index++;
      chunk += `${JSON.stringify(e)}\n`;
    }
    bytes += Buffer.byteLength(chunk);
    if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
}

async function readlineCount(path: string): Promise<number> {
  let n = 0;
  for await (const _line of createInterface({ input: createReadStream(path), crlfDelay: Infinity })) n++;
  return n;
}

async function readlineJsonParse(path: string): Promise<number> {
  let n = 0;
  for await (const line of createInterface({ input: createReadStream(path), crlfDelay: Infinity })) {
    if (line.length > 0 && (JSON.parse(line) as { index: number }).index >= 0) n++;
  }
  return n;
}

async function faultlineRead(path: string): Promise<number> {
  let n = 0;
  await readJsonlFile(path, () => {
    n++;
  });
  return n;
}

async function faultlineLoad(path: string): Promise<number> {
  const l = await loadHistory(path);
  return l.history.ops.length;
}

export default async function (): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-bench-'));
  const path = join(dir, 'history.jsonl');
  try {
    await generate(path);
    const mb = statSync(path).size / (1024 * 1024);
    const runs: Array<[string, (p: string) => Promise<number>]> = [
      ['readline: count lines (baseline)', readlineCount],
      ['readline + JSON.parse (baseline)', readlineJsonParse],
      ['faultline readJsonlFile (parse + validate)', faultlineRead],
      ['faultline loadHistory (+ collect + pair)', faultlineLoad],
    ];
    const rows: Array<[string, number, number]> = [];
    // interleaved rounds, best of ROUNDS per reader: the machine is shared, so the minimum is the least noisy
    const best = runs.map(() => Infinity);
    const counts = runs.map(() => 0);
    await runs[0][1](path); // warm the page cache
    for (let round = 0; round < ROUNDS; round++) {
      for (const [i, [, fn]] of runs.entries()) {
        const t0 = performance.now();
        counts[i] = await fn(path);
        best[i] = Math.min(best[i], (performance.now() - t0) / 1000);
      }
    }
    runs.forEach(([name], i) => rows.push([name, best[i], counts[i]]));
    const base = rows[1][1];
    process.stdout.write(`File: ${mb.toFixed(1)} MB, ${rows[0][2]} lines best of ${ROUNDS} interleaved rounds (FAULTLINE_BENCH_MB, FAULTLINE_BENCH_ROUNDS).\n\n`);
    process.stdout.write('| reader | seconds | MB/s | time vs readline + JSON.parse |\n|---|---:|---:|---:|\n');
    for (const [name, s] of rows) {
      process.stdout.write(`| ${name} | ${s.toFixed(2)} | ${(mb / s).toFixed(0)} | ${(s / base).toFixed(2)}× |\n`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
