import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/server/config';

const load = (env: Record<string, string>) => loadConfig({}, { DATA_DIR: '/tmp/oilfield-influx-config-test', ...env } as any);

describe('InfluxDB configuration', () => {
  it('when INFLUX_URL is not set, then there is no target and the device tags default to device_id', () => {
    const c = load({});
    expect(c.influx.target).toBeUndefined();
    expect(c.influx.deviceTags).toEqual(['device_id']);
  });

  it('when a 2.x target is complete, then it is typed with its bucket as the query database', () => {
    const c = load({ INFLUX_URL: 'http://127.0.0.1:8086/', INFLUX_ORG: 'o', INFLUX_BUCKET: 'b', INFLUX_TOKEN: 't', INFLUX_DEVICE_TAGS: 'device_id, host' });
    expect(c.influx.target).toEqual({ url: 'http://127.0.0.1:8086', version: '2', token: 't', org: 'o', bucket: 'b', db: 'b' });
    expect(c.influx.deviceTags).toEqual(['device_id', 'host']);
  });

  it('when a setting is missing or malformed, then the station refuses to start naming the variable', () => {
    expect(() => load({ INFLUX_URL: 'http://127.0.0.1:8086', INFLUX_VERSION: '1' })).toThrow(/INFLUX_DB/);
    expect(() => load({ INFLUX_URL: 'http://127.0.0.1:8086', INFLUX_ORG: 'o' })).toThrow(/INFLUX_BUCKET/);
    expect(() => load({ INFLUX_URL: 'http://127.0.0.1:8086', INFLUX_BUCKET: 'b' })).toThrow(/INFLUX_ORG/);
    expect(() => load({ INFLUX_URL: 'ftp://x' })).toThrow(ConfigError);
    expect(() => load({ INFLUX_URL: 'http://user:pw@127.0.0.1:8086', INFLUX_VERSION: '1', INFLUX_DB: 'd' })).toThrow(/credentials/);
    expect(() => load({ INFLUX_VERSION: '3' })).toThrow(/INFLUX_VERSION/);
    expect(() => load({ INFLUX_DEVICE_TAGS: 'device id' })).toThrow(/INFLUX_DEVICE_TAGS/);
  });
});
