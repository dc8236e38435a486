import { SCAN_JOB, scanRequestSchema, type ScanRequest, type ScanResult } from '../../../shared/field-modbus';
import type { Config } from '../../config';
import { AppError } from '../../http/errors';
import { executeTask } from '../../jobs/execute';
import { defineJob, JobRegistry } from '../../jobs/registry';
import type { JobStore, JobRow } from '../../jobs/store';
import type { Logger } from '../../logger';
import { describeEndpoint, LinkDown, ModbusException, sameLineSettings, type Endpoint } from './link';
import type { Poller } from './poller';

/**
 * Bus scans as tasks of the station's task API (GET /api/tasks/{id}, its SSE progress, DELETE to
 * cancel). They run in the station itself, never on a BullMQ worker: a probe must go through the
 * same link queue as the polls of that port, which only this process holds. So the scan has a
 * registry of its own and is executed here with the shared executeTask (claim, heartbeat,
 * cancel, progress), recording into the same jobs table.
 */
export class ScanRunner {
  private readonly registry: JobRegistry;
  private readonly running = new Set<Promise<unknown>>();
  private readonly stopping = new AbortController();

  constructor(private readonly deps: { store: JobStore; config: Config; logger: Logger; poller: Poller }) {
    this.registry = new JobRegistry([
      defineJob({
        name: SCAN_JOB,
        schema: scanRequestSchema,
        attempts: 1,
        handler: async (payload: ScanRequest, ctx) => {
          const result = await this.scan(payload, ctx.signal, (done, total) => ctx.progress(done, Math.round((done / total) * 1000) / 10));
          return { result, rows: result.found.length };
        },
      }),
    ]);
  }

  /** Refuses what cannot run before a task exists: a sweep or another baud on a port being polled. */
  check(req: ScanRequest): void {
    const t = req.transport;
    if (t.kind !== 'rtu') return;
    const busy = this.deps.poller.linkFor(t);
    if (!busy) return;
    const bauds = req.bauds ?? [t.baud];
    if (bauds.some((baud) => !sameLineSettings(busy.endpoint, { ...t, baud }))) {
      throw new AppError(
        409,
        `${t.path} is being polled at ${describeEndpoint(busy.endpoint)}; scan it with those settings (no baud sweep) or disable its devices first`,
      );
    }
  }

  start(req: ScanRequest, owner: string): JobRow {
    this.check(req);
    const row = this.deps.store.create(SCAN_JOB, owner, req, 'local');
    const run = executeTask({ store: this.deps.store, registry: this.registry, config: this.deps.config, logger: this.deps.logger }, row.id, {
      isFinalAttempt: () => true,
    });
    this.running.add(run);
    void run.finally(() => this.running.delete(run));
    return row;
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await Promise.allSettled(this.running);
  }

  private async scan(req: ScanRequest, signal: AbortSignal, progress: (done: number, total: number) => void): Promise<ScanResult> {
    const units = req.unit_to - req.unit_from + 1;
    const bauds: (number | null)[] = req.transport.kind === 'rtu' ? (req.bauds ?? [req.transport.baud]) : [null];
    const total = units * bauds.length;
    const found: ScanResult['found'] = [];
    let probed = 0;
    for (const baud of bauds) {
      const endpoint: Endpoint = baud !== null && req.transport.kind === 'rtu' ? { ...req.transport, baud } : req.transport;
      const link = this.deps.poller.acquire(endpoint);
      try {
        for (let unit = req.unit_from; unit <= req.unit_to; unit++) {
          if (signal.aborted) throw signal.reason;
          if (this.stopping.signal.aborted) throw new Error('the station stopped during the scan');
          try {
            await link.read('holding', 0, 1, { unitId: unit, timeoutMs: req.timeout_ms, gapMs: 0 });
            found.push({ unit_id: unit, baud, answer: 'registers' });
          } catch (err) {
            // an exception is an answer: the unit is there, it just has no holding register 0
            if (err instanceof ModbusException) found.push({ unit_id: unit, baud, answer: `exception ${err.code}` });
            else if (err instanceof LinkDown) throw new Error(`cannot scan ${describeEndpoint(endpoint)}: ${err.message}`);
          }
          progress(++probed, total);
        }
      } finally {
        // a sweep reopens the port at the next baud rate: wait until this one has let it go
        await this.deps.poller.release(link);
      }
    }
    return { endpoint: describeEndpoint(req.transport), probed, found };
  }
}
