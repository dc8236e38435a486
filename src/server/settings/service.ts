import { DEFAULT_UNITS, pressureUnitSchema, temperatureUnitSchema, type Settings, type SettingsUpdate, type Units } from '../../shared/settings';
import { lanAddresses, urlFor } from './network';
import type { SettingsFile } from './store';
import { isLoopbackHost } from '../http/host-check';

/** Settings that config.ts reads only at start: changing them needs a restart. */
const RESTART_KEYS = ['HOST', 'PORT', 'REDIS_URL', 'INFLUX_URL', 'INFLUX_ORG', 'INFLUX_BUCKET', 'INFLUX_TOKEN'] as const;
const LOOPBACK = '127.0.0.1';
const ALL_INTERFACES = '0.0.0.0';

export interface RunningListener {
  host: string;
  port: number;
}

const isLan = (host: string): boolean => !isLoopbackHost(host);

function maskPassword(url: string | undefined): string | null {
  if (!url) return null;
  try {
    const u = new URL(url);
    if (u.password) u.password = '****';
    return u.toString();
  } catch {
    return url;
  }
}

/** Reads and writes the admin-editable station settings; knows what needs a restart. */
const unitsOf = (saved: Record<string, string | undefined>): Units => ({
  temperature: temperatureUnitSchema.catch(DEFAULT_UNITS.temperature).parse(saved.UI_TEMPERATURE_UNIT),
  pressure: pressureUnitSchema.catch(DEFAULT_UNITS.pressure).parse(saved.UI_PRESSURE_UNIT),
});

export class SettingsService {
  /** the file as it was when the station started: what is in effect now */
  private readonly atStart: Record<string, string>;

  constructor(
    private readonly file: SettingsFile,
    private readonly env: Record<string, string | undefined> = process.env,
  ) {
    this.atStart = file.read();
  }

  view(running: RunningListener): Settings {
    const saved = this.file.read();
    const envOverrides = RESTART_KEYS.filter((k) => this.env[k] !== undefined);
    const host = saved.HOST ?? this.env.HOST ?? running.host;
    const port = Number(saved.PORT ?? running.port);
    const addresses = lanAddresses();
    const lanNow = isLan(running.host);
    return {
      lan_access: isLan(host),
      host,
      port,
      running: { host: running.host, port: running.port, lan_access: lanNow },
      addresses,
      // The URL devices must use is the one in effect now; when LAN access is off none works.
      device_urls: lanNow ? addresses.map((a) => urlFor(a.address, running.port)) : [],
      redis_url: maskPassword(saved.REDIS_URL),
      influx_url: saved.INFLUX_URL || null,
      influx_org: saved.INFLUX_ORG || null,
      influx_bucket: saved.INFLUX_BUCKET || null,
      influx_token_set: Boolean(saved.INFLUX_TOKEN),
      units: unitsOf(saved),
      restart_required: RESTART_KEYS.filter((k) => !envOverrides.includes(k) && this.differsFromRunning(k, saved, running)),
      env_overrides: envOverrides,
    };
  }

  /**
   * Whether a saved setting is not what the station runs with. The listener is compared with what
   * it listens on now, not with the file at start: LAN access turned on and off again saves
   * HOST=127.0.0.1 where the file had nothing, which is the same listener and needs no restart.
   */
  private differsFromRunning(key: (typeof RESTART_KEYS)[number], saved: Record<string, string>, running: RunningListener): boolean {
    if (key === 'HOST') return saved.HOST !== undefined && saved.HOST !== running.host;
    if (key === 'PORT') return saved.PORT !== undefined && Number(saved.PORT) !== running.port;
    return (saved[key] ?? '') !== (this.atStart[key] ?? '');
  }

  /** Applies a validated update; returns the names of the keys that changed (never their values). */
  /** The station's default display units (each user may choose their own: /api/me/preferences). */
  units(): Units {
    return unitsOf(this.file.read());
  }

  update(u: SettingsUpdate): string[] {
    const saved = this.file.read();
    const next = { ...saved };
    const set = (key: string, value: string | null | undefined) => {
      if (value === undefined) return;
      if (value === null || value === '') delete next[key];
      else next[key] = value;
    };
    if (u.lan_access !== undefined) set('HOST', u.lan_access ? ALL_INTERFACES : LOOPBACK);
    if (u.port !== undefined) set('PORT', String(u.port));
    // A masked URL coming back unchanged from the form must not overwrite the real password.
    if (u.redis_url !== undefined && !(u.redis_url && u.redis_url === maskPassword(saved.REDIS_URL) && saved.REDIS_URL !== u.redis_url)) {
      set('REDIS_URL', u.redis_url);
    }
    set('INFLUX_URL', u.influx_url);
    set('INFLUX_ORG', u.influx_org);
    set('INFLUX_BUCKET', u.influx_bucket);
    set('INFLUX_TOKEN', u.influx_token);
    if (u.units) {
      next.UI_TEMPERATURE_UNIT = u.units.temperature;
      next.UI_PRESSURE_UNIT = u.units.pressure;
    }
    const changed = [...new Set([...Object.keys(saved), ...Object.keys(next)])].filter((k) => saved[k] !== next[k]);
    if (changed.length) this.file.write(next);
    return changed;
  }
}
