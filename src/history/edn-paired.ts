// The EDN fast path all the way to ops: a history in the flat shape (edn-flat.ts) paired as it is read
// (op-pairing.ts). Whatever the validator would refuse, or the flat reader cannot read, returns null: the history is
// then read event by event (the same ops; the errors from there).
import { flatEvent, IndexCheck } from './edn.js';
import { FlatOps } from './edn-flat.js';
import type { ReadLimits } from './guards.js';
import { OpPairing, type PairedRead } from './op-pairing.js';
import type { EventFields } from './pair.js';

/** Read and pair an EDN history of the flat shape from its (valid UTF-8) bytes; null when it is not one. */
export function pairFlatEdn(bytes: Buffer, file: string, limits: ReadLimits): PairedRead | null {
  const r = new FlatOps(bytes, limits.maxLineBytes);
  const index = new IndexCheck(file);
  const pairing = new OpPairing();
  for (let got = r.next(); got !== 0; got = r.next()) {
    const i = pairing.count;
    if (got === -1 || !index.fits(r.index)) return null;
    index.note(r.index, i, r.line);
    r.time ??= i; // no :time: the event's position, as the importer numbers it
    if (r.process === 'nemesis') {
      if (!pairing.takeNemesis(flatEvent(r, i), r.line)) return null;
    } else if (!pairing.take(r as EventFields, r.line)) {
      return null;
    }
  }
  return pairing.result(index.warnings());
}
