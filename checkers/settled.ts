// Which final reads a final-state checker judges: those of nodes that had settled when read (ctx.settlement).
// A node read before it caught up shows how far it got, not what the cluster kept; it is named, not judged.
import type { Json } from '../src/history/types.js';
import type { CheckContext } from './types.js';

export interface JudgedFinals {
  /** node → final read, settled nodes only */
  finals: Array<[string, Json]>;
  /** node → why its final read is not judged */
  notJudged: Record<string, string>;
}

export function judgedFinals(ctx: CheckContext): JudgedFinals {
  const unsettled = ctx.settlement?.unsettled ?? {};
  const finals: Array<[string, Json]> = [];
  const notJudged: Record<string, string> = {};
  for (const [node, v] of Object.entries(ctx.final ?? {})) {
    if (node in unsettled) notJudged[node] = unsettled[node]!;
    else finals.push([node, v]);
  }
  return { finals, notJudged };
}

/** "no settled final read (n2: …)" when every final read was of an unsettled node. */
export function noneSettledReason(notJudged: Record<string, string>): string {
  return `no final read is of a settled node (${Object.entries(notJudged)
    .map(([n, r]) => `${n}: ${r}`)
    .join('; ')})`;
}
