import { gzipSync } from 'node:zlib';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withFastLane } from '../../src/server/http/fast-lane';
import { rawRequest, type RawReply } from './helpers/raw-http';
import { minutesAgo, TestStation } from './helpers/station';

/**
 * POST /api/telemetry skips Express's router (http/fast-lane.ts). Every request below is sent
 * twice: to `/api/telemetry`, which takes the lane, and to `/api/telemetry?`, the same route
 * reached through the app's router. The answers must be the same, and what the lane refuses it
 * must not store.
 */
const ALLOWED_ORIGIN = 'http://console.example';
let s: TestStation;
let device: string;

beforeAll(async () => {
  s = await TestStation.start({ CORS_ORIGINS: ALLOWED_ORIGIN, BODY_LIMIT: '2kb' });
  device = await s.key('device');
});
afterAll(() => s.stop());

const VOLATILE = new Set(['date', 'ratelimit', 'ratelimit-policy', 'connection', 'keep-alive']);
const stable = (r: RawReply) => Object.fromEntries(Object.entries(r.headers).filter(([k]) => !VOLATILE.has(k)));

interface Sent {
  headers?: Record<string, string>;
  /** a function makes a fresh body for each way (a new reading, not a repeat) */
  body?: string | Buffer | (() => string | Buffer);
}

/** The same request through the lane and through the router. */
async function bothWays(req: Sent): Promise<{ lane: RawReply; routed: RawReply }> {
  const send = (path: string) =>
    rawRequest(s.url, { method: 'POST', path, headers: req.headers, body: typeof req.body === 'function' ? req.body() : req.body });
  return { lane: await send('/api/telemetry'), routed: await send('/api/telemetry?') };
}

const json = (key: string | undefined, extra: Record<string, string> = {}) => ({
  'content-type': 'application/json',
  ...(key ? { 'x-api-key': key } : {}),
  ...extra,
});
let seq = 0;
const reading = (over: Record<string, unknown> = {}) =>
  JSON.stringify({ device_id: 'lane-1', ts: minutesAgo(30) + ++seq, temperature: 61.5, pressure: 1200, status: 'ok', ...over });

describe('single-reading fast lane', () => {
  it('when a reading is stored through the lane, then the answer is the one the router gives, id and time aside', async () => {
    const before = s.count();
    const { lane, routed } = await bothWays({ headers: json(device), body: () => reading() });
    expect(lane.status).toBe(201);
    expect(routed.status).toBe(201);
    expect(s.count()).toBe(before + 2);
    // a new reading each way: its id, time and arrival differ, nothing else
    const { id: laneId, ts: _t1, time: _t2, received_at: _t3, ...laneRest } = lane.body;
    const { id: routedId, ts: _t4, time: _t5, received_at: _t6, ...routedRest } = routed.body;
    expect(laneRest).toEqual(routedRest);
    expect(Object.keys(lane.body)).toEqual(Object.keys(routed.body));
    expect(laneId).not.toBe(routedId);
    expect(stable(lane)).toEqual(stable(routed));
    const stored = await rawRequest(s.url, { path: `/api/telemetry/${laneId}`, headers: { authorization: `Bearer ${await s.token()}` } });
    expect(stored.body).toEqual(lane.body);
  });

  it('when a reading is sent again, then both ways answer 200 with the stored reading', async () => {
    const body = reading();
    const first = await rawRequest(s.url, { method: 'POST', path: '/api/telemetry', headers: json(device), body });
    expect(first.status).toBe(201);
    const before = s.count();
    const { lane, routed } = await bothWays({ headers: json(device), body });
    expect([lane.status, routed.status]).toEqual([200, 200]);
    expect(lane.body).toEqual(first.body);
    expect(routed.body).toEqual(first.body);
    expect(stable(lane)).toEqual(stable(routed));
    expect(s.count()).toBe(before);
  });

  const refusals: [string, () => Promise<Sent>, number][] = [
    ['malformed JSON', async () => ({ headers: json(device), body: '{"device_id": "lane-1", ' }), 400],
    ['a reading that breaks the schema', async () => ({ headers: json(device), body: reading({ temperature: 'hot' }) }), 422],
    ['a body that is not JSON', async () => ({ headers: json(device, { 'content-type': 'text/plain' }), body: reading() }), 415],
    ['no credentials', async () => ({ headers: json(undefined), body: reading() }), 401],
    ['an unknown key', async () => ({ headers: json('smk_not_a_real_key_at_all'), body: reading() }), 401],
    ['a key that may only read', async () => ({ headers: json(await s.key('user')), body: reading() }), 403],
    ['a device key scoped to other devices', async () => ({ headers: json(await s.key('device', ['other-*'])), body: reading() }), 403],
    ['a body over the limit', async () => ({ headers: json(device), body: reading({ status: 'x'.repeat(3000) }) }), 413],
    ['a Host the station does not answer to', async () => ({ headers: json(device, { host: 'attacker.example' }), body: reading() }), 421],
    ['a token that is no token', async () => ({ headers: json(device, { authorization: 'Bearer nope' }), body: reading() }), 401],
  ];

  it.each(refusals)('when the lane gets %s, then it answers like the router and stores nothing', async (_name, make, status) => {
    const req = await make();
    const before = s.count();
    const { lane, routed } = await bothWays(req);
    expect(lane.status).toBe(status);
    expect(lane.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(lane.body).toEqual(routed.body);
    expect(stable(lane)).toEqual(stable(routed));
    expect(s.count()).toBe(before);
  });

  it('when a gzip body and an allowed Origin come through the lane, then it decodes and answers with the same CORS headers', async () => {
    const { lane, routed } = await bothWays({
      headers: json(device, { 'content-encoding': 'gzip', origin: ALLOWED_ORIGIN }),
      body: () => gzipSync(reading()),
    });
    expect([lane.status, routed.status]).toEqual([201, 201]);
    expect(lane.headers['access-control-allow-origin']).toBe(ALLOWED_ORIGIN);
    expect(stable(lane)).toEqual(stable(routed));
  });
});

describe('single-reading fast lane, rate limit', () => {
  let limited: TestStation;
  beforeAll(async () => {
    limited = await TestStation.start({ INGEST_RATE_LIMIT: 4 });
  });
  afterAll(() => limited.stop());

  it('when a key posts through both ways, then one counter holds and the fifth request is refused either way', async () => {
    const key = await limited.key('device');
    const post = (path: string) => rawRequest(limited.url, { method: 'POST', path, headers: json(key), body: reading() });
    const statuses = [];
    for (const path of ['/api/telemetry', '/api/telemetry?', '/api/telemetry', '/api/telemetry?']) statuses.push((await post(path)).status);
    expect(statuses).toEqual([201, 201, 201, 201]);
    const lane = await post('/api/telemetry');
    const routed = await post('/api/telemetry?');
    expect([lane.status, routed.status]).toEqual([429, 429]);
    expect(lane.headers['retry-after']).toBeDefined();
    expect(lane.body.detail).toMatch(/too many requests/);
    expect(limited.count()).toBe(4);
  });
});

describe('withFastLane', () => {
  const lane = (chain: express.RequestHandler[]) => {
    const app = express();
    app.use((_req, res) => void res.status(299).send('app'));
    return withFastLane(
      app,
      { method: 'POST', path: '/x', chain },
      { notFound: (_req, res) => void res.status(404).send('none'), error: (err, _req, res, _next) => void res.status(500).send(String(err)) },
    );
  };
  const serve = async (listener: ReturnType<typeof lane>, method: string, path: string) => {
    const server = (await import('node:http')).createServer(listener).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const { port } = server.address() as { port: number };
    try {
      return await rawRequest(`http://127.0.0.1:${port}`, { method, path });
    } finally {
      server.close();
    }
  };

  it('when a request is the lane route, then the chain answers it and the app never sees it; anything else goes to the app', async () => {
    const listener = lane([(_req, _res, next) => next(), (_req, res) => void res.status(201).json({ ok: true })]);
    expect((await serve(listener, 'POST', '/x')).status).toBe(201);
    expect((await serve(listener, 'POST', '/x?a=1')).text).toBe('app');
    expect((await serve(listener, 'GET', '/x')).text).toBe('app');
  });

  it('when a middleware throws, rejects or passes an error, then the error handler answers; a chain that ends is a 404', async () => {
    const boom = new Error('boom');
    expect((await serve(lane([() => Promise.reject(boom)]), 'POST', '/x')).text).toBe('Error: boom');
    expect((await serve(lane([(_req, _res, next) => next(boom)]), 'POST', '/x')).text).toBe('Error: boom');
    expect((await serve(lane([(_req, _res, next) => next()]), 'POST', '/x')).status).toBe(404);
    expect(
      (
        await serve(
          lane([
            () => {
              throw boom;
            },
          ]),
          'POST',
          '/x',
        )
      ).text,
    ).toBe('Error: boom');
  });
});
