/** GitHub behaviours that only show at scale or on error paths: pagination, partial data, unknown revisions. */
import { startHarness, REPOSITORY, type Harness } from '../support/harness.js';
import { environment, rollout, sha, syncRequest, condition } from '../support/requests.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64');
const at = (minute: number) => new Date(Date.parse('2026-11-01T00:00:00Z') + minute * 60_000).toISOString().replace('.000Z', 'Z');

test('reads every page: an upstream success older than the first 100 deployments still opens the gate', async () => {
  h = await startHarness();
  for (let id = 1; id <= 150; id++) {
    h.emulator.seedDeployment(REPOSITORY, {
      sha: sha(`p${id}`),
      task: 'deploy:kuberik/my-app',
      environment: 'kuberik/my-app/staging',
      payload: b64({ id: String(id), version: { tag: `v0.${id}.0`, revision: sha(`p${id}`) } }),
      created_at: at(id),
      statuses: [{ state: id === 1 ? 'success' : 'failure', description: id === 1 ? 'Bake succeeded' : 'Bake failed', created_at: at(id) }],
    });
  }
  const parent = environment({ environment: 'production', relationship: { environment: 'staging', type: 'After' } });
  const candidates = [
    { tag: 'v0.1.0', revision: sha('p1') },
    { tag: 'v0.150.0', revision: sha('p150') },
  ];
  const res = await h.post('/sync', syncRequest({ parent, rollout: rollout([], candidates) }));
  expect(res.json.children[0].spec.allowedVersions).toEqual(['v0.1.0']);
  // The status keeps 20 entries: v0.1.0's (a release candidate) and the newest 19.
  expect(res.json.status.environmentInfos[0].history.map((e: { id: number }) => e.id)).toEqual([...Array.from({ length: 19 }, (_, i) => 150 - i), 1]);
  // Two pages of deployments, each with its deployments' status windows (a cold read).
  expect(h.emulator.counts()).toEqual({ total: 2, graphql: 2, rest: 0, reads: 2, writes: 0 });
});

test("pages a deployment's statuses when the newest ones are all from other tools", async () => {
  h = await startHarness();
  const revision = sha('s1');
  h.emulator.seedDeployment(REPOSITORY, {
    sha: revision,
    task: 'deploy:kuberik/my-app',
    environment: 'kuberik/my-app/staging',
    payload: b64({ id: '1', version: { tag: 'v1.0.0', revision } }),
    created_at: at(0),
    // REST order: newest first. Twelve statuses by another tool bury our "Bake succeeded".
    statuses: [
      ...Array.from({ length: 12 }, (_, i) => ({ state: 'in_progress', description: `Smoke test ${12 - i}`, created_at: at(20 - i) })),
      { state: 'success', description: 'Bake succeeded: all good', created_at: at(1) },
    ],
  });
  const parent = environment({ environment: 'production', relationship: { environment: 'staging', type: 'After' } });
  const res = await h.post('/sync', syncRequest({ parent, rollout: rollout([], [{ tag: 'v1.0.0', revision }]) }));
  expect(res.json.children[0].spec.allowedVersions).toEqual(['v1.0.0']);
  expect(res.json.status.environmentInfos[0].history[0]).toEqual({
    id: 1,
    version: { tag: 'v1.0.0', revision },
    timestamp: at(0),
    bakeStatus: 'Succeeded',
    bakeStatusMessage: 'all good',
  });
  // The deployment with its newest statuses (a cold read), then the older ones.
  expect(h.emulator.counts().graphql).toBe(2);
});

test('GraphQL partial data with errors keeps the previous state', async () => {
  h = await startHarness();
  const parent = environment({ environment: 'staging', status: { environmentInfos: [{ environment: 'staging', history: [] }], currentVersion: sha('x') } });
  h.emulator.injectFault({
    match: { api: 'graphql' },
    action: {
      kind: 'respond',
      status: 200,
      body: { data: { repository: null }, errors: [{ type: 'SERVICE_UNAVAILABLE', message: 'Something went wrong while executing your query.' }] },
    },
  });
  const res = await h.post('/sync', syncRequest({ parent, rollout: rollout([{ id: 1, tag: 'v1', revision: sha('x'), bakeStatus: 'Succeeded' }]) }));
  expect(res.status).toBe(200);
  expect(condition(res.json.status, 'Ready')).toEqual({
    status: 'False',
    reason: 'GitHubPartialResponse',
    message: 'GitHub GraphQL returned errors during reading deployments: Something went wrong while executing your query.',
  });
  expect(res.json.status.currentVersion).toBe(sha('x'));
  expect(res.json.resyncAfterSeconds).toBe(10);
});

test('a revision the repository does not have: RevisionNotFound, the other entries are still published', async () => {
  const known = sha('known');
  const unknown = sha('never-pushed');
  h = await startHarness({ commits: [known] });
  const parent = environment({ environment: 'staging' });
  const res = await h.post(
    '/sync',
    syncRequest({
      parent,
      rollout: rollout([
        { id: 2, tag: 'v2', revision: known, bakeStatus: 'Succeeded' },
        { id: 1, tag: 'v1', revision: unknown, bakeStatus: 'Succeeded' },
      ]),
    }),
  );
  expect(res.status).toBe(200);
  expect(condition(res.json.status, 'Ready')).toEqual({
    status: 'False',
    reason: 'RevisionNotFound',
    message: `No ref found for: ${unknown} in my-org/my-repo: the revision was never pushed there`,
  });
  expect(h.emulator.deployments(REPOSITORY).map((d) => d.sha)).toEqual([known]);
  expect(res.json.status.currentVersion).toBe(known);
  expect(res.json.status.environmentInfos[0].history.map((e: any) => e.version.tag)).toEqual(['v2', 'v1']);
  expect(res.json.resyncAfterSeconds).toBe(60);
});

test('discovers environments of other clusters even when GitHub keeps no repository environment for them', async () => {
  h = await startHarness({ emulator: { createEnvironments: false } });
  // production lives in another cluster: no sibling Environment here, only its deployment names it.
  h.emulator.seedDeployment(REPOSITORY, {
    sha: sha('c1'),
    task: 'deploy:kuberik/my-app',
    environment: 'kuberik/my-app/production',
    payload: b64({ id: '9', relationship: { environment: 'staging', type: 'After' }, version: { tag: 'v9', revision: sha('c1') } }),
    created_at: at(5),
    statuses: [{ state: 'success', description: 'Bake succeeded', created_at: at(6) }],
  });
  const res = await h.post('/sync', syncRequest({ parent: environment({ environment: 'staging' }), rollout: rollout([]) }));
  expect(res.json.status.environmentInfos).toEqual([
    { environment: 'staging', history: [] },
    {
      environment: 'production',
      relationship: { environment: 'staging', type: 'After' },
      history: [{ id: 9, version: { tag: 'v9', revision: sha('c1') }, timestamp: at(5), bakeStatus: 'Succeeded' }],
    },
  ]);
});

test('a GitHub slower than the sync budget: the hook still answers in time, with the previous state', async () => {
  h = await startHarness({ config: { syncBudgetMs: 800, githubTimeoutMs: 5000 } });
  h.emulator.injectFault({ match: { api: 'graphql' }, times: Infinity, action: { kind: 'delay', ms: 10_000 } });
  const previous = { environmentInfos: [{ environment: 'staging', history: [] }], currentVersion: sha('slow') };
  const started = Date.now();
  const res = await h.post('/sync', syncRequest({ parent: environment({ environment: 'staging', status: previous }), rollout: rollout([]) }));
  const elapsed = Date.now() - started;
  expect(res.status).toBe(200);
  expect(elapsed).toBeLessThan(5000); // bounded by the 0.8 s budget, far from GitHub's 10 s
  expect(condition(res.json.status, 'Ready')).toEqual({
    status: 'False',
    reason: 'GitHubTimeout',
    message: 'GitHub did not answer in time during reading deployments',
  });
  expect(res.json.status.currentVersion).toBe(sha('slow'));
});
