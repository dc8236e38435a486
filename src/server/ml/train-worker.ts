import { parentPort, workerData } from 'node:worker_threads';
import { runTrainJob, type TrainJobInput } from './train-job';

/**
 * Worker-thread entry for training (bundle input `ml-train-worker`). Training takes a minute or
 * more of CPU; off the main thread the API (and the desktop window) stays responsive meanwhile.
 * Messages: {type:'progress', progress} ... then {type:'done', result} or {type:'error', message}.
 */
const port = parentPort;
if (!port) throw new Error('train-worker must run as a worker thread');
try {
  const result = runTrainJob(workerData as TrainJobInput, (progress) => port.postMessage({ type: 'progress', progress }));
  port.postMessage({ type: 'done', result });
} catch (err) {
  port.postMessage({ type: 'error', message: (err as Error).message });
}
