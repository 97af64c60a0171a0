// The API's data: a toxic's settings (shared, mutable: updates reach live connections) and the JSON shapes.
// Key order matches Toxiproxy's output, including the empty `Logger` object its proxies carry.
import type { Stream, ToxicType } from './catalog.js';

export interface ToxicModel {
  readonly name: string;
  readonly type: ToxicType;
  /** `stream` as the client wrote it ("UpStream" is kept as is, as Toxiproxy shows it) */
  readonly stream: string;
  /** the direction `stream` names */
  readonly direction: Stream;
  toxicity: number;
  attributes: Record<string, number>;
}

export interface ToxicJson {
  attributes: Record<string, number>;
  name: string;
  type: string;
  stream: string;
  toxicity: number;
}

export interface ProxyJson {
  name: string;
  listen: string;
  upstream: string;
  enabled: boolean;
  /** always {}: Toxiproxy 2.x serialises its proxy's logger, which has no public fields */
  Logger: Record<string, never>;
  toxics: ToxicJson[];
}

export function toxicJson(t: ToxicModel): ToxicJson {
  return { attributes: { ...t.attributes }, name: t.name, type: t.type, stream: t.stream, toxicity: t.toxicity };
}
