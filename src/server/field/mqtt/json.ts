import type { JsonMapping } from '../../../shared/field-mqtt';

/** The most readings one JSON message may carry. */
const MAX_JSON_READINGS = 10_000;

/** MQTT topic filter matching ('+' one level, '#' the rest); $-topics never match wildcards. */
function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  if (topic.startsWith('$') && (f[0] === '+' || f[0] === '#')) return false;
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

export const findMapping = (mappings: readonly JsonMapping[], topic: string) => mappings.find((m) => topicMatches(m.topic, topic));

export type JsonOutcome = { ok: true; candidates: unknown[] } | { ok: false; error: string };

/**
 * A message on a mapped topic -> reading candidates (validated later by the same schema as the
 * HTTP API). The payload is one reading or an array of them; with `device_from: 'topic'` the
 * device id comes from the topic, and a payload naming another device is refused.
 */
export function jsonCandidates(mapping: JsonMapping, topic: string, payload: Uint8Array): JsonOutcome {
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(payload).toString('utf8'));
  } catch (err) {
    return { ok: false, error: `not valid JSON: ${(err as Error).message}` };
  }
  const items = Array.isArray(body) ? body : [body];
  if (items.length === 0) return { ok: false, error: 'an empty array holds no reading' };
  if (items.length > MAX_JSON_READINGS) return { ok: false, error: `a message holds at most ${MAX_JSON_READINGS} readings` };
  if (mapping.device_from === 'payload') return { ok: true, candidates: items };

  const level = mapping.topic_level ?? mapping.topic.split('/').indexOf('+');
  const deviceId = topic.split('/')[level];
  if (!deviceId) return { ok: false, error: `the topic has no level ${level} to name the device` };
  const candidates: unknown[] = [];
  for (const item of items) {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) return { ok: false, error: 'each reading must be a JSON object' };
    const named = (item as { device_id?: unknown }).device_id;
    if (named !== undefined && named !== deviceId)
      return { ok: false, error: `device_id ${JSON.stringify(named).slice(0, 70)} differs from the topic's ${deviceId}` };
    candidates.push({ ...item, device_id: deviceId });
  }
  return { ok: true, candidates };
}

/** The device ids a candidate list names (for the embedded broker's scope check). */
export function candidateDevices(candidates: readonly unknown[]): string[] {
  return candidates
    .map((c) => (typeof c === 'object' && c !== null ? (c as { device_id?: unknown }).device_id : undefined))
    .map((d) => (typeof d === 'string' ? d : ''));
}
