/** /sync through real HTTP against the GitHub emulator. */
import { goControllerFixture } from '../support/fixtures.js';
import { startHarness, NOW, REPOSITORY, type Harness } from '../support/harness.js';
import { environment, rollout, secret, sha, syncRequest, TOKEN, type HistoryEntry, condition } from '../support/requests.js';

const goFixture = goControllerFixture();
const FIXTURE_REV = {
  'v1.0.0': '9f1c2e7a4b3d5f60718293a4b5c6d7e8f9012345',
  'v1.1.0': '0a9c600d3a75bcb7ec54dcef3b03e0d7fe0598d7',
  'v1.2.0': '5b2e8d1c9a7f6e4d3c2b1a0f9e8d7c6b5a493827',
};
const NOW_ISO = '2026-11-26T12:00:00Z';

const R1 = sha('r1');
const R2 = sha('r2');
const R3 = sha('r3');
const stagingHistory: HistoryEntry[] = [
  { id: 3, tag: 'v1.2.0', revision: R3, bakeStatus: 'InProgress' },
  { id: 2, tag: 'v1.1.0', revision: R2, bakeStatus: 'Failed', bakeStatusMessage: 'Health check failed' },
  { id: 1, tag: 'v1.0.0', revision: R1, bakeStatus: 'Succeeded', bakeStatusMessage: 'Bake time completed' },
];

let h: Harness;
afterEach(async () => {
  await h?.close();
});

function createdAt(tag: string, env = 'kuberik/my-app/staging'): string {
  const d = h.emulator
    .deployments(REPOSITORY)
    .find((x) => x.environment === env && JSON.parse(Buffer.from(x.payload as string, 'base64').toString()).version.tag === tag);
  if (!d) throw new Error(`no deployment for ${tag}`);
  return d.created_at;
}

describe('first sync', () => {
  test('publishes every history entry oldest first and reports exact status', async () => {
    h = await startHarness();
    const res = await h.post('/sync', syncRequest({ parent: environment({ environment: 'staging' }), rollout: rollout(stagingHistory) }));
    expect(res.status).toBe(200);
    expect(Object.keys(res.json).sort()).toEqual(['children', 'resyncAfterSeconds', 'status']);

    const deployments = h.emulator.deployments(REPOSITORY);
    expect(deployments.map((d) => [d.sha, d.task, d.environment, d.production_environment])).toEqual([
      [R1, 'deploy:kuberik/my-app', 'kuberik/my-app/staging', false],
      [R2, 'deploy:kuberik/my-app', 'kuberik/my-app/staging', false],
      [R3, 'deploy:kuberik/my-app', 'kuberik/my-app/staging', false],
    ]);
    expect(JSON.parse(Buffer.from(deployments[0]!.payload as string, 'base64').toString())).toEqual({ id: '1', version: { tag: 'v1.0.0', revision: R1 } });
    expect(deployments.map((d) => d.statuses.map((s) => [s.state, s.description]))).toEqual([
      [['success', 'Bake succeeded: Bake time completed']],
      [['failure', 'Bake failed: Health check failed']],
      [['in_progress', 'Baking in progress']],
    ]);
    expect(h.emulator.counts()).toEqual({ total: 7, graphql: 4, rest: 3, reads: 1, writes: 6 });

    const transition = { lastTransitionTime: NOW_ISO, observedGeneration: 1 };
    expect(res.json).toEqual({
      status: {
        application: 'kuberik/my-app',
        environment: 'staging',
        conditions: [
          { ...transition, message: 'Environment is in sync with GitHub', reason: 'Synced', status: 'True', type: 'Ready' },
          { ...transition, message: 'History of environment staging is published to my-org/my-repo', reason: 'Synced', status: 'True', type: 'GitHubSynced' },
          { ...transition, message: 'No relationship: this environment needs no gate', reason: 'NoRelationship', status: 'True', type: 'GateReady' },
          { ...transition, message: 'Environment is in sync with GitHub', reason: 'Synced', status: 'False', type: 'Degraded' },
        ],
        currentVersion: R3,
        currentTag: 'v1.2.0',
        environmentInfos: [
          {
            environment: 'staging',
            history: [
              { id: 3, version: { tag: 'v1.2.0', revision: R3 }, timestamp: createdAt('v1.2.0'), message: 'Automatic deployment', bakeStatus: 'InProgress' },
              {
                id: 2,
                version: { tag: 'v1.1.0', revision: R2 },
                timestamp: createdAt('v1.1.0'),
                message: 'Automatic deployment',
                bakeStatus: 'Failed',
                bakeStatusMessage: 'Health check failed',
              },
              {
                id: 1,
                version: { tag: 'v1.0.0', revision: R1 },
                timestamp: createdAt('v1.0.0'),
                message: 'Automatic deployment',
                bakeStatus: 'Succeeded',
                bakeStatusMessage: 'Bake time completed',
              },
            ],
          },
        ],
        // Created and confirmed, but not yet shown by a read: no replica creates them again until one does (issue 18).
        unconfirmedCreations: [1, 2, 3].map((id) => ({ id, revision: [R1, R2, R3][id - 1], until: '2026-11-26T12:00:14Z' })),
        lastStatusChangeTime: NOW_ISO,
      },
      children: [],
      resyncAfterSeconds: 10, // v1.2.0 is baking here: change is near (NEAR_CHANGE_RESYNC_SECONDS)
    });
  });
});

describe('steady state', () => {
  test('costs at most 2 GitHub requests, no writes, and a byte-identical status once a read shows our creations', async () => {
    h = await startHarness();
    const parent = environment({ environment: 'staging', requeueInterval: '30s' });
    const first = await h.post('/sync', syncRequest({ parent, rollout: rollout(stagingHistory) }));
    h.emulator.resetRequests();
    h.setNow(new Date('2026-11-26T13:00:00Z'));
    const again = await h.post('/sync', syncRequest({ parent: { ...parent, status: first.json.status }, rollout: rollout(stagingHistory) }));
    expect(again.status).toBe(200);
    // The first read after our own writes also fetches the statuses of the deployments whose latest status changed.
    expect(h.emulator.counts()).toEqual({ total: 2, graphql: 2, rest: 0, reads: 2, writes: 0 });
    // The read shows the deployments the first sync created: they are no longer listed as unconfirmed, and nothing else changed.
    const { unconfirmedCreations, lastStatusChangeTime: _first, ...settled } = first.json.status;
    expect(unconfirmedCreations).toHaveLength(3);
    expect(JSON.stringify(again.json.status)).toBe(JSON.stringify({ ...settled, lastStatusChangeTime: '2026-11-26T13:00:00Z' }));
    expect(again.json.resyncAfterSeconds).toBe(10); // requeueInterval 30s, but v1.2.0 is baking
    h.emulator.resetRequests();
    h.setNow(new Date('2026-11-26T14:00:00Z'));
    const steady = await h.post('/sync', syncRequest({ parent: { ...parent, status: again.json.status }, rollout: rollout(stagingHistory) }));
    expect(h.emulator.counts()).toEqual({ total: 1, graphql: 1, rest: 0, reads: 1, writes: 0 });
    expect(JSON.stringify(steady.json.status)).toBe(JSON.stringify(again.json.status));
  });

  test('Environments of one application share a read within the cache window', async () => {
    h = await startHarness({ config: { ledgerCacheTtlMs: 60_000 } });
    h.emulator.seedFromFixture(REPOSITORY, goFixture);
    const staging = environment({ environment: 'staging' });
    const production = environment({ environment: 'production', relationship: { environment: 'staging', type: 'After' } });
    const stagingRollout = rollout([
      { id: 3, tag: 'v1.2.0', revision: FIXTURE_REV['v1.2.0'], bakeStatus: 'Deploying' },
      { id: 2, tag: 'v1.1.0', revision: FIXTURE_REV['v1.1.0'], bakeStatus: 'Failed', bakeStatusMessage: 'A HealthCheck reported an error after deployment.' },
      {
        id: 1,
        tag: 'v1.0.0',
        revision: FIXTURE_REV['v1.0.0'],
        bakeStatus: 'Succeeded',
        bakeStatusMessage: 'Bake time completed successfully (no errors within bake time).',
      },
    ]);
    const productionRollout = rollout([
      { id: 7, tag: 'v1.0.0', revision: FIXTURE_REV['v1.0.0'], bakeStatus: 'Succeeded', bakeStatusMessage: 'Bake completed (no bake time configured).' },
    ]);
    await h.post('/sync', syncRequest({ parent: staging, rollout: stagingRollout, siblings: [production] }));
    // One cold read: the deployments with their statuses, in one request.
    expect(h.emulator.counts()).toEqual({ total: 1, graphql: 1, rest: 0, reads: 1, writes: 0 });
    await h.post('/sync', syncRequest({ parent: production, rollout: productionRollout, siblings: [staging] }));
    expect(h.emulator.counts()).toEqual({ total: 1, graphql: 1, rest: 0, reads: 1, writes: 0 });
  });
});

describe('promotion from data written by the Go controller', () => {
  const candidates = Object.entries(FIXTURE_REV).map(([tag, revision]) => ({ tag, revision }));
  const productionRollout = rollout(
    [{ id: 7, tag: 'v1.0.0', revision: FIXTURE_REV['v1.0.0'], bakeStatus: 'Succeeded', bakeStatusMessage: 'Bake completed (no bake time configured).' }],
    candidates,
  );

  test.each([
    ['After', ['v1.0.0']],
    ['Parallel', ['v1.0.0', 'v1.2.0']],
  ] as const)('%s staging allows %j', async (type, allowed) => {
    h = await startHarness();
    h.emulator.seedFromFixture(REPOSITORY, goFixture);
    const parent = environment({ environment: 'production', relationship: { environment: 'staging', type } });
    const res = await h.post('/sync', syncRequest({ parent, rollout: productionRollout }));
    expect(res.status).toBe(200);
    expect(h.emulator.counts().writes).toBe(0);
    expect(res.json.children).toEqual([
      {
        apiVersion: 'kuberik.com/v1alpha1',
        kind: 'RolloutGate',
        metadata: {
          name: 'my-app-production-gate',
          namespace: 'default',
          annotations: {
            'gate.kuberik.com/description':
              type === 'After'
                ? 'Allows versions that baked successfully in staging (GitHub deployments, managed by environment-sync for Environment my-app-production).'
                : 'Allows versions deployed to staging that have not failed or been cancelled there (GitHub deployments, managed by environment-sync for Environment my-app-production).',
            'gate.kuberik.com/pretty-name': type === 'After' ? 'After staging' : 'Parallel with staging',
          },
        },
        spec: { rolloutRef: { name: 'my-app' }, passing: true, allowedVersions: allowed },
      },
    ]);
    expect(res.json.status.rolloutGateRef).toEqual({ name: 'my-app-production-gate' });
    expect(res.json.status.currentVersion).toBe(FIXTURE_REV['v1.0.0']);
    expect(res.json.status.environmentInfos).toEqual([
      {
        environment: 'staging',
        environmentUrl: 'https://dashboard.example.com/rollouts/default/my-app',
        history: [
          {
            id: 3,
            version: { tag: 'v1.2.0', revision: FIXTURE_REV['v1.2.0'] },
            timestamp: '2026-11-20T10:30:00Z',
            message: 'Automatic deployment',
            bakeStatus: 'Deploying',
          },
          {
            id: 2,
            version: { tag: 'v1.1.0', revision: FIXTURE_REV['v1.1.0'] },
            timestamp: '2026-11-19T09:10:00Z',
            message: 'Automatic deployment',
            bakeStatus: 'Failed',
            bakeStatusMessage: 'A HealthCheck reported an error after deployment.',
          },
          {
            id: 1,
            version: { tag: 'v1.0.0', revision: FIXTURE_REV['v1.0.0'] },
            timestamp: '2026-11-18T08:30:00Z',
            message: 'Automatic deployment',
            bakeStatus: 'Succeeded',
            bakeStatusMessage: 'Bake time completed successfully (no errors within bake time).',
          },
        ],
      },
      {
        environment: 'production',
        relationship: { environment: 'staging', type },
        history: [
          {
            id: 7,
            version: { tag: 'v1.0.0', revision: FIXTURE_REV['v1.0.0'] },
            timestamp: '2026-11-19T11:00:00Z',
            message: 'Automatic deployment',
            bakeStatus: 'Succeeded',
            bakeStatusMessage: 'Bake completed (no bake time configured).',
          },
        ],
      },
    ]);
    expect(condition(res.json.status, 'Ready')).toEqual({ status: 'True', reason: 'Synced', message: 'Environment is in sync with GitHub' });
  });

  test('a version baked in staging opens the production gate on the next sync', async () => {
    h = await startHarness();
    h.emulator.seedFromFixture(REPOSITORY, goFixture);
    const production = environment({ environment: 'production', relationship: { environment: 'staging', type: 'After' } });
    const before = await h.post('/sync', syncRequest({ parent: production, rollout: productionRollout }));
    expect(before.json.children[0].spec.allowedVersions).toEqual(['v1.0.0']);

    const staging = environment({ environment: 'staging' });
    const stagingRollout = rollout([
      { id: 3, tag: 'v1.2.0', revision: FIXTURE_REV['v1.2.0'], bakeStatus: 'Succeeded', bakeStatusMessage: 'Bake time completed' },
      { id: 2, tag: 'v1.1.0', revision: FIXTURE_REV['v1.1.0'], bakeStatus: 'Failed', bakeStatusMessage: 'A HealthCheck reported an error after deployment.' },
      {
        id: 1,
        tag: 'v1.0.0',
        revision: FIXTURE_REV['v1.0.0'],
        bakeStatus: 'Succeeded',
        bakeStatusMessage: 'Bake time completed successfully (no errors within bake time).',
      },
    ]);
    h.emulator.resetRequests();
    await h.post('/sync', syncRequest({ parent: staging, rollout: stagingRollout }));
    expect(h.emulator.counts().writes).toBe(1);

    const after = await h.post(
      '/sync',
      syncRequest({ parent: { ...production, status: before.json.status }, rollout: productionRollout, gate: before.json.children[0] }),
    );
    expect(after.json.children[0].spec.allowedVersions).toEqual(['v1.0.0', 'v1.2.0']);
  });
});

describe('status changes', () => {
  test('a retried entry posts Deploying again after Failed', async () => {
    h = await startHarness();
    const parent = environment({ environment: 'staging' });
    await h.post('/sync', syncRequest({ parent, rollout: rollout([{ id: 1, tag: 'v1.0.0', revision: R1, bakeStatus: 'Failed', bakeStatusMessage: 'boom' }]) }));
    h.emulator.resetRequests();
    await h.post('/sync', syncRequest({ parent, rollout: rollout([{ id: 1, tag: 'v1.0.0', revision: R1, bakeStatus: 'Deploying' }]) }));
    expect(h.emulator.counts().writes).toBe(1);
    expect(h.emulator.deployments(REPOSITORY)[0]!.statuses.map((s) => [s.state, s.description])).toEqual([
      ['failure', 'Bake failed: boom'],
      ['in_progress', 'Deploying'],
    ]);
  });

  test('multi-byte messages are cut to 140 bytes on a character boundary', async () => {
    h = await startHarness();
    const message = `${'é'.repeat(60)}${'🚀'.repeat(10)}`;
    const res = await h.post(
      '/sync',
      syncRequest({
        parent: environment({ environment: 'staging' }),
        rollout: rollout([{ id: 1, tag: 'v1.0.0', revision: R1, bakeStatus: 'Failed', bakeStatusMessage: message }]),
      }),
    );
    expect(condition(res.json.status, 'Ready').status).toBe('True');
    const description = h.emulator.deployments(REPOSITORY)[0]!.statuses[0]!.description;
    expect(description).toBe(`Bake failed: ${'é'.repeat(60)}🚀`);
    expect(Buffer.byteLength(description)).toBe(137);
  });

  test('a recreated Rollout reusing ids gets new deployments (identity is id + revision)', async () => {
    h = await startHarness();
    const parent = environment({ environment: 'staging' });
    await h.post('/sync', syncRequest({ parent, rollout: rollout([{ id: 1, tag: 'v1.0.0', revision: R1, bakeStatus: 'Succeeded' }]) }));
    const res = await h.post('/sync', syncRequest({ parent, rollout: rollout([{ id: 1, tag: 'v2.0.0', revision: R2, bakeStatus: 'Deploying' }]) }));
    const payloads = h.emulator.deployments(REPOSITORY).map((d) => JSON.parse(Buffer.from(d.payload as string, 'base64').toString()));
    expect(payloads).toEqual([
      { id: '1', version: { tag: 'v1.0.0', revision: R1 } },
      { id: '1', version: { tag: 'v2.0.0', revision: R2 } },
    ]);
    expect(res.json.status.currentVersion).toBe(R2);
    // The entry of the earlier Rollout (same id 1) would outrank or tie the live one in kuberik's dashboard: not shown.
    expect(res.json.status.environmentInfos[0].history.map((e: any) => e.version.tag)).toEqual(['v2.0.0']);
  });
});

describe('reading defensively', () => {
  test('a deployment of another task is never ours: it does not open the gate, does not show, and receives no status (spec §4)', async () => {
    h = await startHarness();
    // Another tool's deployment in our GitHub environment, with a kuberik-shaped payload and a success status.
    const payload = Buffer.from(JSON.stringify({ id: '1', version: { tag: 'v1.0.0', revision: R1 } })).toString('base64');
    h.emulator.seedDeployment(REPOSITORY, {
      task: 'deploy',
      environment: 'kuberik/my-app/staging',
      sha: R1,
      created_at: '2026-11-19T10:00:00Z',
      payload,
      statuses: [{ state: 'success', description: 'Bake succeeded', created_at: '2026-11-19T10:05:00Z' }],
    });
    const production = environment({ environment: 'production', relationship: { environment: 'staging', type: 'After' } });
    const staging = environment({ environment: 'staging' });
    const res = await h.post('/sync', syncRequest({ parent: production, siblings: [staging], rollout: rollout([], [{ tag: 'v1.0.0', revision: R1 }]) }));
    expect(res.status).toBe(200);
    expect(res.json.children.map((g: any) => g.spec.allowedVersions)).toEqual([[]]);
    expect(res.json.status.environmentInfos).toEqual([
      { environment: 'staging', history: [] },
      { environment: 'production', relationship: { environment: 'staging', type: 'After' }, history: [] },
    ]);

    // Staging publishing the same (id, revision) creates its own deployment instead of posting to the foreign one.
    await h.post('/sync', syncRequest({ parent: staging, rollout: rollout([{ id: 1, tag: 'v1.0.0', revision: R1, bakeStatus: 'Deploying' }]) }));
    expect(h.emulator.deployments(REPOSITORY).map((d) => [d.task, d.statuses.map((st) => st.description)])).toEqual([
      ['deploy', ['Bake succeeded']],
      ['deploy:kuberik/my-app', ['Deploying']],
    ]);
  });

  test('foreign deployments are ignored and double-encoded payloads are read', async () => {
    h = await startHarness();
    const base = { task: 'deploy', environment: 'kuberik/my-app/production', created_at: '2026-11-19T10:00:00Z', statuses: [] };
    h.emulator.seedDeployment(REPOSITORY, { ...base, sha: R1, payload: { foo: 1 } });
    h.emulator.seedDeployment(REPOSITORY, { ...base, sha: R1, payload: 'not json at all' });
    h.emulator.seedDeployment(REPOSITORY, {
      ...base,
      sha: R2,
      task: 'deploy:kuberik/my-app',
      created_at: '2026-11-19T11:00:00Z',
      payload: JSON.stringify(JSON.stringify({ id: '4', version: { tag: 'v4.0.0', revision: R2 } })),
      statuses: [{ state: 'success', description: 'Bake succeeded', created_at: '2026-11-19T11:05:00Z' }],
    });
    const parent = environment({ environment: 'staging' });
    const res = await h.post(
      '/sync',
      syncRequest({
        parent,
        siblings: [environment({ environment: 'production', relationship: { environment: 'staging', type: 'After' } })],
        rollout: rollout([]),
      }),
    );
    expect(res.status).toBe(200);
    expect(condition(res.json.status, 'Ready').status).toBe('True');
    expect(res.json.status.environmentInfos).toEqual([
      { environment: 'staging', history: [] },
      {
        environment: 'production',
        relationship: { environment: 'staging', type: 'After' },
        history: [{ id: 4, version: { tag: 'v4.0.0', revision: R2 }, timestamp: '2026-11-19T11:00:00Z', bakeStatus: 'Succeeded' }],
      },
    ]);
  });

  test('relationship cycles are reported and close the gate', async () => {
    h = await startHarness();
    const staging = environment({ environment: 'staging', relationship: { environment: 'production', type: 'After' } });
    const production = environment({ environment: 'production', relationship: { environment: 'staging', type: 'After' } });
    const res = await h.post(
      '/sync',
      syncRequest({
        parent: staging,
        siblings: [production],
        rollout: rollout([{ id: 1, tag: 'v1.0.0', revision: R1, bakeStatus: 'Succeeded' }], [{ tag: 'v1.0.0', revision: R1 }]),
      }),
    );
    expect(res.status).toBe(200);
    const message = 'Relationship cycle between environments production, staging (production → staging; staging → production); their gates allow no versions';
    expect(condition(res.json.status, 'Ready')).toEqual({ status: 'False', reason: 'RelationshipCycle', message });
    expect(condition(res.json.status, 'GateReady')).toEqual({ status: 'False', reason: 'RelationshipCycle', message });
    expect(res.json.children.map((g: any) => g.spec.allowedVersions)).toEqual([[]]);
    expect(res.json.status.environmentInfos.map((e: any) => e.environment)).toEqual(['production', 'staging']);
  });
});

describe('failures keep state', () => {
  const candidates = Object.entries(FIXTURE_REV).map(([tag, revision]) => ({ tag, revision }));
  const productionRollout = rollout(
    [{ id: 7, tag: 'v1.0.0', revision: FIXTURE_REV['v1.0.0'], bakeStatus: 'Succeeded', bakeStatusMessage: 'Bake completed (no bake time configured).' }],
    candidates,
  );

  test('GitHub down: previous environmentInfos and gate are kept, Ready=False', async () => {
    h = await startHarness();
    h.emulator.seedFromFixture(REPOSITORY, goFixture);
    const parent = environment({ environment: 'production', relationship: { environment: 'staging', type: 'Parallel' } });
    const first = await h.post('/sync', syncRequest({ parent, rollout: productionRollout }));
    h.emulator.injectFault({ match: { api: 'graphql' }, times: Infinity, action: { kind: 'respond', status: 502, body: { message: 'Server Error' } } });
    const res = await h.post(
      '/sync',
      syncRequest({ parent: { ...parent, status: first.json.status }, rollout: productionRollout, gate: first.json.children[0] }),
    );
    expect(res.status).toBe(200);
    expect(res.json.status.environmentInfos).toEqual(first.json.status.environmentInfos);
    expect(res.json.status.currentVersion).toBe(first.json.status.currentVersion);
    expect(res.json.children).toEqual(first.json.children);
    expect(condition(res.json.status, 'Ready')).toEqual({
      status: 'False',
      reason: 'GitHubUnavailable',
      message: 'GitHub answered 502 during reading deployments',
    });
    expect(condition(res.json.status, 'GateReady')).toEqual({
      status: 'False',
      reason: 'GateKept',
      message: 'Gate kept at its last allowed versions: GitHub answered 502 during reading deployments',
    });
    expect(res.json.resyncAfterSeconds).toBe(10);
  });

  test('secondary rate limit: retry-after decides the resync', async () => {
    h = await startHarness();
    h.emulator.injectFault({
      match: { api: 'graphql' },
      action: { kind: 'respond', status: 403, body: { message: 'You have exceeded a secondary rate limit' }, headers: { 'retry-after': '120' } },
    });
    const res = await h.post('/sync', syncRequest({ parent: environment({ environment: 'staging' }), rollout: rollout(stagingHistory) }));
    expect(condition(res.json.status, 'Ready')).toEqual({
      status: 'False',
      reason: 'GitHubRateLimited',
      message: 'GitHub rate limit exceeded (403) during reading deployments',
    });
    expect(res.json.resyncAfterSeconds).toBe(120);
  });

  test.each([
    ['no Secret', null, 'SecretNotFound', 'Secret default/github-token not found'],
    ['no token key', secret(null), 'SecretKeyMissing', 'Secret default/github-token has no non-empty key "token"'],
  ] as const)('%s: condition, no GitHub call', async (_name, theSecret, reason, message) => {
    h = await startHarness();
    const previous = { environmentInfos: [{ environment: 'staging', history: [] }], currentVersion: R1 };
    const res = await h.post(
      '/sync',
      syncRequest({ parent: environment({ environment: 'staging', status: previous }), rollout: rollout(stagingHistory), secret: theSecret }),
    );
    expect(res.status).toBe(200);
    expect(condition(res.json.status, 'Ready')).toEqual({ status: 'False', reason, message });
    expect(res.json.status.environmentInfos).toEqual(previous.environmentInfos);
    expect(res.json.status.currentVersion).toBe(R1);
    expect(h.emulator.counts().total).toBe(0);
  });

  test('a write whose response is lost does not create a duplicate next time', async () => {
    h = await startHarness();
    h.emulator.injectFault({ match: { api: 'rest', method: 'POST', pathIncludes: '/deployments' }, action: { kind: 'drop-after-write' } });
    const parent = environment({ environment: 'staging' });
    const first = await h.post('/sync', syncRequest({ parent, rollout: rollout(stagingHistory) }));
    expect(first.status).toBe(200);
    expect(condition(first.json.status, 'Ready')).toEqual({
      status: 'False',
      reason: 'GitHubUnreachable',
      message: `GitHub at ${new URL(h.emulator.url).host} could not be reached during creating the deployment of history entry 1 (${R1.slice(0, 12)})`,
    });
    const second = await h.post('/sync', syncRequest({ parent: { ...parent, status: first.json.status }, rollout: rollout(stagingHistory) }));
    expect(condition(second.json.status, 'Ready').status).toBe('True');
    const keys = h.emulator.deployments(REPOSITORY).map((d) => {
      const p = JSON.parse(Buffer.from(d.payload as string, 'base64').toString());
      return `${p.id}:${p.version.revision}`;
    });
    expect(keys).toEqual([`1:${R1}`, `2:${R2}`, `3:${R3}`]);
    expect(h.emulator.deployments(REPOSITORY)[0]!.statuses.map((s) => s.state)).toEqual(['success']);
  });

  test('the token never reaches logs or responses, even when GitHub rejects it', async () => {
    h = await startHarness({ emulator: { tokens: ['some-other-token'] } });
    const res = await h.post('/sync', syncRequest({ parent: environment({ environment: 'staging' }), rollout: rollout(stagingHistory) }));
    expect(condition(res.json.status, 'Ready').reason).toBe('GitHubUnauthorized');
    const fin = await h.post(
      '/finalize',
      syncRequest({ parent: environment({ environment: 'staging', deletionTimestamp: '2026-11-26T11:59:00Z' }), finalizing: true }),
    );
    expect(fin.status).toBe(200);
    const everything = [...h.logs, res.text, fin.text].join('\n');
    expect(h.logs.length).toBeGreaterThan(0);
    expect(everything).not.toContain(TOKEN);
    expect(everything).not.toContain(Buffer.from(TOKEN).toString('base64'));
  });
});

describe('GitHub Enterprise Server layout', () => {
  test('REST under /api/v3 and GraphQL under /api/graphql', async () => {
    h = await startHarness({ ghes: true });
    const res = await h.post('/sync', syncRequest({ parent: environment({ environment: 'staging' }), rollout: rollout(stagingHistory) }));
    expect(condition(res.json.status, 'Ready').status).toBe('True');
    expect([...new Set(h.emulator.requests.map((r) => r.path.replace(/\/repos\/.*/, '/repos/…')))].sort()).toEqual(['/api/graphql', '/api/v3/repos/…']);
  });
});

export { NOW };
