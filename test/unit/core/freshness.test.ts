import { changeIsNear, freshResyncSeconds } from '../../../src/core/freshness.js';
import type { RolloutHistoryEntry } from '../../../src/generated/kubernetes.js';
import type { GitHubState, Ledger, LedgerDeployment } from '../../../src/core/types.js';

const REV_A = 'a'.repeat(40);
const REV_B = 'b'.repeat(40);
const AFTER_STAGING = { environment: 'staging', type: 'After' as const };

function deployment(environment: string, id: number, revision: string, createdAt: string, state: GitHubState, description: string): LedgerDeployment {
  return {
    nodeId: `D_${environment}_${id}`,
    environment,
    payload: { id, version: { tag: 'v', revision } },
    createdAt,
    description: 'Automatic deployment',
    statuses: [{ state, description, environmentUrl: '', createdAt }],
  };
}

function ledgerWith(...deployments: LedgerDeployment[]): Ledger {
  return { environments: ['production', 'staging'], deployments };
}

const settled: RolloutHistoryEntry[] = [{ id: 3, version: { tag: 'v1', revision: REV_A }, timestamp: '2026-12-01T09:00:00Z', bakeStatus: 'Succeeded' }];
const olderSuccess = deployment('staging', 1, REV_A, '2026-12-01T08:00:00Z', 'success', 'Bake succeeded');

describe('changeIsNear', () => {
  it.each([
    ['baking', 'in_progress', 'Baking in progress: 10m left', true],
    ['deploying (in_progress)', 'in_progress', 'Deploying', true],
    ['deploying without a bake state (pending)', 'pending', 'Deploying', true],
    ['baked', 'success', 'Bake succeeded', false],
    ['failed', 'failure', 'Bake failed: smoke tests', false],
    ['cancelled', 'inactive', 'Bake cancelled', false],
  ] as const)('upstream newest deployment %s → %s', (_name, state, description, expected) => {
    const ledger = ledgerWith(olderSuccess, deployment('staging', 2, REV_B, '2026-12-01T10:00:00Z', state, description));
    expect(changeIsNear({ relationship: AFTER_STAGING, history: settled, ledger })).toBe(expected);
  });

  it('looks at the newest upstream deployment only: an older one still baking is history', () => {
    const ledger = ledgerWith(
      deployment('staging', 1, REV_A, '2026-12-01T08:00:00Z', 'in_progress', 'Baking in progress'),
      deployment('staging', 2, REV_B, '2026-12-01T10:00:00Z', 'success', 'Bake succeeded'),
    );
    expect(changeIsNear({ relationship: AFTER_STAGING, history: settled, ledger })).toBe(false);
  });

  it('a baking deployment of another environment is not the upstream', () => {
    const ledger = ledgerWith(olderSuccess, deployment('dev', 2, REV_B, '2026-12-01T10:00:00Z', 'in_progress', 'Baking in progress'));
    expect(changeIsNear({ relationship: AFTER_STAGING, history: settled, ledger })).toBe(false);
  });

  it.each([
    ['Deploying', true],
    ['InProgress', true],
    ['Succeeded', false],
    ['Failed', false],
    [undefined, false],
  ] as const)('local newest history entry %s → %s (no relationship)', (bakeStatus, expected) => {
    const history: RolloutHistoryEntry[] = [
      { id: 4, version: { tag: 'v2', revision: REV_B }, timestamp: '2026-12-01T10:00:00Z', ...(bakeStatus ? { bakeStatus } : {}) },
    ];
    expect(changeIsNear({ relationship: undefined, history, ledger: ledgerWith() })).toBe(expected);
  });

  it('only the newest local entry counts', () => {
    const history: RolloutHistoryEntry[] = [
      { id: 4, version: { tag: 'v2', revision: REV_B }, timestamp: '2026-12-01T10:00:00Z', bakeStatus: 'Failed' },
      { id: 3, version: { tag: 'v1', revision: REV_A }, timestamp: '2026-12-01T09:00:00Z', bakeStatus: 'InProgress' },
    ];
    expect(changeIsNear({ relationship: undefined, history, ledger: ledgerWith() })).toBe(false);
  });

  it('an upstream without deployments is not about to change', () => {
    expect(changeIsNear({ relationship: AFTER_STAGING, history: [], ledger: ledgerWith() })).toBe(false);
  });
});

describe('freshResyncSeconds', () => {
  it.each([
    [60, true, 10, 10],
    [60, false, 10, 60],
    [5, true, 10, 5], // never later than the requeueInterval
    [60, true, 45, 45], // raised by budget pacing
    [60, true, 2.2, 3], // whole seconds, rounded up
    [60, true, 0, 1],
    [0, false, 10, 1],
  ])('requeue %i s, near %s, near-change %d s → %i s', (requeueSeconds, near, nearChangeSeconds, expected) => {
    expect(freshResyncSeconds({ requeueSeconds, near, nearChangeSeconds })).toBe(expected);
  });

  it.each([
    [60, true, 10, 60], // the next status comes as a nudge: the requeueInterval
    [60, false, 10, 60],
    [5, true, 10, 5],
    [0, true, 10, 1],
  ])('events flowing: requeue %i s, near %s, near-change %d s → %i s', (requeueSeconds, near, nearChangeSeconds, expected) => {
    expect(freshResyncSeconds({ requeueSeconds, near, nearChangeSeconds, eventsFlowing: true })).toBe(expected);
  });
});
