// Nemesis names alone (cheap to import: the CLI lists them without loading the fault code).

export const NEMESIS_NAMES = [
  'none',
  'partition',
  'kill',
  'pause',
  'latency',
  'jitter',
  'bandwidth',
  'failover',
  'switchover-readonly',
  'switchover-fence',
  'schema-change',
  'schema-change-norefresh',
] as const;
export type NemesisName = (typeof NEMESIS_NAMES)[number];

export function isNemesisName(s: string): s is NemesisName {
  return (NEMESIS_NAMES as readonly string[]).includes(s);
}
