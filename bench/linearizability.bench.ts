// Linearizability checker benchmark: (a) 1M-op keyed register, throughput and peak RSS;
// (b) single-key cas-register of growing length under a time limit, against the cost of pairing it.
import { checkLinearizability } from '../checkers/linearizability.js';
import { getModel, partitionByKey } from '../checkers/models.js';
import type { CheckContext } from '../checkers/types.js';
import { pairHistory } from '../src/history/pair.js';
import { randomPlan, simulate } from '../test/support/simulate.js';

const MiB = 1024 * 1024;
const rssMiB = (): number => Math.round(process.memoryUsage().rss / MiB);
const peakMiB = (): number => Math.round((process.resourceUsage().maxRSS * 1024) / MiB);

function timed<T>(fn: () => T): [T, number] {
  const t = performance.now();
  const v = fn();
  return [v, performance.now() - t];
}

function keyedRegister(): void {
  const ops = 1_000_000;
  const [events, genMs] = timed(() =>
    simulate(randomPlan(1, { model: 'register', processes: 20, keys: 1000, ops, infoRate: 0.01, failRate: 0.02 })),
  );
  const rssAfterGen = rssMiB();
  const [paired, pairMs] = timed(() => pairHistory(events));
  const [, partMs] = timed(() => partitionByKey(paired.ops));
  const [r, checkMs] = timed(() => checkLinearizability(paired, getModel('register'), { timeLimitMs: 60_000 }));
  process.stdout.write('### (a) keyed register: 1,000,000 ops, 1,000 keys, 20 processes, 1 % info\n\n');
  process.stdout.write('| phase | time (ms) | ops/s | ratio to pairing |\n|---|---:|---:|---:|\n');
  const row = (name: string, ms: number): void => {
    process.stdout.write(`| ${name} | ${ms.toFixed(0)} | ${Math.round(ops / (ms / 1000)).toLocaleString('en')} | ${(ms / pairMs).toFixed(1)} |\n`);
  };
  row('simulate (not part of the check)', genMs);
  row('pair (baseline)', pairMs);
  row('partition by key', partMs);
  row('check linearizability', checkMs);
  process.stdout.write(
    `\nverdict: ${String(r.valid)}, ops checked ${r.ops.toLocaleString('en')}, keys ${r.keys}, info ${r.infoOps}, ` +
      `configurations ${r.configurations.toLocaleString('en')}; RSS after simulating ${rssAfterGen} MiB, ` +
      `peak RSS ${peakMiB()} MiB\n\n`,
  );
}

function singleKeyCas(): void {
  const limitMs = 10_000;
  process.stdout.write(`### (b) single-key cas-register, 10 processes, 5 % info, time limit ${limitMs / 1000} s\n\n`);
  process.stdout.write('| ops | info ops | pair (ms, baseline) | check (ms) | ratio | verdict | configurations | RSS (MiB) |\n');
  process.stdout.write('|---:|---:|---:|---:|---:|---|---:|---:|\n');
  const runs: Array<[number, CheckContext, string]> = [1_000, 2_000, 5_000, 10_000, 20_000, 50_000].map((n) => [
    n,
    { timeLimitMs: limitMs },
    '',
  ]);
  // the same 20k history under tight budgets: the answer is "unknown", never a crash
  runs.push([20_000, { timeLimitMs: 1_000 }, ' (1 s limit)'], [20_000, { timeLimitMs: limitMs, maxStates: 50_000 }, ' (50k states)']);
  for (const [n, ctx, note] of runs) {
    const events = simulate(randomPlan(n, { model: 'cas-register', processes: 10, keys: 0, ops: n, infoRate: 0.05, failRate: 0.05 }));
    const [paired, pairMs] = timed(() => pairHistory(events));
    const [r, checkMs] = timed(() => checkLinearizability(paired, getModel('cas-register'), ctx));
    const verdict = r.valid === 'unknown' ? `unknown (${r.unknownReason})` : String(r.valid);
    process.stdout.write(
      `| ${n.toLocaleString('en')}${note} | ${r.infoOps} | ${pairMs.toFixed(2)} | ${checkMs.toFixed(0)} | ${(checkMs / pairMs).toFixed(0)} | ` +
        `${verdict} | ${r.configurations.toLocaleString('en')} | ${rssMiB()} |\n`,
    );
  }
  process.stdout.write('\n');
}

export default async function (): Promise<void> {
  keyedRegister();
  singleKeyCas();
}
