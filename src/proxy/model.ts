// The API's data: a toxic's settings (shared, mutable: updates reach live connections) and the JSON shapes.
// Key order matches Toxiproxy's output.
import type { Stream, ToxicType } from './catalog.js';

export interface ToxicModel {
  readonly name: string;
  readonly type: ToxicType;
  readonly stream: Stream;
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
  toxics: ToxicJson[];
}

export function toxicJson(t: ToxicModel): ToxicJson {
  return { attributes: { ...t.attributes }, name: t.name, type: t.type, stream: t.stream, toxicity: t.toxicity };
}
