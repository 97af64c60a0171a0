// Importer for Jepsen history.edn files into faultline history events. STUB.
import type { HistoryEvent } from './types.js';

export interface EdnHistory {
  events: HistoryEvent[];
  /** 1-based source line of each event (lines[i] for events[i]), for file:line errors */
  lines: number[];
}

/** Parse a Jepsen history (vector/list of op maps, or one map per line). Throws InputError with file:line. */
export function parseEdnHistory(_text: string, _file: string): EdnHistory {
  throw new Error('not implemented yet');
}
