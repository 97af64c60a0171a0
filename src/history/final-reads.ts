// Final reads beside a history: what each node held at the end of a run (a run writes them to final.json), so
// `faultline check --final` reaches the same verdict the run did. Format: {"reads": {node: value}, "errors": {...},
// "settlement": {...}} as a run writes it, or just {node: value}. The settlement says which node was primary and
// which nodes had not caught up when they were read (their reads are then not the cluster's final state).
import { dirname, join } from 'node:path';
import { InputError } from '../util/exit.js';
import type { FinalReads, FinalSettlement } from '../../checkers/types.js';
import { readJsonFile } from '../util/json-file.js';
import type { Json } from './types.js';

export const FINAL_FILE = 'final.json';

/** What a run writes: the reads that answered, why the others did not, and how each node stood (Cluster.settle). */
export interface FinalFile {
  reads: FinalReads;
  errors: Record<string, string>;
  /** the run's settle step (src/cluster/types.ts Settlement), as stored */
  settlement?: Json;
}

/** Which stored states mean "its read is the settled state" (a broken logical subscription is final too). */
const JUDGED_STATES = new Set(['settled', 'broken']);

/**
 * The checkers' view of a stored settlement: the primary, and the nodes whose reads are not the settled state
 * (with the reason stored for them). Undefined when there is none (every read is then taken as settled).
 */
export function finalSettlementOf(stored: Json | undefined): FinalSettlement | undefined {
  if (!isObject(stored) || !isObject(stored.nodes)) return undefined;
  const out: FinalSettlement = {};
  if (typeof stored.primary === 'string') out.primary = stored.primary;
  const unsettled: Record<string, string> = {};
  for (const [name, n] of Object.entries(stored.nodes)) {
    if (!isObject(n) || typeof n.state !== 'string' || JUDGED_STATES.has(n.state)) continue;
    unsettled[name] = typeof n.reason === 'string' ? n.reason : n.state;
  }
  if (Object.keys(unsettled).length > 0) out.unsettled = unsettled;
  return out;
}

function isObject(v: unknown): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads a final-reads file (exit 66 if unreadable, 65 if it is not one). */
export function readFinalReads(file: string): FinalReads {
  return readFinalFile(file).reads;
}

/** Reads a final-reads file with its settlement, when it has one (exit 66 if unreadable, 65 if it is not one). */
export function readFinalFile(file: string): { reads: FinalReads; settlement?: FinalSettlement } {
  const data = readJsonFile(file);
  if (!isObject(data)) throw new InputError(file, 1, 'expected an object of final reads per node ({"reads": {"n1": …}} or {"n1": …})');
  if ('reads' in data) {
    if (!isObject(data.reads)) throw new InputError(file, 1, 'expected "reads" to be an object of final reads per node');
    if ('settlement' in data && data.settlement !== null && !isObject(data.settlement)) throw new InputError(file, 1, 'expected "settlement" to be an object');
    const settlement = finalSettlementOf(data.settlement);
    return settlement === undefined ? { reads: data.reads } : { reads: data.reads, settlement };
  }
  return { reads: data };
}

/** `--final auto`: the final.json beside a history file. */
export function finalBeside(historyFile: string): string {
  return join(dirname(historyFile), FINAL_FILE);
}
