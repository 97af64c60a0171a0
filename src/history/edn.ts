// Importer for Jepsen history.edn files into faultline history events. STUB.
import type { HistoryEvent } from './types.js';

/** Parse a Jepsen history (vector/list of op maps, or one map per line). Throws InputError with file:line. */
export function parseEdnHistory(_text: string, _file: string): HistoryEvent[] {
  throw new Error('not implemented yet');
}
