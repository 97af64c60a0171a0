// Fault plans: each step's targets and partition mode reach the nemesis, and both steps are in the history.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runPlan } from '../../nemesis/schedule.js';
import type { Nemesis, NemesisContext } from '../../nemesis/types.js';
import type { Cluster } from '../../src/cluster/types.js';
import { readHistoryEvents } from '../../src/history/load.js';
import { HistoryWriter } from '../../src/history/writer.js';
import { Rng } from '../../src/util/rng.js';

const dir = mkdtempSync(join(tmpdir(), 'faultline-plan-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('runPlan', () => {
  it("hands each step's targets and partition mode to the nemesis, else the run's", async () => {
    const seen: { targets: string; mode: string | undefined }[] = [];
    const fake: Nemesis = {
      name: 'partition',
      names: ['start-partition', 'stop-partition'],
      async start(ctx) {
        seen.push({ targets: String(ctx.targets), mode: ctx.partitionMode });
        return { f: 'start-partition', value: { mode: ctx.partitionMode ?? 'halves' } };
      },
      async stop() {
        return { f: 'stop-partition', value: null };
      },
    };
    const ctx: NemesisContext = { cluster: {} as Cluster, rng: new Rng(1), targets: 'one', log: () => undefined };
    const file = join(dir, 'h.jsonl');
    const writer = new HistoryWriter(file);
    const plan = [
      { at: 0, nemesis: 'partition', duration: 0.01, mode: 'site-split' as const, targets: 'primary' as const },
      { at: 0.05, nemesis: 'partition', duration: 0.01 },
    ];
    await runPlan(plan, [fake], ctx, writer, { stopped: () => false, stopping: new Promise(() => undefined) });
    writer.close();
    expect(seen).toEqual([
      { targets: 'primary', mode: 'site-split' },
      { targets: 'one', mode: undefined },
    ]);
    const { events } = await readHistoryEvents(file);
    expect(events.filter((e) => e.type === 'info').map((e) => [e.f, e.value])).toEqual([
      ['start-partition', { mode: 'site-split' }],
      ['stop-partition', null],
      ['start-partition', { mode: 'halves' }],
      ['stop-partition', null],
    ]);
  });
});
