import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { declaredRoutes } from '../../src/shared/api';
import { fillPath } from '../../src/shared/api/route';
import { TestStation, type Reply } from './helpers/station';

/**
 * Routes are declared once (src/shared/api) and mounted from the declaration. These tests check
 * the station against the declarations from outside: every declared route answers where it is
 * declared, with its guard, and the audit log pages with a cursor like every other list.
 */
let s: TestStation;
let admin: string;

beforeAll(async () => {
  s = await TestStation.start();
  admin = await s.token();
});
afterAll(() => s.stop());

// a value of the right shape for each path parameter, so the request reaches the route's guard
const SAMPLE: Record<string, string> = { id: '1', task_id: 'missing-task', batch_id: 'B-2026-0001', device_id: 'well-1', group: 'g', node: 'n' };

describe('declared routes', () => {
  it('when any declared route is called without credentials, then it answers from its own guard: 401 unless public, never 404', async () => {
    const wrong: string[] = [];
    for (const route of declaredRoutes) {
      const res = await s.call(route.method.toUpperCase(), fillPath(route.path, SAMPLE));
      const ok = route.access === 'public' ? res.status !== 404 : res.status === 401;
      if (!ok) wrong.push(`${route.method.toUpperCase()} ${route.path}: ${res.status}`);
    }
    expect(wrong).toEqual([]);
  });

  it('when a path parameter cannot name anything, then the declared route answers a 404 problem naming the value, and changes nothing', async () => {
    const before = await s.call('GET', '/api/keys', { token: admin });
    const res = await s.call('DELETE', '/api/keys/not-a-number', { token: admin });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(res.body.detail).toContain('not-a-number');
    expect((await s.call('GET', '/api/keys', { token: admin })).body).toEqual(before.body);
  });
});

describe('audit log paging', () => {
  it('when the audit log is read page by page with next_cursor, then every entry comes exactly once, newest first', async () => {
    // five changes, five audit rows
    for (let i = 0; i < 5; i++) {
      const created = await s.call('POST', '/api/keys', { token: admin, body: { name: `paging-${i}`, role: 'device' } });
      expect(created.status).toBe(201);
    }
    const all = await s.call('GET', '/api/audit?limit=1000', { token: admin });
    expect(all.status).toBe(200);
    expect(all.body.next_cursor).toBeNull();
    const walked: number[] = [];
    type Page = { items: { id: number }[]; next_cursor: string | null };
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `&cursor=${cursor}` : '';
      const page: Reply<Page> = await s.call<Page>('GET', `/api/audit?limit=2${query}`, { token: admin });
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      walked.push(...page.body.items.map((e) => e.id));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(walked).toEqual(all.body.items.map((e: { id: number }) => e.id));
    expect([...walked].sort((a, b) => b - a)).toEqual(walked);
  });

  it('when the cursor is not one the station issued, then 422 names it', async () => {
    const res = await s.call('GET', '/api/audit?cursor=abc', { token: admin });
    expect(res.status).toBe(422);
    expect(res.body.errors[0].path).toBe('query.cursor');
  });
});
