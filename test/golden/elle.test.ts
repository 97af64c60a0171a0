// Golden test: Elle's own list-append and rw-register cases (../shared/data/elle: cases.json, expected.tsv) get
// Elle's verdict, anomaly types and, where asserted, the weakest models ruled out (`not`).
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkTxn, type TxnModel, type TxnOptions } from '../../checkers/txn/index.js';
import { parseEdnHistory } from '../../src/history/edn.js';
import { pairHistory } from '../../src/history/pair.js';
import type { HistoryEvent } from '../../src/history/types.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const DATA = resolve(ROOT, '..', 'shared', 'data', 'elle');
const present = existsSync(join(DATA, 'cases.json'));

interface GoldenCase {
  name: string;
  model: TxnModel;
  history: HistoryEvent[];
  consistencyModels: string[];
  anomalies?: string[];
  options?: Record<string, unknown>;
  expected: { valid: true | false | 'unknown'; anomalyTypes: string[]; not?: string[] };
}

function optionsOf(c: GoldenCase): TxnOptions {
  const o = c.options ?? {};
  const opts: TxnOptions = { consistencyModels: c.consistencyModels };
  if (c.anomalies) opts.anomalies = c.anomalies;
  if (o['linearizable-keys'] === true) opts.linearizableKeys = true;
  if (o['sequential-keys'] === true) opts.sequentialKeys = true;
  if (typeof o['wfr-keys'] === 'boolean') opts.wfrKeys = o['wfr-keys'];
  if (o['transaction-order']) opts.transactionOrder = o['transaction-order'] as Record<string, number>;
  return opts;
}

if (!present) {
  describe('Elle golden cases', () => {
    it.skip(`skipped: ${DATA} is absent (the shared golden data lives beside the repository)`, () => {});
  });
} else {
  const cases = JSON.parse(readFileSync(join(DATA, 'cases.json'), 'utf8')) as GoldenCase[];
  const rows = readFileSync(join(DATA, 'expected.tsv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t'));

  describe('Elle golden cases (cases.json)', () => {
    it('has 53 cases', () => expect(cases.length).toBe(53));

    it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
      const r = checkTxn(c.model, pairHistory(c.history), optionsOf(c));
      expect(r.valid).toBe(c.expected.valid);
      expect([...r.anomalyTypes].sort()).toEqual([...c.expected.anomalyTypes].sort());
      if (c.expected.not) expect([...(r.not ?? [])].sort()).toEqual([...c.expected.not].sort());
      if (r.valid === true) expect(r.not).toBeUndefined();
    });
  });

  describe('Elle golden EDN files (expected.tsv)', () => {
    it('si-without-g-single.edn: G2-item, not repeatable-read', () => {
      const row = rows.find((r) => r[0] === 'si-without-g-single.edn') as string[];
      const { events } = parseEdnHistory(readFileSync(join(DATA, 'si-without-g-single.edn'), 'utf8'), 'si-without-g-single.edn');
      const r = checkTxn('list-append', pairHistory(events), { consistencyModels: (row[2] as string).split(',') });
      expect(String(r.valid)).toBe(row[3]);
      expect(r.anomalyTypes).toEqual((row[4] as string).split(','));
      expect(r.not).toEqual([row[7]]);
    });

    // every expected.tsv row of paper-example.edn: Elle reads its process-less ops as non-client events (an empty
    // transaction graph: unknown), and so does faultline, with a warning (jepsen-io/elle#20)
    const paper = rows.filter((r) => r[0] === 'paper-example.edn');
    it('paper-example.edn has its two rows (strict-serializable, the default, and serializable)', () => expect(paper.map((r) => r[2])).toEqual(['strict-serializable', 'serializable']));
    it.each(paper.map((r) => [r[2] as string, r] as const))('paper-example.edn against %s: ops without :process are non-client events', (_m, row) => {
      const parsed = parseEdnHistory(readFileSync(join(DATA, 'paper-example.edn'), 'utf8'), 'paper-example.edn');
      expect(parsed.warnings).toEqual([{ line: 1, what: expect.stringContaining('no :process') }]);
      const r = checkTxn('list-append', pairHistory(parsed.events), { consistencyModels: (row[2] as string).split(',') });
      expect(String(r.valid)).toBe(row[3]);
      expect(r.anomalyTypes).toEqual((row[4] as string).split(','));
      expect(r.not ?? []).toEqual(row[7] === 'none' ? [] : (row[7] as string).split(','));
    });
  });
}
