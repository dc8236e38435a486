import { Readable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { workerEntry } from '../paths';
import type { Filter } from './repository';

export interface ExportWorkerData {
  dbPath: string;
  filter: Filter;
  order: 'asc' | 'desc';
  header: boolean;
  /** SharedArrayBuffer of two int32: [0] chunks the worker may still send, [1] cancel flag */
  credits: SharedArrayBuffer;
}

const MAX_CHUNKS_AHEAD = 4;

/**
 * A CSV export as a Readable stream, produced by a worker thread with its own read-only SQLite
 * connection. Each `read()` the consumer makes grants the worker one more chunk: that is the
 * backpressure, end to end from the socket to the SQLite cursor.
 */
export function createExportStream(
  dbPath: string,
  filter: Filter,
  options: { header?: boolean; order?: 'asc' | 'desc'; onRows?: (rows: number) => void } = {},
): Readable {
  const credits = new SharedArrayBuffer(8);
  const flags = new Int32Array(credits);
  Atomics.store(flags, 0, MAX_CHUNKS_AHEAD);
  const entry = workerEntry('export-worker', 'telemetry/export-worker.ts');
  const data: ExportWorkerData = { dbPath, filter, order: options.order ?? 'asc', header: options.header ?? true, credits };
  let worker: Worker | undefined;
  let finished = false;

  const stop = () => {
    Atomics.store(flags, 1, 1);
    Atomics.notify(flags, 0);
    void worker?.terminate();
  };

  const stream = new Readable({
    highWaterMark: 256 * 1024,
    read() {
      if (!worker) {
        worker = new Worker(entry.file, { workerData: data, execArgv: entry.execArgv });
        worker.on('message', (msg: { type: string; bytes?: Uint8Array; rows?: number; message?: string }) => {
          if (msg.type === 'chunk') {
            options.onRows?.(msg.rows ?? 0);
            stream.push(Buffer.from(msg.bytes!.buffer, msg.bytes!.byteOffset, msg.bytes!.byteLength));
          } else if (msg.type === 'done') {
            finished = true;
            stream.push(null);
          } else if (msg.type === 'error') {
            finished = true;
            stream.destroy(new Error(`export failed: ${msg.message}`));
          }
        });
        worker.on('error', (err) => stream.destroy(err));
        worker.on('exit', (code) => {
          if (!finished && !stream.destroyed) stream.destroy(new Error(`export worker exited with code ${code}`));
        });
        return;
      }
      Atomics.add(flags, 0, 1);
      Atomics.notify(flags, 0);
    },
    destroy(err, cb) {
      if (!finished) stop();
      else void worker?.terminate();
      cb(err);
    },
  });
  return stream;
}
