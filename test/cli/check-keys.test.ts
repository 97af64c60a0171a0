// `faultline check` on a keyed history with one cheap anomaly and keys no search can finish (issue 18): the
// line names the anomaly and the keys not fully checked; --all-keys checks on within --time-limit and still
// names the anomaly, never the limit.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, faultline } from '../support/built-cli.js';
import { plantedHistory } from '../support/pathological.js';

const dir = mkdtempSync(join(tmpdir(), 'faultline-check-keys-'));
beforeAll(() => ensureBuilt(), 300_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const { events } = plantedHistory({ model: 'kv', seed: 11, keys: 8, clients: 50, ops: 1500, hard: [8, 9], width: 24, bad: 3, meanDuration: 5 });
const file = join(dir, 'planted.jsonl');
writeFileSync(file, events.map((e) => JSON.stringify(e)).join('\n'));

describe('faultline check: decide, then stop', () => {
  it('stops at the first anomaly, names it and says how many keys were not fully checked', () => {
    const r = faultline(['check', '--model', 'kv', file]);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/INVALID — model kv, \d+ ops, linearizable: cannot linearize \[3\] p\d+ get → "stale-a" \(key 3\) after \d+ ops; \d+ of 10 keys not fully checked \(stopped at the first anomaly; --all-keys checks every key\)\n$/);
    const j = JSON.parse(faultline(['check', '--model', 'kv', '--json', file]).stdout) as { linearizable: { uncheckedKeys: number[]; invalidKeys: number[] } };
    expect(j.linearizable.invalidKeys).toEqual([3]);
    expect(j.linearizable.uncheckedKeys).toEqual(expect.arrayContaining([8, 9]));
  });

  it('--all-keys checks on until the time limit; the reason is still the anomaly', () => {
    const r = faultline(['check', '--model', 'kv', '--all-keys', '--time-limit', '6', file]);
    expect(r.status).toBe(1);
    // the hard keys never finish: the time limit (or, first, the memory budget) leaves them without a verdict
    expect(r.stdout).toMatch(/linearizable: cannot linearize \[3\] .* \(key 3\) after \d+ ops; \d+ of 10 keys without a verdict \((the time limit of 6 s|the memory \(state\) limit)\)\n$/);
    expect(r.stdout).not.toContain('not fully checked');
  });
});
