import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestStation } from './helpers/station';

let s: TestStation;
let admin: string;
let engineer: string;

beforeAll(async () => {
  s = await TestStation.start({ OIL_LOSS_TOLERANCE_PCT: '0.5' });
  admin = await s.token();
  engineer = await s.userToken();
});
afterAll(() => s.stop());

const H = 3600;
/** Field times in Unix seconds: a fixed hour some days back, so durations are exact and valid. */
const T0 = Math.floor(Date.now() / 1000 / H) * H - 10 * 24 * H;
const at = (hours: number) => T0 + hours * H;

const m60 = (gross: number, bsw: number) => ({ gross_volume_bbl: gross, temperature_f: 60, api_gravity: 30, bsw_pct: bsw });
const create = (body: unknown, token = engineer) => s.call('POST', '/api/oil/batches', { token, body });
const post = (id: string, body: unknown, token = engineer) => s.call('POST', `/api/oil/batches/${id}/events`, { token, body });
const counts = () => ({
  batches: s.count('SELECT COUNT(*) FROM oil_batches'),
  events: s.count('SELECT COUNT(*) FROM oil_events'),
  audit: s.count("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'oil.%'"),
});

async function newBatch(extra: Record<string, unknown> = {}): Promise<string> {
  const res = await create({ well_id: 'well-001', ts: at(0), ...m60(1000, 2), ...extra });
  expect(res.status).toBe(201);
  return res.body.batch_id as string;
}

/** Asserts a problem body with the status, and (when given) a field error at `path`. */
function expectProblem(res: { status: number; headers: Headers; body: any }, status: number, path?: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
  expect(res.body).toMatchObject({ status, title: expect.any(String), detail: expect.any(String) });
  if (path) expect(res.body.errors?.map((e: { path: string }) => e.path)).toContain(path);
}

describe('happy path', () => {
  it('when an engineer creates a batch and moves it through every stage, then the track view has the timeline, durations and volumes', async () => {
    const res = await create({ well_id: 'well-001', ts: at(0), location: 'Pad 7', ...m60(1000, 2), note: 'first test batch' });
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe(`/api/oil/batches/${res.body.batch_id}`);
    const id = res.body.batch_id as string;
    expect(id).toMatch(/^B-\d{4}-\d{4}$/);
    expect(res.body).toMatchObject({ well_id: 'well-001', current_stage: 'produced', status: 'active', version: 1, created_ts: at(0), created_by: 'engineer' });
    expect(res.body.last_measurement).toMatchObject({ stage: 'produced', ctl: 1, gsv_bbl: 1000, nsv_bbl: 980 });

    const steps = [
      { to_stage: 'separated', ts: at(4), location: 'Separator 2', ...m60(982, 0.2) },
      { to_stage: 'stored', ts: at(6), location: 'Tank 12', ...m60(978, 0.2) },
      { to_stage: 'transported', ts: at(24), carrier: 'truck', ticket: 'RT-55012', ...m60(975, 0.2) },
      { to_stage: 'delivered', ts: at(30), location: 'Cushing terminal', ...m60(960, 0.2) },
    ];
    let version = 1;
    for (const step of steps) {
      const r = await post(id, { type: 'transition', expected_stage: undefined, ...step });
      expect(r.status).toBe(201);
      expect(r.body.event).toMatchObject({ kind: 'transition', stage: step.to_stage, override: false, actor: 'engineer', ts: step.ts });
      expect(r.body.batch.version).toBe(++version);
    }
    const measured = await post(id, { type: 'measurement', ts: at(31), ...m60(961, 0.2), note: 'receipt re-gauged' });
    expect(measured.status).toBe(201);

    const batch = await s.call('GET', `/api/oil/batches/${id}`, { token: engineer });
    expect(batch.body).toMatchObject({ current_stage: 'delivered', status: 'completed', version: 6 });

    const track = await s.call('GET', `/api/oil/track/${id}`, { token: engineer });
    expect(track.status).toBe(200);
    expect(track.body.timeline.map((e: any) => [e.kind, e.stage])).toEqual([
      ['created', 'produced'],
      ['transition', 'separated'],
      ['transition', 'stored'],
      ['transition', 'transported'],
      ['transition', 'delivered'],
      ['measurement', 'delivered'],
    ]);
    expect(track.body.stages.map((v: any) => [v.stage, v.duration_seconds])).toEqual([
      ['produced', 4 * H],
      ['separated', 2 * H],
      ['stored', 18 * H],
      ['transported', 6 * H],
      ['delivered', null],
    ]);
    // NSV at 60 F = gross x (1 - BS&W/100): 980.00, 980.04, 976.04, 973.05, and 959.08 (the re-gauge wins at delivery)
    expect(track.body.volumes.map((v: any) => v.nsv_bbl)).toEqual([980, 980.04, 976.04, 973.05, 959.08]);
    expect(track.body.changes.map((c: any) => [c.net_change_bbl, c.net_change_pct, c.loss_flagged])).toEqual([
      [0.04, 0.004, false],
      [-4, -0.408, false],
      [-2.99, -0.306, false],
      [-13.97, -1.436, true],
    ]);
    expect(track.body).toMatchObject({ total_net_change_bbl: -20.92, loss_tolerance_pct: 0.5 });

    const audit = s.count(`SELECT COUNT(*) FROM audit_log WHERE target = '${id}' AND action LIKE 'oil.batch.%'`);
    expect(audit).toBe(6);
  });

  it('when the temperature is not 60 F, then the stored NSV carries the MPMS 11.1 CTL', async () => {
    const id = await newBatch({ temperature_f: 80, bsw_pct: 0.5 });
    const res = await s.call('GET', `/api/oil/batches/${id}`, { token: engineer });
    expect(res.body.last_measurement).toMatchObject({ ctl: 0.99107, gsv_bbl: 991.07, nsv_bbl: 986.11 });
  });

  it('when a batch id is supplied, then it is used; a second batch with the same id is 409 and not stored', async () => {
    expect((await create({ batch_id: 'LEASE7-0042', well_id: 'well-002' })).body.batch_id).toBe('LEASE7-0042');
    const before = counts();
    expectProblem(await create({ batch_id: 'LEASE7-0042', well_id: 'well-002' }), 409);
    expect(counts()).toEqual(before);
  });

  it('when batches are listed with filters and pages, then total counts every match and items honour the filters', async () => {
    for (let i = 0; i < 3; i++) await create({ well_id: 'well-list', ts: at(i) });
    const page = await s.call('GET', '/api/oil/batches?well=well-list&limit=2&page=1', { token: engineer });
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({ total: 3, page: 1, limit: 2 });
    expect(page.body.items).toHaveLength(2);
    expect(page.body.items[0].created_ts).toBe(at(2));
    const second = await s.call('GET', '/api/oil/batches?well=well-list&limit=2&page=2', { token: engineer });
    expect(second.body.items).toHaveLength(1);
    const delivered = await s.call('GET', '/api/oil/batches?current_stage=delivered&status=completed', { token: engineer });
    expect(delivered.body.items.every((b: any) => b.current_stage === 'delivered' && b.status === 'completed')).toBe(true);
    expect(delivered.body.total).toBeGreaterThanOrEqual(1);
    const ranged = await s.call('GET', `/api/oil/batches?well=well-list&created_from=${at(1)}&created_to=${new Date(at(2) * 1000).toISOString()}`, {
      token: engineer,
    });
    expect(ranged.body.total).toBe(2);
  });

  it('when the list query is bad, then 422 names the parameter', async () => {
    expectProblem(await s.call('GET', '/api/oil/batches?current_stage=refined', { token: engineer }), 422, 'query.current_stage');
    expectProblem(await s.call('GET', '/api/oil/batches?limit=0', { token: engineer }), 422, 'query.limit');
    expectProblem(await s.call('GET', '/api/oil/batches?well=x%27%20OR%201=1', { token: engineer }), 422, 'query.well');
    expectProblem(await s.call('GET', `/api/oil/batches?created_from=${at(5)}&created_to=${at(1)}`, { token: engineer }), 422, 'query.created_from');
    expectProblem(await s.call('GET', '/api/oil/batches?colour=red', { token: engineer }), 422);
  });
});

describe('invalid transitions', () => {
  it('when an engineer skips or reverses a stage, then 403 and nothing is stored', async () => {
    const id = await newBatch();
    const before = counts();
    expectProblem(await post(id, { type: 'transition', to_stage: 'stored', location: 'Tank 1' }), 403);
    expectProblem(await post(id, { type: 'transition', to_stage: 'delivered', location: 'Terminal' }), 403);
    expect(counts()).toEqual(before);
    await post(id, { type: 'transition', to_stage: 'separated' });
    const mid = counts();
    expectProblem(await post(id, { type: 'transition', to_stage: 'produced' }), 403);
    expect(counts()).toEqual(mid);
  });

  it('when an admin skips without a reason, then 422; with a reason, then it is stored as an override', async () => {
    const id = await newBatch();
    const before = counts();
    expectProblem(await post(id, { type: 'transition', to_stage: 'stored', location: 'Tank 3' }, admin), 422, 'reason');
    expect(counts()).toEqual(before);
    const ok = await post(
      id,
      { type: 'transition', to_stage: 'stored', location: 'Tank 3', reason: 'pad has no separator; oil goes to the tank directly' },
      admin,
    );
    expect(ok.status).toBe(201);
    expect(ok.body.event).toMatchObject({ override: true, from_stage: 'produced', stage: 'stored', reason: expect.stringContaining('no separator') });
    const back = await post(id, { type: 'transition', to_stage: 'produced', reason: 'moved by mistake' }, admin);
    expect(back.status).toBe(201);
    expect(back.body.batch.current_stage).toBe('produced');
    const audited = s.db.prepare(`SELECT detail FROM audit_log WHERE target = ? AND action = 'oil.batch.transition' ORDER BY id`).pluck().all(id) as string[];
    expect(audited.map((d) => JSON.parse(d).override)).toEqual([true, true]);
  });

  it('when a transition repeats the current stage or the expected stage is stale, then 409 with the current stage and version', async () => {
    const id = await newBatch();
    await post(id, { type: 'transition', to_stage: 'separated' });
    const before = counts();
    const same = await post(id, { type: 'transition', to_stage: 'separated' });
    expectProblem(same, 409);
    expect(same.body).toMatchObject({ current_stage: 'separated', version: 2 });
    expectProblem(await post(id, { type: 'transition', to_stage: 'stored', location: 'Tank 1', expected_stage: 'produced' }), 409);
    expectProblem(await post(id, { type: 'measurement', ...m60(980, 0.5), expected_version: 1 }), 409);
    expect(counts()).toEqual(before);
  });

  it('when a batch is delivered without the delivered measurement, then 422 names it and the batch stays where it was', async () => {
    const id = await newBatch();
    await post(id, { type: 'transition', to_stage: 'separated' });
    await post(id, { type: 'transition', to_stage: 'stored', location: 'Tank 4' });
    await post(id, { type: 'transition', to_stage: 'transported', carrier: 'truck', ticket: 'RT-1' });
    const before = counts();
    const stage = async () => (await s.call('GET', `/api/oil/batches/${id}`, { token: engineer })).body.current_stage;
    expectProblem(await post(id, { type: 'transition', to_stage: 'delivered', location: 'Cushing terminal' }), 422, 'gross_volume_bbl');
    expect(counts()).toEqual(before);
    expect(await stage()).toBe('transported');
    expect((await post(id, { type: 'transition', to_stage: 'delivered', location: 'Cushing terminal', ...m60(990, 0.2) })).status).toBe(201);
    expect(await stage()).toBe('delivered');
  });

  it('when stage details are missing, then 422 names them and nothing is stored', async () => {
    const id = await newBatch();
    await post(id, { type: 'transition', to_stage: 'separated' });
    const before = counts();
    expectProblem(await post(id, { type: 'transition', to_stage: 'stored' }), 422, 'location');
    await post(id, { type: 'transition', to_stage: 'stored', location: 'Tank 4' });
    const mid = counts();
    const r = await post(id, { type: 'transition', to_stage: 'transported', carrier: 'truck' });
    expectProblem(r, 422, 'ticket');
    expectProblem(await post(id, { type: 'transition', to_stage: 'transported', carrier: 'barge', ticket: 'T-1' }), 422, 'carrier');
    expectProblem(await post(id, { type: 'transition', to_stage: 'refined' }), 422, 'to_stage');
    expectProblem(await post(id, { type: 'teleport' }), 422);
    expect(counts()).toEqual({ ...mid });
    expect(before.events + 1).toBe(mid.events);
  });

  it('when a batch is on hold or rejected, then it does not move until released', async () => {
    const id = await newBatch();
    expectProblem(await post(id, { type: 'status', status: 'on_hold' }), 422, 'reason');
    expect((await post(id, { type: 'status', status: 'on_hold', reason: 'lab sample pending' })).status).toBe(201);
    const before = counts();
    expectProblem(await post(id, { type: 'transition', to_stage: 'separated' }), 409);
    expect(counts()).toEqual(before);
    expect((await post(id, { type: 'status', status: 'active' })).status).toBe(201);
    expect((await post(id, { type: 'status', status: 'rejected', reason: 'BS&W far above contract' })).status).toBe(201);
    expectProblem(await post(id, { type: 'status', status: 'active' }), 403);
    expectProblem(await post(id, { type: 'status', status: 'active' }, admin), 422, 'reason');
    const back = await post(id, { type: 'status', status: 'active', reason: 'lab re-test passed' }, admin);
    expect(back.status).toBe(201);
    expect(back.body.event).toMatchObject({ kind: 'status', from_status: 'rejected', status: 'active', override: true });
  });

  it('when an event is dated before the batch entered its stage, then 422 and nothing is stored', async () => {
    const id = await newBatch();
    await post(id, { type: 'transition', to_stage: 'separated', ts: at(5) });
    const before = counts();
    expectProblem(await post(id, { type: 'transition', to_stage: 'stored', location: 'Tank 1', ts: at(4) }), 422, 'ts');
    expectProblem(await post(id, { type: 'measurement', ts: at(1), ...m60(990, 1) }), 422, 'ts');
    expectProblem(await post(id, { type: 'note', ts: '1970-01-01T00:00:00Z', note: 'x' }), 422, 'ts');
    expect(counts()).toEqual(before);
  });
});

describe('unknown batches', () => {
  it('when a batch does not exist, then every route answers 404 and nothing is stored', async () => {
    const before = counts();
    for (const path of [
      '/api/oil/batches/B-1999-9999',
      '/api/oil/track/B-1999-9999',
      '/api/oil/batches/B-1999-9999/events',
      '/api/oil/batches/B-1999-9999/events/export',
      "/api/oil/batches/'%3B%20DROP%20TABLE",
      '/api/oil/track/%2E%2E',
    ]) {
      expectProblem(await s.call('GET', path, { token: engineer }), 404);
    }
    expectProblem(await post('B-1999-9999', { type: 'note', note: 'hello' }), 404);
    expect(counts()).toEqual(before);
  });
});

describe('bad volumes and bodies', () => {
  it('when a measurement is negative, zero, absurd, infinite, a string or partial, then 422 names the field and nothing is stored', async () => {
    const id = await newBatch();
    const before = counts();
    const cases: [Record<string, unknown>, string][] = [
      [{ ...m60(-5, 1) }, 'gross_volume_bbl'],
      [{ ...m60(0, 1) }, 'gross_volume_bbl'],
      [{ ...m60(5_000_000, 1) }, 'gross_volume_bbl'],
      [{ ...m60(1000, 1), gross_volume_bbl: '1000' }, 'gross_volume_bbl'],
      [{ ...m60(1000, 1), gross_volume_bbl: 'NaN' }, 'gross_volume_bbl'],
      [{ ...m60(1000, 1), gross_volume_bbl: null }, 'gross_volume_bbl'],
      [{ ...m60(1000, 1), temperature_f: 500 }, 'temperature_f'],
      [{ ...m60(1000, 1), api_gravity: 150 }, 'api_gravity'],
      [{ ...m60(1000, 100) }, 'bsw_pct'],
      [{ ...m60(1000, -1) }, 'bsw_pct'],
      [{ gross_volume_bbl: 1000 }, 'temperature_f'],
    ];
    for (const [fields, path] of cases) {
      expectProblem(await post(id, { type: 'measurement', ...fields }), 422, path);
      expectProblem(await create({ well_id: 'well-bad', ...fields }), 422, path);
    }
    expect(counts()).toEqual(before);
  });

  it('when the JSON holds NaN or a number beyond double range, then 400 or 422 and nothing is stored', async () => {
    const id = await newBatch();
    const before = counts();
    const raw = (text: string) => s.call('POST', `/api/oil/batches/${id}/events`, { token: engineer, raw: text, type: 'application/json' });
    expectProblem(await raw('{"type":"measurement","gross_volume_bbl":NaN,"temperature_f":60,"api_gravity":30,"bsw_pct":1}'), 400);
    expectProblem(await raw('{"type":"measurement","gross_volume_bbl":1e400,"temperature_f":60,"api_gravity":30,"bsw_pct":1}'), 422, 'gross_volume_bbl');
    expectProblem(await raw('{"type":"measurement",'), 400);
    expectProblem(await s.call('POST', `/api/oil/batches/${id}/events`, { token: engineer, raw: 'type=note', type: 'application/x-www-form-urlencoded' }), 415);
    expectProblem(await raw('"note"'), 422);
    expectProblem(await raw('{"type":"note","note":"x","admin":true}'), 422);
    expectProblem(await raw(JSON.stringify({ type: 'note', note: 'x'.repeat(100_000) })), 413);
    expectProblem(await raw(JSON.stringify({ type: 'note', note: 'bell\u0007' })), 422, 'note');
    expectProblem(await create({ well_id: "well'; DROP TABLE oil_batches;--" }), 422, 'well_id');
    expectProblem(await create({ well_id: 'well-001', batch_id: '../etc/passwd' }), 422, 'batch_id');
    expectProblem(await create({ well_id: 'well-001', batch_id: 'Export' }), 422, 'batch_id');
    expect(counts()).toEqual(before);
  });
});

describe('roles', () => {
  it('when the caller is anonymous or a device key, then writes are refused and nothing is stored', async () => {
    const before = counts();
    expectProblem(await s.call('POST', '/api/oil/batches', { body: { well_id: 'well-001' } }), 401);
    expectProblem(await s.call('GET', '/api/oil/batches'), 401);
    const deviceKey = await s.key('device');
    expectProblem(await s.call('POST', '/api/oil/batches', { key: deviceKey, body: { well_id: 'well-001' } }), 403);
    expect(counts()).toEqual(before);
    const userKey = await s.key('user');
    expect((await s.call('POST', '/api/oil/batches', { key: userKey, body: { well_id: 'well-001' } })).status).toBe(201);
  });
});

describe('concurrent transitions', () => {
  it('when two engineers move the same batch at once, then exactly one wins and the other gets 409', async () => {
    const id = await newBatch();
    const replies = await Promise.all([
      post(id, { type: 'transition', to_stage: 'separated', location: 'Separator A' }),
      post(id, { type: 'transition', to_stage: 'separated', location: 'Separator B' }),
    ]);
    expect(replies.map((r) => r.status).sort()).toEqual([201, 409]);
    const loser = replies.find((r) => r.status === 409)!;
    expectProblem(loser, 409);
    const winner = replies.find((r) => r.status === 201)!;
    const stored = s.db.prepare(`SELECT current_stage, version FROM oil_batches WHERE batch_id = ?`).get(id);
    expect(stored).toEqual({ current_stage: 'separated', version: 2 });
    const transitions = s.db.prepare(`SELECT location FROM oil_events WHERE batch_id = ? AND kind = 'transition'`).pluck().all(id);
    expect(transitions).toEqual([winner.body.event.location]);
  });

  it('when many transitions race from the same expected stage, then one is stored', async () => {
    const id = await newBatch();
    await post(id, { type: 'transition', to_stage: 'separated' });
    const replies = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        post(id, { type: 'transition', to_stage: 'stored', location: `Tank ${i}`, expected_stage: 'separated', expected_version: 2 }),
      ),
    );
    expect(replies.filter((r) => r.status === 201)).toHaveLength(1);
    expect(replies.filter((r) => r.status === 409)).toHaveLength(5);
    expect(s.count(`SELECT COUNT(*) FROM oil_events WHERE batch_id = '${id}' AND stage = 'stored'`)).toBe(1);
    expect(s.db.prepare(`SELECT version FROM oil_batches WHERE batch_id = ?`).pluck().get(id)).toBe(3);
  });
});

describe('track cache', () => {
  it('when the track is read twice, then the second is a HIT; a new event makes the next read a MISS with the new data', async () => {
    const id = await newBatch();
    const first = await s.call('GET', `/api/oil/track/${id}`, { token: engineer });
    expect(first.headers.get('x-cache')).toBe('MISS');
    const second = await s.call('GET', `/api/oil/track/${id}`, { token: engineer });
    expect(second.headers.get('x-cache')).toBe('HIT');
    expect(second.body.timeline).toEqual(first.body.timeline);

    expect((await post(id, { type: 'measurement', ts: at(2), ...m60(995, 1) })).status).toBe(201);
    const third = await s.call('GET', `/api/oil/track/${id}`, { token: engineer });
    expect(third.headers.get('x-cache')).toBe('MISS');
    expect(third.body.timeline).toHaveLength(2);
    expect(third.body.volumes[0].nsv_bbl).toBe(985.05);
    expect((await s.call('GET', `/api/oil/track/${id}`, { token: engineer })).headers.get('x-cache')).toBe('HIT');
  });
});

describe('CSV export', () => {
  it('when batches are exported, then the CSV has a header and one row per matching batch', async () => {
    const id = await newBatch({ well_id: 'well-csv', note: '=HYPERLINK("http://evil")' });
    const res = await s.call('GET', '/api/oil/batches/export?well=well-csv', { token: engineer });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/csv/);
    const lines = res.text.trim().split('\r\n');
    expect(lines[0]).toBe(
      'batch_id,well_id,current_stage,status,version,created_ts,created_at,stage_since,updated_at,created_by,measured_stage,measured_at,gross_volume_bbl,temperature_f,api_gravity,bsw_pct,ctl,gsv_bbl,nsv_bbl,note',
    );
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(`${id},well-csv,produced,active,1,${at(0)}`);
    expect(lines[1]).toContain(',1000,60,30,2,1,1000,980,');
    expect(lines[1]).toContain(`"'=HYPERLINK(""http://evil"")"`);
  });

  it("when one batch's events are exported, then every event is a row in time order", async () => {
    const id = await newBatch();
    await post(id, { type: 'transition', to_stage: 'separated', ts: at(3) });
    await post(id, { type: 'note', ts: at(4), note: 'water cut, checked twice' });
    const res = await s.call('GET', `/api/oil/batches/${id}/events/export`, { token: engineer });
    expect(res.status).toBe(200);
    const lines = res.text.trim().split('\r\n');
    expect(lines).toHaveLength(4);
    expect(lines[1]).toContain(`,${id},created,${at(0)},`);
    expect(lines[2]).toContain(`,${id},transition,${at(3)},`);
    expect(lines[3]).toContain('"water cut, checked twice"');
  });

  it('when the export filter is bad, then 422 and no CSV', async () => {
    expectProblem(await s.call('GET', '/api/oil/batches/export?status=lost', { token: engineer }), 422, 'query.status');
  });
});

describe('API docs', () => {
  it('when /openapi.json is read, then it describes the oil routes', async () => {
    const res = await s.call('GET', '/openapi.json');
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining(['/api/oil/batches', '/api/oil/batches/{batch_id}/events', '/api/oil/track/{batch_id}']),
    );
  });
});
