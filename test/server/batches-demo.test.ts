import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoBatches } from '../../src/server/batches/demo';
import { TestStation } from './helpers/station';

let s: TestStation;
beforeAll(async () => {
  s = await TestStation.start();
});
afterAll(() => s.stop());

describe('seed --demo batches', () => {
  it('when the demo batches are seeded, then there is one per stage, the delivered one shows a flagged loss, and a second run adds none', async () => {
    expect(await seedDemoBatches(s.db, { wells: ['well-001', 'well-002', 'well-003', 'well-004'] })).toBe(5);
    const token = await s.token();
    const list = await s.call('GET', '/api/oil/batches?limit=10', { token });
    expect(list.body.total).toBe(5);
    expect(new Set(list.body.items.map((b: any) => b.current_stage))).toEqual(new Set(['produced', 'separated', 'stored', 'transported', 'delivered']));
    expect(list.body.items.find((b: any) => b.current_stage === 'stored').status).toBe('on_hold');
    const track = await s.call('GET', '/api/oil/track/B-DEMO-0005', { token });
    expect(track.body.batch).toMatchObject({ current_stage: 'delivered', status: 'completed' });
    expect(track.body.changes.at(-1)).toMatchObject({ from_stage: 'transported', to_stage: 'delivered', loss_flagged: true });
    expect(await seedDemoBatches(s.db, { wells: ['well-001'] })).toBe(0);
    expect(s.count('SELECT COUNT(*) FROM oil_batches')).toBe(5);
  });
});
