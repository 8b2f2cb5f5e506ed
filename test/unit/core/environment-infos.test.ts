import { environmentInfos, pickVersion } from '../../../src/core/environment-infos.js';
import { buildGraph } from '../../../src/core/graph.js';
import type { RolloutHistoryEntry } from '../../../src/generated/kubernetes.js';
import type { Ledger, LedgerDeployment, Relationship } from '../../../src/core/types.js';
import { fixtureDeployments, REV_V100, REV_V110, REV_V120, status } from './helpers.js';

const after = (environment: string): Relationship => ({ environment, type: 'After' });

function dep(environment: string, id: number, tag: string, revision: string, createdAt: string, statuses: LedgerDeployment['statuses'] = []): LedgerDeployment {
  return { nodeId: `N_${environment}_${id}_${revision}`, environment, payload: { id, version: { tag, revision } }, createdAt, description: `d${id}`, statuses };
}

const chain = new Map<string, Relationship | undefined>([
  ['dev', undefined],
  ['staging', after('dev')],
  ['production', after('staging')],
]);

describe('environmentInfos (spec §5.5)', () => {
  it('reads the Go fixture for staging exactly as its expected reading, newest first by id', () => {
    const ledger: Ledger = { environments: ['production', 'staging'], deployments: fixtureDeployments() };
    const infos = environmentInfos({
      self: 'production',
      graph: buildGraph('production', new Map([['production', after('staging')]])),
      ledger,
      localHistory: [],
      localEnvironmentUrl: '',
    });
    expect(infos).toEqual([
      {
        environment: 'staging',
        environmentUrl: 'https://dashboard.example.com/rollouts/default/my-app',
        history: [
          {
            id: 3,
            version: { tag: 'v1.2.0', revision: REV_V120 },
            timestamp: '2026-11-20T10:30:00Z',
            message: 'Automatic deployment',
            bakeStatus: 'Deploying',
          },
          {
            id: 2,
            version: { tag: 'v1.1.0', revision: REV_V110 },
            timestamp: '2026-11-19T09:10:00Z',
            message: 'Automatic deployment',
            bakeStatus: 'Failed',
            bakeStatusMessage: 'A HealthCheck reported an error after deployment.',
          },
          {
            id: 1,
            version: { tag: 'v1.0.0', revision: REV_V100 },
            timestamp: '2026-11-18T08:30:00Z',
            message: 'Automatic deployment',
            bakeStatus: 'Succeeded',
            bakeStatusMessage: 'Bake time completed successfully (no errors within bake time).',
          },
        ],
      },
      {
        environment: 'production',
        relationship: { environment: 'staging', type: 'After' },
        history: [
          {
            id: 7,
            version: { tag: 'v1.0.0', revision: REV_V100 },
            timestamp: '2026-11-19T11:00:00Z',
            message: 'Automatic deployment',
            bakeStatus: 'Succeeded',
            bakeStatusMessage: 'Bake completed (no bake time configured).',
          },
        ],
      },
    ]);
  });

  it('sorts by id and deduplicates by tag, else by revision', () => {
    // Ids rise with creation time within one Rollout (it publishes oldest first); see the restart tests below otherwise.
    const ledger: Ledger = {
      environments: ['staging'],
      deployments: [
        dep('staging', 2, 'v2', 'r2', '2026-01-02T00:00:00Z'),
        dep('staging', 1, 'v1', 'r1', '2026-01-01T00:00:00Z'),
        dep('staging', 3, 'v1', 'r1', '2026-01-03T00:00:00Z'), // same tag as id 1: id 1 dropped
        dep('staging', 5, '', 'r9', '2026-01-05T00:00:00Z'),
        dep('staging', 4, '', 'r9', '2026-01-04T00:00:00Z'), // no tag, same revision as id 5: dropped
        dep('staging', 6, '', 'r2', '2026-01-06T00:00:00Z'), // no tag: revision r2 is not tag v2, kept
      ],
    };
    const [info] = environmentInfos({ self: 'staging', graph: buildGraph('staging', new Map()), ledger, localHistory: [], localEnvironmentUrl: '' });
    expect(info?.history?.map((e) => [e.id, e.version.tag, e.version.revision])).toEqual([
      [6, '', 'r2'],
      [5, '', 'r9'],
      [3, 'v1', 'r1'],
      [2, 'v2', 'r2'],
    ]);
  });

  it('keeps only the newest entry of environments that are not directly connected', () => {
    const ledger: Ledger = {
      environments: ['dev', 'production', 'staging'],
      deployments: [
        dep('dev', 1, 'v1', 'r1', '2026-01-01T00:00:00Z'),
        dep('dev', 2, 'v2', 'r2', '2026-01-02T00:00:00Z'),
        dep('staging', 1, 'v1', 'r1', '2026-01-01T01:00:00Z'),
        dep('staging', 2, 'v2', 'r2', '2026-01-02T01:00:00Z'),
        dep('production', 1, 'v1', 'r1', '2026-01-01T02:00:00Z'),
        dep('production', 2, 'v2', 'r2', '2026-01-02T02:00:00Z'),
      ],
    };
    const historyIds = (self: string) =>
      environmentInfos({ self, graph: buildGraph(self, chain), ledger, localHistory: [], localEnvironmentUrl: '' }).map((i) => [
        i.environment,
        i.history?.map((e) => e.id),
      ]);
    expect(historyIds('production')).toEqual([
      ['dev', [2]],
      ['staging', [2, 1]],
      ['production', [2, 1]],
    ]);
    expect(historyIds('dev')).toEqual([
      ['dev', [2, 1]],
      ['staging', [2, 1]],
      ['production', [2]],
    ]);
    expect(historyIds('staging')).toEqual([
      ['dev', [2, 1]],
      ['staging', [2, 1]],
      ['production', [2, 1]],
    ]);
  });

  it("self: local bake state wins, timestamp is the deployment's createdAt once published, else the Rollout's", () => {
    const ledger: Ledger = {
      environments: ['production'],
      deployments: [
        dep('production', 1, 'v1', 'r1', '2026-01-01T00:00:05Z', [status('in_progress', 'Baking in progress', '2026-01-01T00:00:06Z', 'https://old')]),
        dep('production', 0, 'v0', 'r0', '2025-12-01T00:00:00Z', [status('success', 'Bake succeeded: gone from the Rollout', '2025-12-01T00:10:00Z')]),
      ],
    };
    const localHistory: RolloutHistoryEntry[] = [
      { id: 2, version: { tag: 'v2', revision: 'r2', digest: '' }, timestamp: '2026-01-02T00:00:00Z', bakeStatus: 'Deploying' },
      { id: 1, version: { tag: 'v1', revision: 'r1' }, timestamp: '2026-01-01T00:00:00Z', message: 'm1', bakeStatus: 'Succeeded', bakeStatusMessage: 'done' },
      { version: { tag: 'no-id', revision: 'rx' }, timestamp: '2026-01-03T00:00:00Z' },
      { id: 9, version: { tag: 'no-revision' }, timestamp: '2026-01-03T00:00:00Z' },
    ];
    const infos = environmentInfos({
      self: 'production',
      graph: buildGraph('production', new Map()),
      ledger,
      localHistory,
      localEnvironmentUrl: 'https://dash/rollouts/default/my-app',
    });
    expect(infos).toEqual([
      {
        environment: 'production',
        environmentUrl: 'https://dash/rollouts/default/my-app',
        history: [
          { id: 2, version: { tag: 'v2', revision: 'r2' }, timestamp: '2026-01-02T00:00:00Z', bakeStatus: 'Deploying' },
          {
            id: 1,
            version: { tag: 'v1', revision: 'r1' },
            timestamp: '2026-01-01T00:00:05Z',
            message: 'm1',
            bakeStatus: 'Succeeded',
            bakeStatusMessage: 'done',
          },
          {
            id: 0,
            version: { tag: 'v0', revision: 'r0' },
            timestamp: '2025-12-01T00:00:00Z',
            message: 'd0',
            bakeStatus: 'Succeeded',
            bakeStatusMessage: 'gone from the Rollout',
          },
        ],
      },
    ]);
  });

  it('self: a duplicate deployment of one entry (a retried create) shows once', () => {
    const ledger: Ledger = {
      environments: ['production'],
      deployments: [
        { ...dep('production', 1, 'v1', 'r1', '2026-01-01T00:00:05Z'), nodeId: 'first' },
        { ...dep('production', 1, 'v1', 'r1', '2026-01-01T00:00:09Z'), nodeId: 'second' },
      ],
    };
    const [info] = environmentInfos({
      self: 'production',
      graph: buildGraph('production', new Map()),
      ledger,
      localHistory: [{ id: 1, version: { tag: 'v1', revision: 'r1' }, timestamp: '2026-01-01T00:00:00Z', bakeStatus: 'Succeeded' }],
      localEnvironmentUrl: '',
    });
    expect(info?.history).toEqual([{ id: 1, version: { tag: 'v1', revision: 'r1' }, timestamp: '2026-01-01T00:00:09Z', bakeStatus: 'Succeeded' }]);
  });

  it('without a local URL, self uses the newest environment_url on GitHub', () => {
    const ledger: Ledger = {
      environments: ['production'],
      deployments: [
        dep('production', 1, 'v1', 'r1', '2026-01-01T00:00:00Z', [status('success', 'Bake succeeded', '2026-01-01T00:10:00Z', 'https://a')]),
        dep('production', 2, 'v2', 'r2', '2026-01-02T00:00:00Z', [
          status('success', 'Bake succeeded', '2026-01-02T00:10:00Z', ''),
          status('in_progress', 'Deploying', '2026-01-02T00:01:00Z', 'https://b'),
        ]),
      ],
    };
    const [info] = environmentInfos({ self: 'production', graph: buildGraph('production', new Map()), ledger, localHistory: [], localEnvironmentUrl: '' });
    expect(info?.environmentUrl).toBe('https://b');
  });

  it('gives an environment known only as an upstream an empty history', () => {
    const infos = environmentInfos({
      self: 'production',
      graph: buildGraph('production', new Map([['production', after('staging')]])),
      ledger: { environments: [], deployments: [] },
      localHistory: [],
      localEnvironmentUrl: '',
    });
    expect(infos).toEqual([
      { environment: 'staging', history: [] },
      { environment: 'production', relationship: { environment: 'staging', type: 'After' }, history: [] },
    ]);
  });
});

describe('pickVersion', () => {
  it('keeps tag (default empty) and the non-empty known fields in a fixed order', () => {
    expect(JSON.stringify(pickVersion({ created: 'c', revision: 'r', digest: '', version: 'v', tag: 't' }))).toBe(
      '{"tag":"t","revision":"r","version":"v","created":"c"}',
    );
    expect(pickVersion({ revision: 'r' })).toEqual({ tag: '', revision: 'r' });
  });
});
