// Golden test: every Knossos cas-register history listed in expected.tsv (../shared/data/knossos, beside the
// repository) gets Knossos' verdict, read through the EDN importer and paired with pairHistory.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkLinearizability } from '../../checkers/linearizability.js';
import { getModel, isModelName } from '../../checkers/models.js';
import { parseEdnHistory } from '../../src/history/edn.js';
import { pairHistory } from '../../src/history/pair.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const DATA = resolve(ROOT, '..', 'shared', 'data', 'knossos');
const present = existsSync(join(DATA, 'expected.tsv'));
const rows = present
  ? readFileSync(join(DATA, 'expected.tsv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.split('\t'))
  : [];

if (!present) {
  describe('Knossos cas-register histories', () => {
    it.skip(`skipped: ${DATA} is absent (the shared golden data lives beside the repository)`, () => {});
  });
}

describe.runIf(present)('Knossos cas-register histories', () => {
  it('lists 120 files', () => {
    expect(rows.length).toBe(120);
  });

  it.each(rows)('%s (%s) → linearizable %s', (file, model, linearizable) => {
    if (!isModelName(model)) throw new Error(`unknown model ${model}`);
    const { events } = parseEdnHistory(readFileSync(join(DATA, file), 'utf8'), file);
    const r = checkLinearizability(pairHistory(events), getModel(model), { maxStates: 2_000_000 });
    expect(String(r.valid)).toBe(linearizable);
    if (r.valid === false) {
      const a = r.anomaly!;
      expect(a.op.type).toBe('ok');
      expect(a.window.map((o) => o.invokeIndex)).toContain(a.op.invokeIndex);
      expect(a.prefix.length).toBe(Math.min(a.prefixLength, 64));
      expect(a.states.length).toBeGreaterThan(0);
    }
  });

  it('blames the read of 3 in rethink-fail-minimal, tried against 4 and 0', () => {
    const file = 'cas-register/bad/rethink-fail-minimal.edn';
    const { events, lines } = parseEdnHistory(readFileSync(join(DATA, file), 'utf8'), file);
    const r = checkLinearizability(pairHistory(events), getModel('cas-register'));
    expect(r.anomaly).toMatchObject({ op: { process: 1, f: 'read', value: 3 }, states: ['4', '0'], prefixLength: 2 });
    expect(lines[r.anomaly!.op.invokeIndex]).toBe(4);
  });
});
