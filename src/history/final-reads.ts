// Final reads beside a history: what each node held at the end of a run (a run writes them to final.json), so
// `faultline check --final` reaches the same verdict the run did. Format: {"reads": {node: value}, "errors": {...},
// "settlement": {...}} as a run writes it, or just {node: value}. The settlement says which node was primary and
// which nodes had not caught up when they were read (their reads are then not the cluster's final state).
import { dirname, join } from 'node:path';
import { InputError } from '../util/exit.js';
import { readJsonFile } from '../util/json-file.js';
import type { Json } from './types.js';

export const FINAL_FILE = 'final.json';

/** Final state read from the nodes after healing: per node name, what its final read returned (counter value, set elements, rows…). */
export interface FinalReads {
  [node: string]: Json;
}

/**
 * How the nodes stood when their final reads were taken (the runner's settle step, stored in final.json): the
 * reads of unsettled nodes show how far those nodes got, not what the cluster kept. Absent: every node settled.
 */
export interface FinalSettlement {
  /** the node that was primary when the final reads were taken (topologies with one writable node) */
  primary?: string;
  /** nodes whose final read is not the settled state, with why (behind the primary, paused, unreachable…) */
  unsettled?: Record<string, string>;
  /** the settle step as the run stored it (every node's state, the marker, the time waited), shown beside convergence */
  detail?: Json;
}

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
  out.detail = stored;
  return out;
}

function isObject(v: unknown): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads a final-reads file (exit 66 if unreadable, 65 if it is not one). */
export function readFinalReads(file: string): FinalReads {
  return readFinalFile(file).reads;
}

/** A final-reads file as read: the reads, why some nodes gave none, and the settlement when there is one. */
export interface FinalInput {
  reads: FinalReads;
  errors: Record<string, string>;
  settlement?: FinalSettlement;
}

/** Reads a final-reads file with its settlement, when it has one (exit 66 if unreadable, 65 if it is not one). */
export function readFinalFile(file: string): FinalInput {
  return parseFinalFile(readJsonFile(file), file);
}

/** A parsed final-reads file (as a run writes it, or just {node: value}); InputError (65) when it is not one. */
export function parseFinalFile(data: unknown, file: string): FinalInput {
  if (!isObject(data)) throw new InputError(file, 1, 'expected an object of final reads per node ({"reads": {"n1": …}} or {"n1": …})');
  if ('reads' in data) {
    if (!isObject(data.reads)) throw new InputError(file, 1, 'expected "reads" to be an object of final reads per node');
    if ('settlement' in data && data.settlement !== null && !isObject(data.settlement)) throw new InputError(file, 1, 'expected "settlement" to be an object');
    if ('errors' in data && data.errors !== null && !isObject(data.errors)) throw new InputError(file, 1, 'expected "errors" to be an object of node → why its final read failed');
    const errors: Record<string, string> = {};
    for (const [n, e] of Object.entries(isObject(data.errors) ? data.errors : {})) errors[n] = typeof e === 'string' ? e : JSON.stringify(e);
    const settlement = finalSettlementOf(data.settlement);
    return settlement === undefined ? { reads: data.reads, errors } : { reads: data.reads, errors, settlement };
  }
  return { reads: data, errors: {} };
}

/** `--final auto`: the final.json beside a history file. */
export function finalBeside(historyFile: string): string {
  return join(dirname(historyFile), FINAL_FILE);
}
