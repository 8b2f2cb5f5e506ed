import { conflictingEntries, planPublication, type PublicationInputs } from '../../../src/core/plan.js';
import { encodePayload } from '../../../src/core/payload.js';
import type { RolloutHistoryEntry } from '../../../src/generated/kubernetes.js';
import type { LedgerDeployment, LedgerStatus } from '../../../src/core/types.js';
import { status } from './helpers.js';

const URL_ = 'https://dashboard.example.com/rollouts/default/my-app';
const REV1 = '1111111111111111111111111111111111111111';
const REV2 = '2222222222222222222222222222222222222222';
const REV3 = '3333333333333333333333333333333333333333';
const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

const HISTORY: RolloutHistoryEntry[] = [
  {
    id: 3,
    version: { tag: 'v3', revision: REV3, digest: 'sha256:c3' },
    timestamp: '2026-01-03T00:00:00Z',
    message: 'Manual deployment',
  },
  {
    id: 2,
    version: { tag: 'v2', revision: REV2 },
    timestamp: '2026-01-02T00:00:00Z',
    message: 'Automatic deployment',
    bakeStatus: 'Failed',
    bakeStatusMessage: 'health check api failed',
  },
  {
    id: 1,
    version: { tag: 'v1', revision: REV1 },
    timestamp: '2026-01-01T00:00:00Z',
    message: 'Automatic deployment',
    bakeStatus: 'Succeeded',
    bakeStatusMessage: 'Bake time completed',
  },
];

function inputs(overrides: Partial<PublicationInputs> = {}): PublicationInputs {
  return {
    specName: 'my-app',
    environment: 'production',
    relationship: { environment: 'staging', type: 'After' },
    history: HISTORY,
    deployments: [],
    environmentUrl: URL_,
    ...overrides,
  };
}

function published(id: number, revision: string, statuses: LedgerStatus[], tag = `v${id}`): LedgerDeployment {
  return {
    nodeId: `DE_node_${id}_${revision.slice(0, 4)}`,
    environment: 'production',
    payload: { id, relationship: { environment: 'staging', type: 'After' }, version: { tag, revision } },
    createdAt: `2026-01-0${id}T00:00:10Z`,
    description: 'Automatic deployment',
    statuses,
  };
}

/** GitHub as it looks after a first sync of HISTORY. */
function inSync(): LedgerDeployment[] {
  return [
    published(3, REV3, [status('pending', 'Deploying', '2026-01-03T00:00:11Z', URL_)]),
    published(2, REV2, [status('failure', 'Bake failed: health check api failed', '2026-01-02T00:00:11Z', URL_)]),
    published(1, REV1, [status('success', 'Bake succeeded: Bake time completed', '2026-01-01T00:00:11Z', URL_)]),
  ];
}

describe('planPublication: first sync (spec §5.3)', () => {
  it('creates one deployment per history entry, oldest first, with exact bodies and statuses', () => {
    const rel = '{"environment":"staging","type":"After"}';
    expect(planPublication(inputs())).toEqual([
      {
        kind: 'createDeployment',
        key: { id: 1, revision: REV1 },
        body: {
          ref: REV1,
          task: 'deploy:kuberik/my-app',
          environment: 'kuberik/my-app/production',
          description: 'Automatic deployment',
          payload: b64(`{"id":"1","relationship":${rel},"version":{"tag":"v1","revision":"${REV1}"}}`),
          auto_merge: false,
          required_contexts: [],
          production_environment: true,
          transient_environment: false,
        },
        status: { state: 'success', description: 'Bake succeeded: Bake time completed', environmentUrl: URL_ },
      },
      {
        kind: 'createDeployment',
        key: { id: 2, revision: REV2 },
        body: {
          ref: REV2,
          task: 'deploy:kuberik/my-app',
          environment: 'kuberik/my-app/production',
          description: 'Automatic deployment',
          payload: b64(`{"id":"2","relationship":${rel},"version":{"tag":"v2","revision":"${REV2}"}}`),
          auto_merge: false,
          required_contexts: [],
          production_environment: true,
          transient_environment: false,
        },
        status: { state: 'failure', description: 'Bake failed: health check api failed', environmentUrl: URL_ },
      },
      {
        kind: 'createDeployment',
        key: { id: 3, revision: REV3 },
        body: {
          ref: REV3,
          task: 'deploy:kuberik/my-app',
          environment: 'kuberik/my-app/production',
          description: 'Manual deployment',
          payload: b64(`{"id":"3","relationship":${rel},"version":{"tag":"v3","revision":"${REV3}","digest":"sha256:c3"}}`),
          auto_merge: false,
          required_contexts: [],
          production_environment: true,
          transient_environment: false,
        },
        status: { state: 'pending', description: 'Deploying', environmentUrl: URL_ },
      },
    ]);
  });

  it('sets production_environment only for the environment named production, and omits an absent relationship', () => {
    const writes = planPublication(inputs({ environment: 'staging', relationship: undefined, specName: 'kuberik/my-app', history: [HISTORY[2]!] }));
    expect(writes).toEqual([
      {
        kind: 'createDeployment',
        key: { id: 1, revision: REV1 },
        body: {
          ref: REV1,
          task: 'deploy:kuberik/my-app',
          environment: 'kuberik/my-app/staging',
          description: 'Automatic deployment',
          payload: b64(`{"id":"1","version":{"tag":"v1","revision":"${REV1}"}}`),
          auto_merge: false,
          required_contexts: [],
          production_environment: false,
          transient_environment: false,
        },
        status: { state: 'success', description: 'Bake succeeded: Bake time completed', environmentUrl: URL_ },
      },
    ]);
    expect(planPublication(inputs({ environment: 'Production', history: [HISTORY[2]!] }))[0]).toMatchObject({
      body: { production_environment: false },
    });
  });

  it('writes an entry without a message with an empty description', () => {
    const writes = planPublication(inputs({ history: [{ id: 9, version: { tag: 'v9', revision: REV1 } }] }));
    expect(writes).toHaveLength(1);
    expect(writes[0]).toMatchObject({ kind: 'createDeployment', body: { description: '' } });
  });

  it('normalises the version object (fixed key order, empty fields dropped) in the payload', () => {
    const writes = planPublication(
      inputs({
        relationship: undefined,
        history: [{ id: 4, version: { created: '2026-01-01T00:00:00Z', digest: '', revision: REV1, version: '1.0.0', tag: 'v1' } }],
      }),
    );
    expect(writes[0]?.kind === 'createDeployment' && writes[0].body.payload).toBe(
      b64(`{"id":"4","version":{"tag":"v1","revision":"${REV1}","version":"1.0.0","created":"2026-01-01T00:00:00Z"}}`),
    );
  });

  it('skips entries without id or revision', () => {
    const history: RolloutHistoryEntry[] = [
      { version: { tag: 'no-id', revision: REV3 } },
      { id: 5, version: { tag: 'no-revision' } },
      { id: 6, version: { tag: 'empty-revision', revision: '' } },
      { id: -1, version: { tag: 'negative', revision: REV3 } },
      { id: 1.5, version: { tag: 'fraction', revision: REV3 } },
      HISTORY[2]!,
    ];
    expect(planPublication(inputs({ history })).map((w) => w.key)).toEqual([{ id: 1, revision: REV1 }]);
  });

  it('writes nothing for an empty history', () => {
    expect(planPublication(inputs({ history: [] }))).toEqual([]);
  });
});

describe('planPublication: later syncs', () => {
  it('steady state: no writes', () => {
    expect(planPublication(inputs({ deployments: inSync() }))).toEqual([]);
  });

  it('steady state does not depend on environment_url of the existing status', () => {
    expect(planPublication(inputs({ deployments: inSync(), environmentUrl: 'https://elsewhere.example.com' }))).toEqual([]);
  });

  it('a changed bake state posts exactly one status', () => {
    const history = HISTORY.map((e) => (e.id === 3 ? { ...e, bakeStatus: 'InProgress' } : e));
    expect(planPublication(inputs({ history, deployments: inSync() }))).toEqual([
      {
        kind: 'postStatus',
        key: { id: 3, revision: REV3 },
        deploymentId: 'DE_node_3_3333',
        status: { state: 'in_progress', description: 'Baking in progress', environmentUrl: URL_ },
      },
    ]);
  });

  it('a changed message alone posts a status', () => {
    const history = HISTORY.map((e) => (e.id === 2 ? { ...e, bakeStatusMessage: 'health check db failed' } : e));
    expect(planPublication(inputs({ history, deployments: inSync() }))).toEqual([
      {
        kind: 'postStatus',
        key: { id: 2, revision: REV2 },
        deploymentId: 'DE_node_2_2222',
        status: { state: 'failure', description: 'Bake failed: health check db failed', environmentUrl: URL_ },
      },
    ]);
  });

  it('a return to an earlier state (Failed → Deploying after a retry) is posted', () => {
    const deployments = inSync().map((d) =>
      d.payload.id === 2
        ? {
            ...d,
            statuses: [
              status('failure', 'Bake failed: health check api failed', '2026-01-02T00:10:00Z', URL_),
              status('in_progress', 'Deploying', '2026-01-02T00:00:11Z', URL_),
            ],
          }
        : d,
    );
    const history = HISTORY.map((e) => (e.id === 2 ? { id: 2, version: e.version, message: e.message, bakeStatus: 'Deploying' } : e));
    // The previous sync saw it Failed: the view changed, so the earlier state is posted again.
    const previousViews = [
      { id: 2, version: { tag: 'v2', revision: REV2 }, timestamp: '2026-01-02T00:00:00Z', bakeStatus: 'Failed', bakeStatusMessage: 'health check api failed' },
    ];
    expect(planPublication(inputs({ history, deployments, previousViews }))).toEqual([
      {
        kind: 'postStatus',
        key: { id: 2, revision: REV2 },
        deploymentId: 'DE_node_2_2222',
        status: { state: 'in_progress', description: 'Deploying', environmentUrl: URL_ },
      },
    ]);
  });

  it("leaves another writer's newer status standing while its own view, recorded before it, is unchanged", () => {
    // Ours (Succeeded) was recorded first; another writer of the same GitHub environment posted Failed after it.
    const deployments = inSync().map((d) =>
      d.payload.id === 1
        ? {
            ...d,
            statuses: [status('failure', 'Bake failed: smoke test failed', '2026-01-03T00:20:00Z', 'https://other.example.com'), ...d.statuses],
          }
        : d,
    );
    const previousViews = HISTORY.map((e) => ({
      id: e.id!,
      version: { tag: e.version.tag, revision: e.version.revision! },
      timestamp: e.timestamp!,
      ...(e.bakeStatus ? { bakeStatus: e.bakeStatus } : {}),
      ...(e.bakeStatusMessage ? { bakeStatusMessage: e.bakeStatusMessage } : {}),
    }));
    expect(planPublication(inputs({ deployments, previousViews }))).toEqual([]);
    expect(planPublication(inputs({ deployments }))).toEqual([]);
    expect(conflictingEntries(HISTORY, deployments, previousViews)).toEqual([
      { key: { id: 1, revision: REV1 }, tag: 'v1', shown: 'Bake failed: smoke test failed', ours: 'Bake succeeded: Bake time completed' },
    ]);
  });

  it('a recreated Rollout reusing id 1 with a new revision creates a new deployment', () => {
    const NEW_REV = '9999999999999999999999999999999999999999';
    const history: RolloutHistoryEntry[] = [
      { id: 1, version: { tag: 'v9', revision: NEW_REV }, message: 'Automatic deployment', bakeStatus: 'Succeeded', bakeStatusMessage: 'Bake time completed' },
    ];
    const writes = planPublication(inputs({ history, deployments: inSync() }));
    expect(writes).toHaveLength(1);
    expect(writes[0]).toMatchObject({ kind: 'createDeployment', key: { id: 1, revision: NEW_REV }, body: { ref: NEW_REV } });
  });

  it("GitHub's automatic inactive status after our success needs no write", () => {
    const deployments = inSync().map((d) =>
      d.payload.id === 1
        ? {
            ...d,
            statuses: [
              status('inactive', 'This deployment is inactive', '2026-01-02T00:00:12Z'),
              status('success', 'Bake succeeded: Bake time completed', '2026-01-01T00:00:11Z', URL_),
            ],
          }
        : d,
    );
    expect(planPublication(inputs({ deployments }))).toEqual([]);
  });

  it('a Cancelled entry already marked cancelled needs no write', () => {
    const history: RolloutHistoryEntry[] = [{ id: 1, version: { tag: 'v1', revision: REV1 }, bakeStatus: 'Cancelled', bakeStatusMessage: 'superseded' }];
    const deployments = [published(1, REV1, [status('inactive', 'Bake cancelled: superseded', 't', URL_)])];
    expect(planPublication(inputs({ history, deployments }))).toEqual([]);
  });

  it('a deployment without any recognisable status gets its status posted (retry after a half-done create)', () => {
    const deployments = [published(1, REV1, []), published(2, REV2, [status('success', 'Deployed by another tool', 't')])];
    const writes = planPublication(inputs({ history: [HISTORY[1]!, HISTORY[2]!], deployments }));
    expect(writes).toEqual([
      {
        kind: 'postStatus',
        key: { id: 1, revision: REV1 },
        deploymentId: 'DE_node_1_1111',
        status: { state: 'success', description: 'Bake succeeded: Bake time completed', environmentUrl: URL_ },
      },
      {
        kind: 'postStatus',
        key: { id: 2, revision: REV2 },
        deploymentId: 'DE_node_2_2222',
        status: { state: 'failure', description: 'Bake failed: health check api failed', environmentUrl: URL_ },
      },
    ]);
  });

  it('creates only the missing entry when GitHub has part of the history', () => {
    const writes = planPublication(inputs({ deployments: inSync().filter((d) => d.payload.id !== 3) }));
    expect(writes.map((w) => [w.kind, w.key.id])).toEqual([['createDeployment', 3]]);
    expect(writes[0]?.kind === 'createDeployment' && writes[0].body.payload).toBe(
      encodePayload({ id: 3, relationship: { environment: 'staging', type: 'After' }, version: { tag: 'v3', revision: REV3, digest: 'sha256:c3' } }),
    );
  });
});
