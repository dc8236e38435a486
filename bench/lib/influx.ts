import { InfluxDb1 } from '../../test/server/helpers/tsdb';
import { toLine, type Point } from './dataset';

/**
 * The peer: our own influxd 1.6 on free loopback ports with a temp dir (the test helper writes a
 * config binding 127.0.0.1 only). A daemon the Debian package may have started on 8086 is never used.
 */
export class InfluxPeer {
  private constructor(readonly server: InfluxDb1) {}

  static async start(): Promise<InfluxPeer> {
    return new InfluxPeer(await InfluxDb1.create());
  }

  get url(): string {
    return this.server.url;
  }

  async createDb(name: string): Promise<void> {
    await this.server.query(name, `CREATE DATABASE ${name}`);
  }

  /** One /write of line protocol with ms precision; throws unless 204. */
  async write(db: string, body: string): Promise<void> {
    const res = await fetch(`${this.url}/write?db=${db}&precision=ms`, { method: 'POST', body });
    if (res.status !== 204) throw new Error(`influx write: ${res.status} ${await res.text()}`);
  }

  /** Loads points in 10,000-line writes, two in flight. */
  async load(db: string, source: Iterable<Point>, onProgress?: (n: number) => void): Promise<number> {
    const it = source[Symbol.iterator]();
    let n = 0;
    const next = () => {
      const lines: string[] = [];
      for (let k = 0; k < 10_000; k++) {
        const r = it.next();
        if (r.done) break;
        lines.push(toLine(r.value));
      }
      return lines;
    };
    const worker = async () => {
      for (let lines = next(); lines.length; lines = next()) {
        await this.write(db, lines.join('\n'));
        n += lines.length;
        if (n % 500_000 < 10_000) onProgress?.(n);
      }
    };
    await Promise.all([worker(), worker()]);
    return n;
  }

  async query(db: string, q: string): Promise<unknown> {
    const res = await fetch(`${this.url}/query?${new URLSearchParams({ db, q, epoch: 'ms' })}`);
    const body = (await res.json()) as { results?: { error?: string }[]; error?: string };
    if (res.status !== 200 || body.error || body.results?.[0]?.error) throw new Error(`influx query failed: ${JSON.stringify(body).slice(0, 300)}`);
    return body;
  }

  async stop(): Promise<void> {
    await this.server.destroy();
  }
}
