import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestStation } from './helpers/station';

let s: TestStation;
let admin: string;
let engineer: string;
const count = () => (s.station.db.prepare('SELECT COUNT(*) AS n FROM user_preferences').get() as { n: number }).n;

beforeAll(async () => {
  s = await TestStation.start();
  admin = await s.token();
  engineer = await s.userToken();
});
afterAll(() => s.stop());

describe('GET/PUT /api/me/preferences', () => {
  it('when a user has chosen nothing, then the station default units apply, and they follow the admin setting', async () => {
    expect((await s.call('GET', '/api/me/preferences', { token: engineer })).body).toEqual({
      units: { temperature: 'C', pressure: 'kPa' },
      chosen: { temperature: null, pressure: null },
    });
    expect((await s.call('PUT', '/api/settings', { token: admin, body: { units: { temperature: 'F', pressure: 'bar' } } })).status).toBe(200);
    expect((await s.call('GET', '/api/me/preferences', { token: engineer })).body.units).toEqual({ temperature: 'F', pressure: 'bar' });
    await s.call('PUT', '/api/settings', { token: admin, body: { units: { temperature: 'C', pressure: 'kPa' } } });
  });

  it('when an engineer picks psi, then it is theirs alone, kept, audited, and null goes back to the default', async () => {
    const res = await s.call('PUT', '/api/me/preferences', { token: engineer, body: { units: { pressure: 'psi' } } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ units: { temperature: 'C', pressure: 'psi' }, chosen: { temperature: null, pressure: 'psi' } });
    expect((await s.call('GET', '/api/me/preferences', { token: engineer })).body.units.pressure).toBe('psi');
    expect((await s.call('GET', '/api/me/preferences', { token: admin })).body.units.pressure).toBe('kPa');
    const audit = await s.call('GET', '/api/audit?action=preferences.update', { token: admin });
    expect(audit.body.items[0]).toMatchObject({ actor: 'engineer' });
    const back = await s.call('PUT', '/api/me/preferences', { token: engineer, body: { units: { pressure: null } } });
    expect(back.body.units.pressure).toBe('kPa');
  });

  it('when the units are not ones the station knows, then 422 names the field and nothing is stored', async () => {
    const before = count();
    const res = await s.call('PUT', '/api/me/preferences', { token: admin, body: { units: { temperature: 'R' } } });
    expect(res.status).toBe(422);
    expect(res.body.errors[0].path).toBe('units.temperature');
    expect((await s.call('PUT', '/api/me/preferences', { token: admin, body: { theme: 'dark' } })).status).toBe(422);
    expect(count()).toBe(before);
    expect((await s.call('GET', '/api/me/preferences', { token: admin })).body.chosen).toEqual({ temperature: null, pressure: null });
  });

  it('when an API key or nobody asks, then a key gets the defaults and may not save; nobody gets 401', async () => {
    const key = await s.key('user');
    expect((await s.call('GET', '/api/me/preferences', { headers: { 'x-api-key': key } })).body.units).toEqual({ temperature: 'C', pressure: 'kPa' });
    expect((await s.call('PUT', '/api/me/preferences', { headers: { 'x-api-key': key }, body: { units: { pressure: 'psi' } } })).status).toBe(409);
    expect((await s.call('GET', '/api/me/preferences')).status).toBe(401);
  });
});
