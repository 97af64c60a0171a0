// Final reads beside a history: what each node held at the end of a run (a run writes them to final.json), so
// `faultline check --final` reaches the same verdict the run did. Format: {"reads": {node: value}, "errors": {...}}
// as a run writes it, or just {node: value}.
import { dirname, join } from 'node:path';
import { InputError } from '../cli/exit.js';
import type { FinalReads } from '../../checkers/types.js';
import { readJsonFile } from '../util/json-file.js';
import type { Json } from './types.js';

export const FINAL_FILE = 'final.json';

/** What a run writes: the reads that answered, and why the others did not. */
export interface FinalFile {
  reads: FinalReads;
  errors: Record<string, string>;
}

function isObject(v: unknown): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads a final-reads file (exit 66 if unreadable, 65 if it is not one). */
export function readFinalReads(file: string): FinalReads {
  const data = readJsonFile(file);
  if (!isObject(data)) throw new InputError(file, 1, 'expected an object of final reads per node ({"reads": {"n1": …}} or {"n1": …})');
  if ('reads' in data) {
    if (!isObject(data.reads)) throw new InputError(file, 1, 'expected "reads" to be an object of final reads per node');
    return data.reads;
  }
  return data;
}

/** `--final auto`: the final.json beside a history file. */
export function finalBeside(historyFile: string): string {
  return join(dirname(historyFile), FINAL_FILE);
}
