import { applyWrites, type WriteResult } from '../../../src/core/apply-writes.js';
import { canonicalJson } from '../../../src/core/canonical.js';
import { CONDITION_ORDER, mergeConditions, type ConditionInput } from '../../../src/core/conditions.js';
import { bakeByRevision, deploymentsOf, findDeployment, newestFirst } from '../../../src/core/ledger.js';
import { planPublication } from '../../../src/core/plan.js';
import type { Condition } from '../../../src/generated/environment.js';
import type { Ledger, LedgerDeployment } from '../../../src/core/types.js';
import { fixtureDeployments, REV_V100, REV_V110, REV_V120, status } from './helpers.js';

function d(
  nodeId: string,
  id: number,
  revision: string,
  createdAt: string,
  statuses: LedgerDeployment['statuses'] = [],
  environment = 'staging',
): LedgerDeployment {
  return { nodeId, environment, payload: { id, version: { tag: `t${id}`, revision } }, createdAt, description: '', statuses };
}

describe('ledger queries', () => {
  it('deploymentsOf filters by short environment name', () => {
    const all = fixtureDeployments();
    expect(deploymentsOf({ environments: ['production', 'staging'], deployments: all }, 'staging').map((x) => x.nodeId)).toEqual([
      'DE_kwDOExample5000000003',
      'DE_kwDOExample5000000002',
      'DE_kwDOExample5000000001',
    ]);
    expect(deploymentsOf({ environments: [], deployments: all }, 'production').map((x) => x.nodeId)).toEqual(['DE_kwDOExample5000000101']);
    expect(deploymentsOf({ environments: [], deployments: all }, 'dev')).toEqual([]);
  });

  it('newestFirst orders by createdAt, then payload id, then node id, all descending', () => {
    const list = [
      d('A', 1, 'r', '2026-01-01T00:00:00Z'),
      d('B', 2, 'r', '2026-01-02T00:00:00Z'),
      d('C', 1, 'r', '2026-01-02T00:00:00Z'),
      d('E', 2, 'r', '2026-01-02T00:00:00Z'),
    ];
    expect([...list].sort(newestFirst).map((x) => x.nodeId)).toEqual(['E', 'B', 'C', 'A']);
    expect(
      [...list]
        .reverse()
        .sort(newestFirst)
        .map((x) => x.nodeId),
    ).toEqual(['E', 'B', 'C', 'A']);
  });

  it('findDeployment matches id and revision together, newest first', () => {
    const list = [
      d('old', 1, 'rA', '2026-01-01T00:00:00Z'),
      d('recreated', 1, 'rB', '2026-02-01T00:00:00Z'),
      d('retry-dup-old', 2, 'rC', '2026-01-03T00:00:00Z'),
      d('retry-dup-new', 2, 'rC', '2026-01-04T00:00:00Z'),
    ];
    expect(findDeployment(list, 1, 'rA')?.nodeId).toBe('old');
    expect(findDeployment(list, 1, 'rB')?.nodeId).toBe('recreated');
    expect(findDeployment(list, 2, 'rC')?.nodeId).toBe('retry-dup-new');
    expect(findDeployment(list, 1, 'rC')).toBeUndefined();
    expect(findDeployment(list, 3, 'rA')).toBeUndefined();
  });

  it('bakeByRevision reads the fixture per revision', () => {
    const staging = fixtureDeployments().filter((x) => x.environment === 'staging');
    expect(Object.fromEntries(bakeByRevision(staging))).toEqual({
      [REV_V120]: { bakeStatus: 'Deploying' },
      [REV_V110]: { bakeStatus: 'Failed', bakeStatusMessage: 'A HealthCheck reported an error after deployment.' },
      [REV_V100]: { bakeStatus: 'Succeeded', bakeStatusMessage: 'Bake time completed successfully (no errors within bake time).' },
    });
  });

  it('bakeByRevision uses the newest deployment of a revision', () => {
    const list = [
      d('first', 1, 'r', '2026-01-01T00:00:00Z', [status('success', 'Bake succeeded', 't')]),
      d('redeploy', 3, 'r', '2026-01-03T00:00:00Z', [status('failure', 'Bake failed: again', 't')]),
    ];
    expect(bakeByRevision(list).get('r')).toEqual({ bakeStatus: 'Failed', bakeStatusMessage: 'again' });
    expect(bakeByRevision([...list].reverse()).get('r')).toEqual({ bakeStatus: 'Failed', bakeStatusMessage: 'again' });
  });
});

describe("applyWrites: the ledger after this sync's writes", () => {
  const base: Ledger = { environments: ['staging'], deployments: [d('S1', 1, 'r1', '2026-01-01T00:00:00Z')] };

  it('returns the same ledger when nothing was written', () => {
    expect(applyWrites(base, 'production', [])).toBe(base);
  });

  it('adds created deployments (with their status) and the environment, sorted', () => {
    const [write] = planPublication({
      specName: 'my-app',
      environment: 'production',
      relationship: { environment: 'staging', type: 'After' },
      history: [{ id: 4, version: { tag: 'v4', revision: 'r4' }, message: 'Automatic deployment', bakeStatus: 'Succeeded' }],
      deployments: [],
      environmentUrl: 'u',
    });
    if (write?.kind !== 'createDeployment') throw new Error('expected a create');
    const created = status('success', 'Bake succeeded', '2026-01-05T00:00:01Z', 'u');
    const results: WriteResult[] = [{ write, deployment: { nodeId: 'P4', createdAt: '2026-01-05T00:00:00Z' }, status: created }];
    expect(applyWrites(base, 'production', results)).toEqual({
      environments: ['production', 'staging'],
      deployments: [
        base.deployments[0],
        {
          nodeId: 'P4',
          environment: 'production',
          payload: { id: 4, relationship: { environment: 'staging', type: 'After' }, version: { tag: 'v4', revision: 'r4' } },
          createdAt: '2026-01-05T00:00:00Z',
          description: 'Automatic deployment',
          statuses: [created],
        },
      ],
    });
  });

  it('records a created deployment whose first status failed with no statuses', () => {
    const [write] = planPublication({
      specName: 'my-app',
      environment: 'staging',
      relationship: undefined,
      history: [{ id: 2, version: { tag: 'v2', revision: 'r2' } }],
      deployments: [],
      environmentUrl: '',
    });
    if (write?.kind !== 'createDeployment') throw new Error('expected a create');
    const out = applyWrites(base, 'staging', [{ write, deployment: { nodeId: 'S2', createdAt: '2026-01-02T00:00:00Z' } }]);
    expect(out.environments).toBe(base.environments);
    expect(out.deployments.map((x) => [x.nodeId, x.statuses.length])).toEqual([
      ['S1', 0],
      ['S2', 0],
    ]);
  });

  it('prepends a posted status to its deployment (newest first)', () => {
    const existing = status('in_progress', 'Deploying', '2026-01-01T00:00:01Z');
    const ledger: Ledger = { environments: ['staging'], deployments: [{ ...base.deployments[0]!, statuses: [existing] }] };
    const posted = status('success', 'Bake succeeded', '2026-01-01T00:10:00Z');
    const out = applyWrites(ledger, 'staging', [
      {
        write: {
          kind: 'postStatus',
          key: { id: 1, revision: 'r1' },
          deploymentId: 'S1',
          status: { state: 'success', description: 'Bake succeeded', environmentUrl: '' },
        },
        status: posted,
      },
    ]);
    expect(out.deployments[0]?.statuses).toEqual([posted, existing]);
    expect(ledger.deployments[0]?.statuses).toEqual([existing]);
  });
});

describe('mergeConditions (spec §7)', () => {
  const T0 = '2026-01-01T00:00:00Z';
  const T1 = '2026-01-02T00:00:00Z';
  const desired: ConditionInput[] = [
    { type: 'Degraded', status: 'False', reason: 'Synced', message: 'ok' },
    { type: 'Ready', status: 'True', reason: 'Synced', message: 'ok' },
    { type: 'GateReady', status: 'True', reason: 'GateComputed', message: 'gate' },
    { type: 'GitHubSynced', status: 'True', reason: 'Synced', message: 'published' },
  ];

  it('orders Ready, GitHubSynced, GateReady, Degraded and sets observedGeneration on each', () => {
    expect(CONDITION_ORDER).toEqual(['Ready', 'GitHubSynced', 'GateReady', 'Degraded']);
    expect(mergeConditions(undefined, desired, 4, T0)).toEqual([
      { lastTransitionTime: T0, message: 'ok', observedGeneration: 4, reason: 'Synced', status: 'True', type: 'Ready' },
      { lastTransitionTime: T0, message: 'published', observedGeneration: 4, reason: 'Synced', status: 'True', type: 'GitHubSynced' },
      { lastTransitionTime: T0, message: 'gate', observedGeneration: 4, reason: 'GateComputed', status: 'True', type: 'GateReady' },
      { lastTransitionTime: T0, message: 'ok', observedGeneration: 4, reason: 'Synced', status: 'False', type: 'Degraded' },
    ]);
  });

  it('keeps lastTransitionTime when the status stays, even if reason and message change', () => {
    const first = mergeConditions(undefined, desired, 4, T0);
    const changed = desired.map((c) => (c.type === 'GateReady' ? { ...c, reason: 'Other', message: 'other' } : c));
    const second = mergeConditions(first, changed, 5, T1);
    expect(second.map((c) => c.lastTransitionTime)).toEqual([T0, T0, T0, T0]);
    expect(second.map((c) => c.observedGeneration)).toEqual([5, 5, 5, 5]);
    expect(second[2]).toEqual({ lastTransitionTime: T0, message: 'other', observedGeneration: 5, reason: 'Other', status: 'True', type: 'GateReady' });
  });

  it('moves lastTransitionTime only for the conditions whose status flips', () => {
    const first = mergeConditions(undefined, desired, 1, T0);
    const flipped = desired.map((c) =>
      c.type === 'Ready' ? { ...c, status: 'False' as const, reason: 'SecretNotFound' } : c.type === 'Degraded' ? { ...c, status: 'True' as const } : c,
    );
    const second = mergeConditions(first, flipped, 1, T1);
    expect(second.map((c) => [c.type, c.status, c.lastTransitionTime])).toEqual([
      ['Ready', 'False', T1],
      ['GitHubSynced', 'True', T0],
      ['GateReady', 'True', T0],
      ['Degraded', 'True', T1],
    ]);
  });

  it('uses now for a condition that did not exist, and drops observed conditions no longer desired', () => {
    const observed: Condition[] = [
      { type: 'Ready', status: 'True', reason: 'Synced', message: '', lastTransitionTime: T0 },
      { type: 'Legacy', status: 'True', reason: 'Old', message: '', lastTransitionTime: T0 },
    ];
    const out = mergeConditions(observed, [desired[1]!, desired[3]!], 2, T1);
    expect(out.map((c) => [c.type, c.lastTransitionTime])).toEqual([
      ['Ready', T0],
      ['GitHubSynced', T1],
    ]);
  });
});

describe('canonicalJson', () => {
  it('is independent of key order at every depth, keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[2,{"y":2,"z":1}]},"b":1}');
    expect(canonicalJson({ a: { c: null, d: [2, { y: 2, z: 1 }] }, b: 1 })).toBe(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: null } }));
    expect(canonicalJson([2, 1])).not.toBe(canonicalJson([1, 2]));
  });
});
