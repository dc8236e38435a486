import { Worker } from 'node:worker_threads';
import { workerEntry } from '../paths';
import type { TrainJobInput, TrainJobResult } from './train-job';
import type { TrainProgress } from './train';

const TRAIN_WORKER = { name: 'ml-train-worker', source: 'ml/train-worker.ts' } as const;

/** Runs a training job in a worker thread, reporting progress; resolves with the saved model. */
export function trainInWorker(input: TrainJobInput, onProgress: (p: TrainProgress) => void = () => {}, signal?: AbortSignal): Promise<TrainJobResult> {
  const entry = workerEntry(TRAIN_WORKER.name, TRAIN_WORKER.source);
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const worker = new Worker(entry.file, { workerData: input, execArgv: entry.execArgv });
    let settled = false;
    // A cancelled task stops the CPU work too: the worker is terminated, not left to finish.
    const onAbort = () => {
      settled = true;
      void worker.terminate();
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('exit', () => signal?.removeEventListener('abort', onAbort));
    worker.on('message', (m: { type: 'progress'; progress: TrainProgress } | { type: 'done'; result: TrainJobResult } | { type: 'error'; message: string }) => {
      if (m.type === 'progress') onProgress(m.progress);
      else if (m.type === 'done') {
        settled = true;
        resolve(m.result);
      } else {
        settled = true;
        reject(new Error(m.message));
      }
    });
    worker.on('error', (err) => {
      settled = true;
      reject(err);
    });
    worker.on('exit', (code) => {
      if (!settled) reject(new Error(`training worker exited with code ${code}`));
    });
  });
}
