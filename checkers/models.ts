// Sequential models for the linearizability checker: register, cas-register, counter, set, kv. STUB.
import type { Model } from './types.js';

export const MODEL_NAMES = ['register', 'cas-register', 'counter', 'set', 'kv'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

export function getModel(_name: ModelName): Model<unknown> {
  throw new Error('not implemented yet');
}
