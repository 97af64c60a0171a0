// One-line human descriptions of ops and values for tooltips, labels and tables. Pure.
import type { Json, Op } from '../history/types.js';
import { formatDuration } from './scales.js';

/** Compact JSON for display, cut at `max` characters. */
export function shortJson(v: unknown, max = 40): string {
  let s: string;
  if (v === undefined) s = '';
  else if (typeof v === 'string') s = v;
  else s = JSON.stringify(v) ?? String(v);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** "write 3", "cas [1,2]", "read → 4", "read" (no value yet), with the key prefixed when there is one. */
export function describeCall(op: Pick<Op, 'f' | 'key' | 'type' | 'value' | 'invokeValue'>): string {
  const k = op.key !== undefined ? `[${op.key}] ` : '';
  const isRead = op.invokeValue === null || op.invokeValue === undefined;
  if (isRead && op.type === 'ok') return `${k}${op.f} → ${shortJson(op.value as Json)}`;
  if (isRead) return `${k}${op.f}`;
  return `${k}${op.f} ${shortJson(op.invokeValue)}`;
}

/** Tooltip text: process, call, outcome, latency, node, error. */
export function describeOp(op: Op): string {
  const parts = [`p${op.process} ${describeCall(op)}`];
  parts.push(op.completeTime === null ? 'never completed' : `${op.type} in ${formatDuration(op.completeTime - op.invokeTime)}`);
  if (op.node) parts.push(`on ${op.node}`);
  if (op.error) parts.push(op.error);
  parts.push(`#${op.invokeIndex}`);
  return parts.join(' · ');
}
