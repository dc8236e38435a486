import { networkInterfaces } from 'node:os';
import type { LanAddress } from '../../shared/settings';

/** The machine's non-loopback addresses: what a LAN device must use to reach the station. */
export function lanAddresses(): LanAddress[] {
  const out: LanAddress[] = [];
  for (const [name, list] of Object.entries(networkInterfaces())) {
    for (const a of list ?? []) {
      if (a.internal) continue;
      // Link-local IPv6 needs a zone id in URLs, which devices rarely accept: leave it out.
      if (a.family === 'IPv6' && a.address.toLowerCase().startsWith('fe80')) continue;
      out.push({ interface: name, address: a.address, family: a.family === 'IPv6' ? 'IPv6' : 'IPv4' });
    }
  }
  // IPv4 first: that is what RTUs and PLC gateways are configured with.
  return out.sort((a, b) => (a.family === b.family ? 0 : a.family === 'IPv4' ? -1 : 1));
}

export const urlFor = (address: string, port: number): string => `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
