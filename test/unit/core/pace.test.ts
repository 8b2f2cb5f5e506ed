import { paceWrites, planPublication, writeCost, type PlannedWrite } from '../../../src/core/plan.js';
import type { RolloutHistoryEntry } from '../../../src/generated/kubernetes.js';

const rev = (id: number) => String(id).repeat(40).slice(0, 40);
const history = (count: number): RolloutHistoryEntry[] =>
  Array.from({ length: count }, (_, i) => ({
    id: count - i,
    version: { tag: `v${count - i}`, revision: rev(count - i) },
    timestamp: '2026-01-01T00:00:00Z',
    bakeStatus: 'Succeeded',
  }));
const plan = (count: number): PlannedWrite[] =>
  planPublication({ specName: 'my-app', environment: 'staging', relationship: undefined, history: history(count), deployments: [], environmentUrl: '' });
const ids = (writes: PlannedWrite[]) => writes.map((w) => w.key.id);

describe('paceWrites', () => {
  test('a new deployment costs two writes (deployment and first status), a status one', () => {
    const [create] = plan(1);
    expect(writeCost(create!)).toBe(2);
    expect(writeCost({ kind: 'postStatus', key: create!.key, deploymentId: 'DE_1', status: create!.status })).toBe(1);
  });

  test('takes the oldest entries first, up to the write budget; the rest waits', () => {
    expect(ids(paceWrites(plan(12), 10).now)).toEqual([1, 2, 3, 4, 5]);
    expect(ids(paceWrites(plan(12), 10).later)).toEqual([6, 7, 8, 9, 10, 11, 12]);
    expect(ids(paceWrites(plan(12), 11).now)).toEqual([1, 2, 3, 4, 5]);
  });

  test('everything fits: nothing waits', () => {
    expect(paceWrites(plan(5), 10)).toEqual({ now: plan(5), later: [] });
    expect(paceWrites([], 10)).toEqual({ now: [], later: [] });
  });

  test('the first write always goes, even above the budget, so every sync makes progress', () => {
    expect(ids(paceWrites(plan(3), 1).now)).toEqual([1]);
    expect(ids(paceWrites(plan(3), 1).later)).toEqual([2, 3]);
  });

  test('status updates fill what the budget leaves', () => {
    const [first, second] = plan(2);
    const statuses: PlannedWrite[] = [1, 2, 3].map((id) => ({
      kind: 'postStatus',
      key: { id, revision: rev(id) },
      deploymentId: `DE_${id}`,
      status: first!.status,
    }));
    expect(paceWrites([first!, ...statuses, second!], 4)).toEqual({ now: [first!, statuses[0], statuses[1]], later: [statuses[2], second!] });
  });
});
