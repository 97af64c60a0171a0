// A worker thread of the linearizability search (see search-threads.ts): checks the keys it was given with
// the same scheduler as the main thread, stops when the shared flag says an anomaly was found, posts the outcome.
import { workerData } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { searchKeys } from './linearizability.js';
import { getModel, isModelName } from './models.js';
import type { WorkerJob } from './search-threads.js';

const job = workerData as WorkerJob & { port: MessagePort };
try {
  if (!isModelName(job.model)) throw new Error(`unknown model ${job.model}`);
  job.port.postMessage({ out: searchKeys(getModel(job.model), job.keys, job) });
} catch (err) {
  job.port.postMessage({ error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
}
Atomics.store(job.flags, 1, 1);
Atomics.notify(job.flags, 1);
