import { setTimeout as sleep } from 'node:timers/promises';
import ModbusRTU from 'modbus-serial';
import type { ModbusFunction, Transport } from '../../../shared/field-modbus';
import type { Logger } from '../../logger';

/** Where requests go: a TCP endpoint, or a serial line (its settings are part of it). */
export type Endpoint = Transport;

/** One key per physical path: every device on a serial port (or behind one TCP gateway) shares its link. */
export const endpointKey = (e: Endpoint) => (e.kind === 'tcp' ? `tcp:${e.host}:${e.port}` : `rtu:${e.path}`);
export const describeEndpoint = (e: Endpoint) =>
  e.kind === 'tcp' ? `${e.host}:${e.port}` : `${e.path} ${e.baud} ${e.data_bits}${e.parity[0]!.toUpperCase()}${e.stop_bits}`;
export const sameLineSettings = (a: Endpoint, b: Endpoint) =>
  a.kind === 'rtu' && b.kind === 'rtu' ? a.baud === b.baud && a.parity === b.parity && a.data_bits === b.data_bits && a.stop_bits === b.stop_bits : true;

/** The device answered with a Modbus exception: it is there, the request was wrong for it. */
export class ModbusException extends Error {
  override name = 'ModbusException';
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}
/** Nobody answered within the timeout (or a gateway said the unit behind it did not). */
export class ModbusTimeout extends Error {
  override name = 'ModbusTimeout';
}
/** The port or socket is not usable (closed, refused, removed); the link reopens it later. */
export class LinkDown extends Error {
  override name = 'LinkDown';
}

const RECONNECT_MIN_MS = 500;
const RECONNECT_MAX_MS = 30_000;
const CONNECT_TIMEOUT_MS = 5_000;

export interface RequestOptions {
  unitId: number;
  timeoutMs: number;
  /** quiet time after the answer before the next request on this link (RS-485 bridges need it) */
  gapMs: number;
  /** called when the request leaves the queue and goes on the wire */
  onSend?: () => void;
}

type Client = InstanceType<typeof ModbusRTU>;

/**
 * One connection (TCP socket or serial port) with one queue: strictly one request at a time, in
 * order, with the requester's gap after each. A dead socket or a removed port closes the link;
 * the next request reopens it, no sooner than a backoff that grows to 30 s while it keeps failing,
 * so a replugged USB adapter or a restarted server is picked up again by itself.
 */
export class Link {
  private client: Client | undefined;
  private tail: Promise<unknown> = Promise.resolve();
  private nextConnectAt = 0;
  private reconnectDelay = RECONNECT_MIN_MS;
  private closed = false;
  private pending = 0;
  lastError: string | null = null;
  /** users of the link (devices, a running scan); the owner closes it when none is left */
  refs = 0;

  constructor(
    readonly endpoint: Endpoint,
    private readonly logger: Logger,
    /** the previous link of this port, still closing: a serial port is opened only once it is free */
    private readonly notBefore: Promise<void> = Promise.resolve(),
  ) {}

  get key(): string {
    return endpointKey(this.endpoint);
  }

  get isOpen(): boolean {
    return this.client?.isOpen === true;
  }

  /** Requests waiting or running on this link. */
  get queued(): number {
    return this.pending;
  }

  /** Reads `count` registers (or bits) from `start`; bits come back as booleans. */
  read(fn: ModbusFunction, start: number, count: number, opts: RequestOptions): Promise<(number | boolean)[]> {
    return this.enqueue(async () => {
      const client = await this.open();
      client.setID(opts.unitId);
      client.setTimeout(opts.timeoutMs);
      opts.onSend?.();
      try {
        const answer = await this.request(client, fn, start, count);
        return fn === 'coil' || fn === 'discrete' ? answer.data.slice(0, count) : answer.data;
      } catch (err) {
        throw this.classify(err);
      } finally {
        if (opts.gapMs > 0) await sleep(opts.gapMs);
      }
    });
  }

  /** Stops taking requests, lets queued ones finish, and resolves once the port or socket is closed. */
  async close(): Promise<void> {
    this.closed = true;
    await this.tail.catch(() => undefined);
    const client = this.client;
    this.client = undefined;
    if (!client?.isOpen) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 2_000); // a port that never reports closing must not hold up a stop
      try {
        client.close(() => {
          clearTimeout(timer);
          resolve();
        });
      } catch {
        clearTimeout(timer);
        resolve();
      }
    });
  }

  private enqueue<T>(work: () => Promise<T>): Promise<T> {
    this.pending++;
    const run = this.tail.then(work, work);
    this.tail = run.catch(() => undefined).finally(() => this.pending--);
    return run;
  }

  private request(client: Client, fn: ModbusFunction, start: number, count: number) {
    switch (fn) {
      case 'coil':
        return client.readCoils(start, count);
      case 'discrete':
        return client.readDiscreteInputs(start, count);
      case 'holding':
        return client.readHoldingRegisters(start, count);
      case 'input':
        return client.readInputRegisters(start, count);
    }
  }

  private classify(err: unknown): Error {
    const e = err as { modbusCode?: number; message?: string; name?: string; errno?: string };
    // 10 and 11 come from a gateway, not the unit: the path is gone or the unit behind it is silent
    if (e.modbusCode === 10 || e.modbusCode === 11)
      return new ModbusTimeout(`the gateway answered exception ${e.modbusCode}: ${e.modbusCode === 10 ? 'no path to the unit' : 'the unit did not respond'}`);
    if (typeof e.modbusCode === 'number') return new ModbusException(e.modbusCode, e.message ?? `Modbus exception ${e.modbusCode}`);
    if (e.name === 'TransactionTimedOutError' || e.errno === 'ETIMEDOUT') return new ModbusTimeout(`no answer within the timeout`);
    // anything else is the transport failing under us: reopen on the next request
    const down = new LinkDown(e.message ?? String(err));
    this.markDown(down.message);
    return down;
  }

  private async open(): Promise<Client> {
    if (this.closed) throw new LinkDown('the link is closed');
    if (this.client?.isOpen) return this.client;
    await this.notBefore;
    this.drop();
    const now = Date.now();
    if (now < this.nextConnectAt) throw new LinkDown(`${this.lastError ?? 'not connected'}; reconnecting in ${Math.ceil((this.nextConnectAt - now) / 1000)} s`);
    const client = new ModbusRTU();
    try {
      await withTimeout(this.connect(client), CONNECT_TIMEOUT_MS, 'connect timed out');
    } catch (err) {
      try {
        client.close(() => undefined);
      } catch {
        // never opened: nothing to close
      }
      this.markDown(`cannot open ${describeEndpoint(this.endpoint)}: ${(err as Error).message}`);
      throw new LinkDown(this.lastError!);
    }
    this.client = client;
    client.on('close', () => {
      if (this.client === client && !this.closed) this.markDown(`${describeEndpoint(this.endpoint)} closed`);
    });
    // serial ports report a removed device as an error event; unhandled, it would crash the station
    client.on('error', (err: unknown) => {
      if (this.client === client) this.markDown(err instanceof Error ? err.message : String(err));
    });
    this.reconnectDelay = RECONNECT_MIN_MS;
    this.nextConnectAt = 0;
    this.lastError = null;
    this.logger.info({ endpoint: describeEndpoint(this.endpoint) }, 'modbus link open');
    return client;
  }

  private connect(client: Client): Promise<void> {
    const e = this.endpoint;
    if (e.kind === 'tcp') return client.connectTCP(e.host, { port: e.port });
    return client.connectRTUBuffered(e.path, { baudRate: e.baud, parity: e.parity, dataBits: e.data_bits, stopBits: e.stop_bits });
  }

  private markDown(reason: string): void {
    if (this.lastError !== reason) this.logger.warn({ endpoint: describeEndpoint(this.endpoint), reason }, 'modbus link down');
    this.lastError = reason;
    this.nextConnectAt = Date.now() + this.reconnectDelay;
    this.reconnectDelay = Math.min(this.reconnectDelay * 2, RECONNECT_MAX_MS);
    this.drop();
  }

  private drop(): void {
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    try {
      if (client.isOpen) client.close(() => undefined);
    } catch {
      // already gone with the port
    }
  }
}

async function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
