// `faultline check` options of the transactional models (--consistency-models, --anomalies, version-order
// sources) turned into TxnOptions; unknown names, bad JSON or options of another model are usage errors (64);
// --explain's text under a result line. The txn checker's modules are loaded only for a txn model.
import type { CheckModel } from '../../checkers/index.js';
import type { CheckResult } from '../../checkers/types.js';
import type { TxnAnomaly, TxnOptions, TxnResult } from '../../checkers/txn/index.js';
import type { CheckOptions } from './commands/check.js';
import { UsageError } from '../util/exit.js';

function list(v: string): string[] {
  return v.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

function transactionOrder(v: string): Record<string, number> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(v);
  } catch {
    throw new UsageError(`--transaction-order: expected a JSON object {"completion index": position, …}; got ${v.slice(0, 40)}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new UsageError('--transaction-order: expected a JSON object {"completion index": position, …}');
  for (const [k, p] of Object.entries(parsed)) {
    if (!/^\d+$/.test(k) || typeof p !== 'number' || !Number.isFinite(p)) throw new UsageError(`--transaction-order: expected completion indexes mapped to numbers; got ${JSON.stringify(k)}: ${JSON.stringify(p)}`);
  }
  return parsed as Record<string, number>;
}

/** The txn options of a check, or undefined for the other models (which must not be given any). */
export async function txnOptionsFrom(model: CheckModel, opts: CheckOptions): Promise<TxnOptions | undefined> {
  const given = (['consistencyModels', 'anomalies', 'linearizableKeys', 'sequentialKeys', 'wfrKeys', 'transactionOrder', 'cycleSearchTimeout', 'explain'] as const).filter((k) => opts[k] !== undefined);
  const flag = (k: string): string => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  if (model !== 'list-append' && model !== 'rw-register') {
    if (given.length > 0) throw new UsageError(`${flag(given[0] as string)} applies to --model list-append and rw-register only`);
    return undefined;
  }
  if (model === 'list-append') {
    const rwOnly = given.find((k) => k === 'linearizableKeys' || k === 'sequentialKeys' || k === 'wfrKeys' || k === 'transactionOrder');
    if (rwOnly) throw new UsageError(`${flag(rwOnly)} applies to --model rw-register only (list-append reads give the version order)`);
  }
  const { isKnownAnomaly, isKnownModel, KNOWN_MODELS } = await import('../../checkers/txn/index.js');
  const out: TxnOptions = {};
  if (opts.consistencyModels !== undefined) {
    const ms = opts.consistencyModels.trim() === 'none' ? [] : list(opts.consistencyModels);
    const bad = ms.find((m) => !isKnownModel(m));
    if (bad) throw new UsageError(`--consistency-models: unknown model "${bad}"; known: ${KNOWN_MODELS.join(', ')}`);
    out.consistencyModels = ms;
  }
  if (opts.anomalies !== undefined) {
    const as = list(opts.anomalies);
    const bad = as.find((a) => !isKnownAnomaly(a));
    if (bad) throw new UsageError(`--anomalies: unknown anomaly "${bad}" (e.g. G0, G1, G1a, G1b, G1c, G-single, G2, G2-item, lost-update, internal, garbage-read)`);
    out.anomalies = as;
  }
  if (opts.linearizableKeys) out.linearizableKeys = true;
  if (opts.sequentialKeys) out.sequentialKeys = true;
  if (opts.wfrKeys !== undefined) out.wfrKeys = opts.wfrKeys;
  if (opts.transactionOrder !== undefined) out.transactionOrder = transactionOrder(opts.transactionOrder);
  if (opts.cycleSearchTimeout !== undefined) out.cycleSearchMs = opts.cycleSearchTimeout;
  return out;
}

/** Every anomaly of a txn result explained, indented under the result's line ('' for other results). */
export async function explainResult(result: CheckResult): Promise<string> {
  const txn = result as Partial<Pick<TxnResult, 'model' | 'anomalyCounts'>> & CheckResult;
  const model = txn.model;
  if ((model !== 'list-append' && model !== 'rw-register') || !Array.isArray(result.anomalies)) return '';
  const { explainAnomaly } = await import('../../checkers/txn/index.js');
  const counts = txn.anomalyCounts ?? {};
  const parts = (result.anomalies as TxnAnomaly[]).map((a, i, all) => {
    const first = all.findIndex((b) => b.type === a.type) === i;
    const shown = all.filter((b) => b.type === a.type).length;
    const head = first ? `${a.type}${(counts[a.type] ?? shown) > shown ? ` (${shown} of ${counts[a.type]} shown)` : ''}:\n` : '';
    return head + explainAnomaly(model, a).split('\n').map((l) => (l ? `    ${l}` : '')).join('\n');
  });
  return parts.length ? `${parts.join('\n\n')}\n` : '';
}
