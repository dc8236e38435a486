import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPORT_JOB } from '../../src/shared/jobs';
import { TestStation, type Reply } from './helpers/station';
import { finished, insertRows } from './jobs-helpers';

/** GET /api/tasks: who sees which tasks, filters, keyset paging, and what bad queries get. */
describe('the task list', () => {
  let ts: TestStation;
  let admin: string;
  let engineer: string;
  let other: string;
  let userKey: string;
  let engineerOwner: string;
  const made: Record<'engineer' | 'other' | 'admin' | 'key', string[]> = { engineer: [], other: [], admin: [], key: [] };

  const exportAs = async (who: keyof typeof made, c: { token?: string; key?: string }, query = '') => {
    const res = await ts.call('POST', `/api/telemetry/export/async${query}`, c);
    expect(res.status).toBe(202);
    made[who].push(res.body.task_id);
    return res.body.task_id as string;
  };
  const list = (query: string, c: { token?: string; key?: string }) => ts.call('GET', `/api/tasks${query}`, c);
  const ids = (res: Reply) => (res.body.items as { task_id: string }[]).map((t) => t.task_id);

  beforeAll(async () => {
    ts = await TestStation.start();
    insertRows(ts.db, 100);
    admin = await ts.token();
    engineer = await ts.userToken();
    other = await ts.userToken({ username: 'engineer2', password: 'engineer-password-2' });
    userKey = await ts.key('user');
    engineerOwner = `user:${(await ts.call('GET', '/api/me', { token: engineer })).body.user_id}`;
    await exportAs('engineer', { token: engineer });
    await exportAs('engineer', { token: engineer }, '?device_id=WELL-A');
    await exportAs('engineer', { token: engineer }, '?device_id=WELL-B');
    await exportAs('other', { token: other });
    await exportAs('other', { token: other }, '?device_id=WELL-A');
    await exportAs('admin', { token: admin });
    await exportAs('key', { key: userKey });
    for (const id of made.engineer) await finished(ts, engineer, id);
    for (const id of made.other) await finished(ts, other, id);
    for (const id of [...made.admin, ...made.key]) await finished(ts, admin, id);
    // A task of another kind that stays queued (nothing hands it to a runner): for the name and status filters.
    made.engineer.push(ts.station.jobs.store.create('ml.score', engineerOwner, { device_id: 'WELL-A' }, 'local').id);
  }, 60_000);

  afterAll(async () => {
    await ts?.stop();
  });

  it('when an engineer lists tasks, then they see exactly their own, newest first, in the shape of GET /api/tasks/{id} without the inline CSV', async () => {
    const res = await list('', { token: engineer });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body).toMatchObject({ limit: 50, next_cursor: null });
    expect(ids(res)).toEqual([...made.engineer].reverse());
    const created = (res.body.items as { created_at: string }[]).map((t) => t.created_at);
    expect([...created].sort().reverse()).toEqual(created);

    const [listed] = (res.body.items as any[]).filter((t) => t.task_id === made.engineer[0]);
    const single = await ts.call('GET', `/api/tasks/${made.engineer[0]}`, { token: engineer });
    expect(single.body.result.csv).toContain('device_id');
    const { csv: _csv, ...withoutCsv } = single.body.result;
    expect(listed).toEqual({ ...single.body, result: withoutCsv });
    expect(listed.result.meta.rows).toBe(100);
  });

  it('when another engineer or an API key lists tasks, then each sees only its own', async () => {
    expect(ids(await list('', { token: other }))).toEqual([...made.other].reverse());
    expect(ids(await list('', { key: userKey }))).toEqual([...made.key]);
  });

  it('when an admin lists tasks, then every task shows, whoever started it', async () => {
    const all = ids(await list('', { token: admin }));
    expect(new Set(all)).toEqual(new Set([...made.engineer, ...made.other, ...made.admin, ...made.key]));
    expect(all).toHaveLength(8);
  });

  it('when filtered by name or status, then only matching tasks show', async () => {
    expect(ids(await list(`?name=${EXPORT_JOB}`, { token: engineer }))).toEqual(made.engineer.slice(0, 3).reverse());
    expect(ids(await list('?name=ml.score', { token: engineer }))).toEqual([made.engineer[3]]);
    expect(ids(await list('?status=queued', { token: engineer }))).toEqual([made.engineer[3]]);
    expect(ids(await list(`?status=completed&name=${EXPORT_JOB}`, { token: admin }))).toHaveLength(7);
    expect(ids(await list('?status=failed', { token: admin }))).toEqual([]);
    expect(ids(await list('?name=ml.train', { token: admin }))).toEqual([]);
  });

  it('when a cancelled task is listed, then it shows as cancelled, and once removed it is gone from the list', async () => {
    const id = await exportAs('engineer', { token: engineer });
    await finished(ts, engineer, id);
    expect(ids(await list('?status=cancelled', { token: engineer }))).toEqual([]);
    ts.station.jobs.store.cancel(ts.station.jobs.store.create(EXPORT_JOB, engineerOwner, {}, 'local').id);
    const cancelled = await list('?status=cancelled', { token: engineer });
    expect(cancelled.body.items).toHaveLength(1);
    expect(cancelled.body.items[0]).toMatchObject({ status: 'cancelled', result: null });
    expect((await ts.call('DELETE', `/api/tasks/${id}`, { token: engineer })).status).toBe(204);
    expect(ids(await list('', { token: engineer }))).not.toContain(id);
    made.engineer.pop();
    made.engineer.push(cancelled.body.items[0].task_id);
  });

  it('when following next_cursor, then every task is seen exactly once, in order, even when tasks are added between pages', async () => {
    // Many tasks in the same millisecond: the id breaks the tie, so none is skipped or repeated.
    const store = ts.station.jobs.store;
    const bulk = Array.from({ length: 130 }, () => store.create(EXPORT_JOB, engineerOwner, {}, 'local').id);
    store.db.prepare(`UPDATE jobs SET status = 'completed', finished_at = created_at WHERE id IN (${bulk.map(() => '?').join(',')})`).run(...bulk);
    const expected = ids(await list(`?limit=500`, { token: engineer }));
    expect(expected).toHaveLength(made.engineer.length + 130);

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: Reply = await list(`?limit=7${cursor ? `&cursor=${cursor}` : ''}`, { token: engineer });
      expect(res.status).toBe(200);
      seen.push(...ids(res));
      cursor = res.body.next_cursor;
      if (pages++ === 2) store.create(EXPORT_JOB, engineerOwner, {}, 'local'); // newer than every page still to come
    } while (cursor);
    expect(seen).toEqual(expected);
    expect(pages).toBe(Math.ceil(expected.length / 7));

    const first = await list('', { token: engineer });
    expect(first.body.items).toHaveLength(50);
    expect(first.body.next_cursor).toEqual(expect.any(String));
  });

  describe('when the query is bad, then 422 problem+json naming the parameter', () => {
    const cases: [string, RegExp][] = [
      ['?status=done', /status/],
      ['?name=DROP%20TABLE%20jobs', /name/],
      ['?limit=0', /limit/],
      ['?limit=501', /limit/],
      ['?limit=ten', /limit/],
      ['?cursor=not%20a%20cursor', /cursor/],
      [`?cursor=${Buffer.from('12.not-a-task-id').toString('base64url')}`, /cursor/],
      ['?owner=user:1', /owner|unrecognized/i],
    ];
    it.each(cases)('%s', async (query, detail) => {
      const before = ts.count('SELECT COUNT(*) FROM jobs');
      const res = await list(query, { token: admin });
      expect(res.status).toBe(422);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(res.body.detail).toMatch(detail);
      expect(res.body.errors[0].path).toMatch(/^query/);
      expect(ts.count('SELECT COUNT(*) FROM jobs')).toBe(before);
    });
  });
});
