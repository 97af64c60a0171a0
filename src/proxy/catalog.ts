// The toxic types Toxiproxy knows, with their attributes and the largest value we accept for each.
// Attributes are non-negative integers; time limits stay below Node's timer maximum (2^31-1 ms).

export const TOXIC_TYPES = ['latency', 'bandwidth', 'slow_close', 'timeout', 'reset_peer', 'slicer', 'limit_data', 'noop'] as const;
export type ToxicType = (typeof TOXIC_TYPES)[number];

export const STREAMS = ['upstream', 'downstream'] as const;
export type Stream = (typeof STREAMS)[number];

const DAY_MS = 86_400_000;

/** attribute name → maximum value, in the order Toxiproxy lists them. */
export const ATTRIBUTES: Record<ToxicType, Readonly<Record<string, number>>> = {
  latency: { latency: DAY_MS, jitter: DAY_MS },
  bandwidth: { rate: 1e12 },
  slow_close: { delay: DAY_MS },
  timeout: { timeout: DAY_MS },
  reset_peer: { timeout: DAY_MS },
  slicer: { average_size: 64 * 1024 * 1024, size_variation: 64 * 1024 * 1024, delay: DAY_MS * 1000 },
  limit_data: { bytes: Number.MAX_SAFE_INTEGER },
  noop: {},
};

export function isToxicType(t: unknown): t is ToxicType {
  return typeof t === 'string' && (TOXIC_TYPES as readonly string[]).includes(t);
}

/** The direction a `stream` value names, matched without regard to case as Toxiproxy does; null if none. */
export function parseStream(s: unknown): Stream | null {
  if (typeof s !== 'string') return null;
  const lower = s.toLowerCase();
  return (STREAMS as readonly string[]).includes(lower) ? (lower as Stream) : null;
}
