import { performance } from 'node:perf_hooks';
import { TYPE_WIDTH, type DeviceStatus, type ModbusDeviceConfig, type ReadNow, type Tag, type TagRead } from '../../../shared/field-modbus';
import { MAX_MAGNITUDE, safeParseReading } from '../../../shared/telemetry';
import { AppError } from '../../http/errors';
import type { Logger } from '../../logger';
import type { TelemetryService } from '../../telemetry/service';
import { allOrders, decodeTag, planBlocks, sliceTag, type Block } from './codec';
import { describeEndpoint, endpointKey, Link, LinkDown, ModbusException, ModbusTimeout, sameLineSettings, type Endpoint } from './link';
import type { StoredDevice } from './repository';
import { StoreBatch } from './store-batch';

/** The longest a failing unit waits between attempts, unless its own interval is longer. */
const MAX_BACKOFF_MS = 60_000;

interface TagOutcome {
  tag: Tag;
  raw: number[];
  value: number | boolean | null;
  error: string | null;
}

interface PollCounters {
  state: DeviceStatus['state'];
  lastPollAt: number | null;
  lastOkAt: number | null;
  lastError: string | null;
  tagErrors: { tag: string; error: string }[];
  pollsOk: number;
  pollsFailed: number;
  consecutiveFailures: number;
  responseMs: number | null;
  nextPollAt: number | null;
}

interface Runtime {
  device: StoredDevice;
  link: Link | undefined;
  blocks: Block[];
  timer: NodeJS.Timeout | undefined;
  inFlight: Promise<void> | undefined;
  nextDue: number;
  stopped: boolean;
  /** the value each tag last reported, for deadbands */
  reported: Map<string, number | boolean>;
  counters: PollCounters;
}

/** Why a poll gave up before reading every block. */
class PollAborted extends Error {}

const exceptionText = (e: ModbusException) => `Modbus exception ${e.code}: ${e.message.replace(/^Modbus exception \d+:\s*/, '')}`;

export interface PollerDeps {
  telemetry: Pick<TelemetryService, 'store'>;
  logger: Logger;
}

/**
 * Polls every enabled device on its own interval. Devices share links by endpoint (one queue per
 * serial port or TCP gateway), so requests never collide on a line; a unit that stops answering
 * backs off on its own (its interval doubles up to a minute) and costs the others at most one
 * timeout per backoff step. Each poll that reads anything becomes one reading through the
 * telemetry service, exactly like an HTTP post.
 */
export class Poller {
  private readonly links = new Map<string, Link>();
  /** links being closed, by key: a new link on the same port waits for it */
  private readonly closing = new Map<string, Promise<void>>();
  private readonly runtimes = new Map<number, Runtime>();
  private stopping = false;
  private readonly batch: StoreBatch;

  constructor(private readonly deps: PollerDeps) {
    this.batch = new StoreBatch(deps.telemetry);
  }

  /**
   * Starts every stored device. Devices sharing a port are spread over their interval, so after a
   * restart they do not all fall due at the same instant and queue behind each other every time.
   */
  start(devices: readonly StoredDevice[]): void {
    const perLink = new Map<string, StoredDevice[]>();
    for (const d of devices) perLink.set(endpointKey(d.config.transport), [...(perLink.get(endpointKey(d.config.transport)) ?? []), d]);
    for (const group of perLink.values()) {
      group.forEach((d, i) => void this.upsert(d, Math.floor((i * d.config.interval_s * 1000) / group.length)));
    }
  }

  /**
   * (Re)configures a device; resolves once a poll of the old configuration still running has
   * finished, so after an edit or a removal nothing more is stored under the old settings.
   * Without `firstDelayMs`, an edited device keeps its place in its interval and a new one takes
   * the quietest place on its port (see quietestDelay).
   */
  upsert(device: StoredDevice, firstDelayMs?: number): Promise<void> {
    const old = this.runtimes.get(device.id);
    firstDelayMs ??= this.quietestDelay(device, old);
    // The same port with the same settings keeps its open link (no close and reopen of a serial
    // port that another process could grab in between, nor a second handle on it).
    const keep =
      old?.link &&
      device.config.enabled &&
      !this.stopping &&
      old.link.key === endpointKey(device.config.transport) &&
      sameLineSettings(old.link.endpoint, device.config.transport)
        ? old.link
        : undefined;
    if (old) {
      if (keep) old.link = undefined;
      this.detach(old);
    }
    const settled = old?.inFlight ?? Promise.resolve();
    const rt: Runtime = {
      device,
      link: undefined,
      blocks: planBlocks(device.config.tags, device.config.max_block),
      timer: undefined,
      inFlight: undefined,
      nextDue: Date.now() + firstDelayMs,
      stopped: false,
      reported: new Map(),
      counters: old?.counters ?? freshCounters(),
    };
    rt.counters.state = device.config.enabled ? 'starting' : 'disabled';
    rt.counters.nextPollAt = null;
    this.runtimes.set(device.id, rt);
    if (!device.config.enabled || this.stopping) return settled;
    try {
      rt.link = keep ?? this.acquire(device.config.transport);
    } catch (err) {
      // the port is held at other line settings (a baud sweep is running on it): try again shortly
      rt.counters.state = 'disconnected';
      rt.counters.lastError = (err as Error).message;
      rt.timer = setTimeout(() => void (rt.stopped || this.upsert(device)), 5_000);
      return settled;
    }
    this.schedule(rt, firstDelayMs);
    return settled;
  }

  /**
   * How long a device should wait for its first poll so that it falls due in the middle of the
   * largest gap between the other devices' polls on the same port. Devices added one by one would
   * otherwise fall due wherever they were added, often together, and queue behind each other on
   * the port (each waiting its turn shows as jitter in its poll times).
   */
  private quietestDelay(device: StoredDevice, old: Runtime | undefined): number {
    const intervalMs = device.config.interval_s * 1000;
    const now = Date.now();
    const phase = (due: number) => (((due - now) % intervalMs) + intervalMs) % intervalMs;
    if (old && !old.stopped && old.device.config.interval_s === device.config.interval_s) return phase(old.nextDue);
    const key = endpointKey(device.config.transport);
    const phases: number[] = [];
    for (const rt of this.runtimes.values()) if (rt.device.id !== device.id && !rt.stopped && rt.link?.key === key) phases.push(phase(rt.nextDue));
    if (!phases.length) return 0;
    phases.sort((a, b) => a - b);
    let best = 0;
    let bestGap = -1;
    for (let i = 0; i < phases.length; i++) {
      const gap = (i + 1 < phases.length ? phases[i + 1]! : phases[0]! + intervalMs) - phases[i]!;
      if (gap > bestGap) {
        bestGap = gap;
        best = phases[i]! + gap / 2;
      }
    }
    return Math.floor(best % intervalMs);
  }

  /** Stops polling a device; resolves once its running poll, if any, has finished. */
  async remove(id: number): Promise<void> {
    const rt = this.runtimes.get(id);
    if (!rt) return;
    this.detach(rt);
    this.runtimes.delete(id);
    await rt.inFlight;
  }

  status(): DeviceStatus[] {
    return [...this.runtimes.values()]
      .map(({ device, counters: c, link }) => ({
        id: device.id,
        name: device.config.name,
        device_id: device.config.device_id,
        state: c.state === 'ok' || c.state === 'backoff' ? (link && !link.isOpen && c.consecutiveFailures > 0 ? 'disconnected' : c.state) : c.state,
        endpoint: describeEndpoint(device.config.transport),
        last_poll_at: iso(c.lastPollAt),
        last_ok_at: iso(c.lastOkAt),
        last_error: c.lastError,
        tag_errors: c.tagErrors,
        polls_ok: c.pollsOk,
        polls_failed: c.pollsFailed,
        consecutive_failures: c.consecutiveFailures,
        response_ms: c.responseMs,
        next_poll_at: iso(c.nextPollAt),
      }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** One read now, through the same link queue as the polls; nothing is stored. */
  async readNow(device: StoredDevice): Promise<ReadNow> {
    const link = this.acquire(device.config.transport);
    try {
      const started = Date.now();
      const t0 = performance.now();
      const { outcomes, requests } = await this.readAll(device.config, planBlocks(device.config.tags, device.config.max_block), link, {
        abortOnSilence: false,
      });
      return {
        device: device.id,
        ts: started / 1000,
        time: new Date(started).toISOString(),
        response_ms: round(performance.now() - t0),
        requests,
        tags: outcomes.map(
          (o): TagRead => ({
            name: o.tag.name,
            function: o.tag.function,
            address: o.tag.address,
            type: o.tag.type,
            order: o.tag.order,
            raw: o.raw,
            value: o.value,
            orders: o.raw.length ? finiteOrders(allOrders(o.tag, o.raw)) : null,
            error: o.error,
          }),
        ),
      };
    } finally {
      void this.release(link);
    }
  }

  /**
   * The link for an endpoint, shared with every other user of the same port or gateway. A serial
   * port already open with other line settings is refused: one wire has one baud rate.
   */
  acquire(endpoint: Endpoint): Link {
    const key = endpointKey(endpoint);
    let link = this.links.get(key);
    if (link && !sameLineSettings(link.endpoint, endpoint)) {
      throw new AppError(
        409,
        `${endpoint.kind === 'rtu' ? endpoint.path : key} is in use at ${describeEndpoint(link.endpoint)}; one serial line has one set of line settings`,
      );
    }
    if (!link) {
      link = new Link(endpoint, this.deps.logger.child({ component: 'modbus' }), this.closing.get(key));
      this.links.set(key, link);
    }
    link.refs++;
    return link;
  }

  /** Drops one user of a link; the last one closes it (resolves once the port is closed). */
  release(link: Link): Promise<void> {
    if (--link.refs > 0) return Promise.resolve();
    this.links.delete(link.key);
    const closed = link.close();
    this.closing.set(link.key, closed);
    void closed.finally(() => {
      if (this.closing.get(link.key) === closed) this.closing.delete(link.key);
    });
    return closed;
  }

  /** The link an endpoint is using now, if any (a scan of a busy port goes through it). */
  linkFor(endpoint: Endpoint): Link | undefined {
    return this.links.get(endpointKey(endpoint));
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const flights = [...this.runtimes.values()].map((rt) => {
      this.detach(rt);
      return rt.inFlight;
    });
    this.batch.flush();
    await Promise.allSettled(flights);
    this.batch.flush();
    await Promise.allSettled([...[...this.links.values()].map((l) => l.close()), ...this.closing.values()]);
    this.links.clear();
  }

  private detach(rt: Runtime): void {
    rt.stopped = true;
    clearTimeout(rt.timer);
    rt.timer = undefined;
    if (rt.link) void this.release(rt.link);
    rt.link = undefined;
  }

  private schedule(rt: Runtime, delayMs: number): void {
    if (rt.stopped) return;
    rt.counters.nextPollAt = Date.now() + delayMs;
    rt.timer = setTimeout(() => {
      rt.timer = undefined;
      rt.inFlight = this.pollOnce(rt).finally(() => (rt.inFlight = undefined));
    }, delayMs);
  }

  /** Runs one poll and plans the next: on the interval grid when healthy, further out while failing. */
  private async pollOnce(rt: Runtime): Promise<void> {
    const intervalMs = rt.device.config.interval_s * 1000;
    const due = rt.nextDue;
    try {
      await this.poll(rt);
    } catch (err) {
      this.deps.logger.error({ err, device: rt.device.config.name }, 'modbus poll failed unexpectedly');
    }
    if (rt.stopped) return;
    const now = Date.now();
    const failures = rt.counters.consecutiveFailures;
    if (failures > 0) {
      const backoff = Math.min(intervalMs * 2 ** (failures - 1), Math.max(intervalMs, MAX_BACKOFF_MS));
      rt.nextDue = now + backoff;
    } else {
      // keep the grid (no drift); a poll that overran its interval skips the slots it missed
      rt.nextDue = due + intervalMs;
      if (rt.nextDue <= now) rt.nextDue = due + Math.ceil((now - due) / intervalMs) * intervalMs;
    }
    this.schedule(rt, Math.max(0, rt.nextDue - now));
  }

  private async poll(rt: Runtime): Promise<void> {
    const { config } = rt.device;
    const link = rt.link!;
    const c = rt.counters;
    const due = Date.now();
    c.lastPollAt = due;
    // the reading's time is when its first request went on the wire, not when the poll was due:
    // on a busy line the poll may wait in the port's queue first
    const sent = { at: due, t0: performance.now(), first: true };
    const onSend = () => {
      if (!sent.first) return;
      sent.first = false;
      sent.at = Date.now();
      sent.t0 = performance.now();
    };
    let outcomes: TagOutcome[];
    try {
      ({ outcomes } = await this.readAll(config, rt.blocks, link, { abortOnSilence: true, onSend, splitInto: (blocks) => (rt.blocks = blocks) }));
    } catch (err) {
      c.pollsFailed++;
      c.consecutiveFailures++;
      c.lastError = (err as Error).message;
      c.state = err instanceof LinkDown ? 'disconnected' : 'backoff';
      c.responseMs = null;
      return;
    }
    c.responseMs = round(performance.now() - sent.t0);
    c.tagErrors = outcomes.filter((o) => o.error !== null).map((o) => ({ tag: o.tag.name, error: o.error! }));
    const good = outcomes.filter((o) => o.error === null);
    if (good.length === 0) {
      c.pollsFailed++;
      c.consecutiveFailures = 0;
      c.state = 'ok';
      c.lastError = `no tag could be read: ${c.tagErrors[0]?.error ?? 'no tags'}`;
      return;
    }
    try {
      await this.store(rt, good, sent.at);
    } catch (err) {
      c.pollsFailed++;
      c.lastError = `the reading could not be stored: ${(err as Error).message}`;
      c.state = 'ok';
      return;
    }
    c.pollsOk++;
    c.consecutiveFailures = 0;
    c.state = 'ok';
    c.lastOkAt = sent.at;
    c.lastError = c.tagErrors.length
      ? `${c.tagErrors.length} tag${c.tagErrors.length > 1 ? 's' : ''} failed: ${c.tagErrors[0]!.tag}: ${c.tagErrors[0]!.error}`
      : null;
  }

  /** One reading from the tags that were read; tags within their deadband are left out. */
  private async store(rt: Runtime, good: TagOutcome[], ts: number): Promise<void> {
    const reading: { device_id: string; ts: string; temperature?: number; pressure?: number; status?: string; extra?: Record<string, number | boolean> } = {
      device_id: rt.device.config.device_id,
      ts: new Date(ts).toISOString(),
    };
    const extra: Record<string, number | boolean> = {};
    const reported: [string, number | boolean][] = [];
    for (const { tag, value } of good) {
      if (value === null) continue;
      const last = rt.reported.get(tag.name);
      if (tag.deadband > 0 && last !== undefined && (typeof value === 'boolean' ? value === last : Math.abs(value - (last as number)) < tag.deadband)) continue;
      reported.push([tag.name, value]);
      if (tag.field === 'temperature' || tag.field === 'pressure') reading[tag.field] = typeof value === 'boolean' ? Number(value) : value;
      else if (tag.field === 'status') reading.status = String(value);
      else extra[tag.field] = value;
    }
    if (Object.keys(extra).length) reading.extra = extra;
    if (reported.length === 0) return; // nothing moved beyond its deadband
    const parsed = safeParseReading(reading);
    if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    await this.batch.submit(parsed.data);
    for (const [name, value] of reported) rt.reported.set(name, value);
  }

  /**
   * Reads every block with the device's timeout and retries. A block the device refuses with an
   * exception is read again tag by tag, so one bad address costs only its own tag (and the split
   * is kept for later polls through `splitInto`). With `abortOnSilence`, a unit that does not
   * answer at all ends the poll at once instead of spending a timeout on every block.
   */
  private async readAll(
    config: ModbusDeviceConfig,
    blocks: Block[],
    link: Link,
    opts: { abortOnSilence: boolean; onSend?: () => void; splitInto?: (blocks: Block[]) => void },
  ): Promise<{ outcomes: TagOutcome[]; requests: number }> {
    const outcomes = new Map<string, TagOutcome>();
    const request = { unitId: config.unit_id, timeoutMs: config.timeout_ms, gapMs: config.gap_ms, onSend: opts.onSend };
    let requests = 0;
    let split = false;
    const finalBlocks: Block[] = [];
    const queue = [...blocks];
    while (queue.length) {
      const block = queue.shift()!;
      let data: (number | boolean)[] | undefined;
      let failure: Error | undefined;
      for (let attempt = 0; attempt <= config.retries; attempt++) {
        requests++;
        try {
          data = await link.read(block.function, block.start, block.count, request);
          failure = undefined;
          break;
        } catch (err) {
          failure = err as Error;
          if (err instanceof LinkDown) throw err;
          if (err instanceof ModbusException) break; // the device answered; asking again changes nothing
        }
      }
      if (data) {
        finalBlocks.push(block);
        for (const tag of block.tags) {
          const raw = sliceTag(block, data, tag);
          const value = decodeTag(tag, raw);
          // NaN, infinities and absurd magnitudes are a wrong type or byte order far more often than a real value
          const bad = typeof value === 'number' && !(Number.isFinite(value) && Math.abs(value) <= MAX_MAGNITUDE);
          outcomes.set(
            tag.name,
            bad
              ? { tag, raw, value: null, error: `decoded to ${value} as ${tag.type} ${tag.order}: check the type and byte order` }
              : { tag, raw, value, error: null },
          );
        }
        continue;
      }
      if (failure instanceof ModbusException && block.tags.length > 1) {
        split = true;
        queue.unshift(...block.tags.map((tag) => ({ function: block.function, start: tag.address, count: TYPE_WIDTH[tag.type], tags: [tag] })));
        continue;
      }
      if (failure instanceof ModbusTimeout && opts.abortOnSilence && outcomes.size === 0) {
        throw new PollAborted(
          /gateway/.test(failure.message)
            ? `unit ${config.unit_id}: ${failure.message}`
            : `unit ${config.unit_id} did not answer within ${config.timeout_ms} ms (${config.retries + 1} attempt${config.retries ? 's' : ''})`,
        );
      }
      finalBlocks.push(block);
      const error = failure instanceof ModbusException ? exceptionText(failure) : (failure?.message ?? 'no answer');
      for (const tag of block.tags) outcomes.set(tag.name, { tag, raw: [], value: null, error });
    }
    if (split) opts.splitInto?.(finalBlocks);
    return { outcomes: config.tags.map((t) => outcomes.get(t.name)!).filter(Boolean), requests };
  }
}

/** JSON has no NaN or Infinity: such an order shows as null. */
function finiteOrders(orders: ReturnType<typeof allOrders>): TagRead['orders'] {
  if (!orders) return null;
  return Object.fromEntries(Object.entries(orders).map(([k, v]) => [k, Number.isFinite(v) ? v : null])) as TagRead['orders'];
}

function freshCounters(): PollCounters {
  return {
    state: 'starting',
    lastPollAt: null,
    lastOkAt: null,
    lastError: null,
    tagErrors: [],
    pollsOk: 0,
    pollsFailed: 0,
    consecutiveFailures: 0,
    responseMs: null,
    nextPollAt: null,
  };
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const round = (ms: number) => Math.round(ms * 10) / 10;
