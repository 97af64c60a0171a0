// Canonical JSON text of a value (object keys sorted), for hashing and comparing model states and values.
// Numbers, strings, booleans and null take a fast path; equal values always give equal text.
import type { Json } from '../src/history/types.js';

/** A deterministic text for `v`: JSON with object keys sorted. */
export function canonical(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  switch (typeof v) {
    case 'number':
      return Number.isFinite(v) ? String(v) : 'null';
    case 'string':
      return JSON.stringify(v);
    case 'boolean':
      return v ? 'true' : 'false';
    default:
      break;
  }
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(String(v));
}

/** Structural equality of two JSON values (object key order ignored). */
export function jsonEqual(a: Json | undefined, b: Json | undefined): boolean {
  if (a === b) return true;
  if (a === null || b === null || a === undefined || b === undefined) return (a ?? null) === (b ?? null);
  if (typeof a !== 'object' || typeof b !== 'object') return false;
  return canonical(a) === canonical(b);
}

/** A short human rendering of a JSON value, cut to `max` characters. */
export function shortJson(v: unknown, max = 60): string {
  const s = v === undefined ? 'null' : canonical(v);
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}
