/**
 * Byte-identical resyncs in steady state (Metacontroller resending an unchanged Environment,
 * with the status and gate of the last answer) are answered from memory, but only while the
 * shared GitHub read they were computed from is current.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { buildApp, createLogger } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { goControllerFixture } from '../support/fixtures.js';
import { startHarness, NOW, REPOSITORY, type Harness } from '../support/harness.js';
import { environment, rollout, syncRequest } from '../support/requests.js';

const goFixture = goControllerFixture();
const FIXTURE_REV = {
  'v1.0.0': '9f1c2e7a4b3d5f60718293a4b5c6d7e8f9012345',
  'v1.1.0': '0a9c600d3a75bcb7ec54dcef3b03e0d7fe0598d7',
  'v1.2.0': '5b2e8d1c9a7f6e4d3c2b1a0f9e8d7c6b5a493827',
};
const candidates = Object.entries(FIXTURE_REV).map(([tag, revision]) => ({ tag, revision }));
const production = environment({ environment: 'production', relationship: { environment: 'staging', type: 'After' } });
const productionRollout = rollout(
  [{ id: 7, tag: 'v1.0.0', revision: FIXTURE_REV['v1.0.0'], bakeStatus: 'Succeeded', bakeStatusMessage: 'Bake completed (no bake time configured).' }],
  candidates,
);
const productionRequest = syncRequest({ parent: production, rollout: productionRollout });
const stagingBaked = syncRequest({
  parent: environment({ environment: 'staging' }),
  rollout: rollout([
    { id: 3, tag: 'v1.2.0', revision: FIXTURE_REV['v1.2.0'], bakeStatus: 'Succeeded', bakeStatusMessage: 'Bake time completed' },
    { id: 2, tag: 'v1.1.0', revision: FIXTURE_REV['v1.1.0'], bakeStatus: 'Failed', bakeStatusMessage: 'A HealthCheck reported an error after deployment.' },
    {
      id: 1,
      tag: 'v1.0.0',
      revision: FIXTURE_REV['v1.0.0'],
      bakeStatus: 'Succeeded',
      bakeStatusMessage: 'Bake time completed successfully (no errors within bake time).',
    },
  ]),
});

let h: Harness;
afterEach(async () => {
  await h?.close();
});

async function seeded(config: Parameters<typeof startHarness>[0] = {}): Promise<Harness> {
  h = await startHarness(config);
  h.emulator.seedFromFixture(REPOSITORY, goFixture);
  return h;
}

/** The `sync` log lines of answers that were reused, by Environment. */
function reusedAnswers(): string[] {
  return h.logs
    .map((line) => JSON.parse(line) as { msg: string; reused?: boolean; environment?: string; reason?: string })
    .filter((entry) => entry.msg === 'sync' && entry.reused === true)
    .map((entry) => `${entry.environment} ${entry.reason}`);
}

function allowedVersions(json: any): string[] {
  return json.children[0].spec.allowedVersions;
}

/** What Metacontroller sends after applying an answer: its status (plus the observedGeneration Metacontroller adds) on the parent, its gate as the child. */
function resync(answer: any, parent = production, withRollout = productionRollout) {
  return syncRequest({ parent: { ...parent, status: { ...answer.status, observedGeneration: 1 } }, rollout: withRollout, gate: answer.children[0] ?? null });
}

/** Syncs production once, then once more in steady state (that answer is kept); returns the steady request and its answer. */
async function steadyProduction(): Promise<{ request: ReturnType<typeof resync>; answer: { status: number; json: any; text: string } }> {
  const first = await h.post('/sync', productionRequest);
  expect(first.status).toBe(200);
  const request = resync(first.json);
  const answer = await h.post('/sync', request);
  expect(answer.status).toBe(200);
  expect(answer.json.status).toEqual(first.json.status);
  return { request, answer };
}

test('a byte-identical steady-state resync gets the same answer without recomputing or asking GitHub', async () => {
  await seeded({ config: { ledgerCacheTtlMs: 60_000 } });
  const first = await h.post('/sync', productionRequest);
  expect(allowedVersions(first.json)).toEqual(['v1.0.0']);
  // A cold read: deployments with their status windows inline.
  expect(h.emulator.counts()).toEqual({ total: 1, graphql: 1, rest: 0, reads: 1, writes: 0 });
  const request = resync(first.json);
  const computed = await h.post('/sync', request);
  expect(reusedAnswers()).toEqual([]);

  h.emulator.resetRequests();
  const second = await h.post('/sync', request);
  const third = await h.post('/sync', JSON.stringify(request));
  expect(second.status).toBe(200);
  // The observed status comes back as sent, observedGeneration included (Metacontroller sets that field itself).
  const reused = { ...computed.json, status: { ...computed.json.status, observedGeneration: 1 } };
  expect(second.json).toEqual(reused);
  expect(third.json).toEqual(reused);
  expect(h.emulator.counts().total).toBe(0);
  expect(reusedAnswers()).toEqual(['default/my-app-production Synced', 'default/my-app-production Synced']);
});

test("an answer that changes the status is not kept: Metacontroller's next request carries the change", async () => {
  await seeded({ config: { ledgerCacheTtlMs: 60_000 } });
  const first = await h.post('/sync', productionRequest);
  const again = await h.post('/sync', productionRequest);
  expect(again.json).toEqual(first.json);
  expect(reusedAnswers()).toEqual([]);
});

test('a changed request is computed afresh', async () => {
  await seeded({ config: { ledgerCacheTtlMs: 60_000 } });
  const { request } = await steadyProduction();
  const changed = structuredClone(request);
  (changed.related!['Rollout.kuberik.com/v1alpha1']!['default/my-app'] as any).metadata.resourceVersion = '42';
  const answer = await h.post('/sync', changed);
  expect(answer.status).toBe(200);
  expect(reusedAnswers()).toEqual([]);
});

test('a GitHub write by another Environment of the application ends reuse at once', async () => {
  await seeded({ config: { ledgerCacheTtlMs: 60_000 } });
  const { request, answer: before } = await steadyProduction();
  expect(allowedVersions(before.json)).toEqual(['v1.0.0']);

  h.emulator.resetRequests();
  await h.post('/sync', stagingBaked);
  expect(h.emulator.counts().writes).toBe(1);

  const after = await h.post('/sync', request);
  expect(allowedVersions(after.json)).toEqual(['v1.0.0', 'v1.2.0']);
  expect(reusedAnswers()).toEqual([]);
});

test('reuse ends with the shared read: a change made by another cluster shows once LEDGER_CACHE_TTL_MS has passed', async () => {
  const ttlMs = 1500;
  await seeded({ config: { ledgerCacheTtlMs: ttlMs } });
  // Another cluster's service, writing to the same GitHub.
  const otherCluster = await buildApp(
    { ...loadConfig({}), githubApiUrl: h.emulator.url, ledgerCacheTtlMs: 0 },
    { logger: createLogger('silent'), now: () => NOW },
  );
  try {
    const { request, answer: before } = await steadyProduction();
    expect(allowedVersions(before.json)).toEqual(['v1.0.0']);
    const staging = await otherCluster.inject({ method: 'POST', url: '/sync', payload: stagingBaked });
    expect(staging.statusCode).toBe(200);

    const withinTtl = await h.post('/sync', request);
    expect(withinTtl.json).toEqual({ ...before.json, status: { ...before.json.status, observedGeneration: 1 } });
    expect(reusedAnswers()).toEqual(['default/my-app-production Synced']);

    await sleep(ttlMs + 100);
    const after = await h.post('/sync', request);
    expect(allowedVersions(after.json)).toEqual(['v1.0.0', 'v1.2.0']);
    expect(reusedAnswers()).toEqual(['default/my-app-production Synced']);
  } finally {
    await otherCluster.close();
  }
});

test('dry runs are always computed and keep their githubWrites', async () => {
  await seeded({ config: { ledgerCacheTtlMs: 60_000 } });
  const { request, answer } = await steadyProduction();
  const dryRun = await h.post('/sync?dryRun=true', request);
  expect(dryRun.status).toBe(200);
  expect(dryRun.json.githubWrites).toEqual([]);
  expect({ ...dryRun.json, githubWrites: undefined }).toEqual({ ...answer.json, githubWrites: undefined });
  expect(reusedAnswers()).toEqual([]);
});

test('answers that planned GitHub writes are not kept', async () => {
  await seeded({ config: { ledgerCacheTtlMs: 60_000 } });
  h.emulator.resetRequests();
  const wrote = await h.post('/sync', stagingBaked);
  expect(h.emulator.counts().writes).toBe(1);
  const staging = environment({ environment: 'staging' });
  const stagingRollout = stagingBaked.related!['Rollout.kuberik.com/v1alpha1'] as any;
  const request = resync(wrote.json, staging, Object.values(stagingRollout)[0] as typeof productionRollout);
  const settled = await h.post('/sync', request);
  expect(settled.json.status).toEqual(wrote.json.status);
  expect(reusedAnswers()).toEqual([]);
  await h.post('/sync', request);
  expect(reusedAnswers()).toEqual(['default/my-app-staging Synced']);
});

test('answers that met a GitHub problem are not kept, even when they repeat the observed status', async () => {
  const ttlMs = 300;
  await seeded({ config: { ledgerCacheTtlMs: ttlMs } });
  const first = await h.post('/sync', productionRequest);
  await sleep(ttlMs + 100);
  h.emulator.injectFault({ match: { api: 'graphql' }, times: Infinity, action: { kind: 'respond', status: 502, body: { message: 'Bad gateway' } } });
  const failed = await h.post('/sync', resync(first.json));
  expect(failed.json.status.conditions.find((c: any) => c.type === 'Ready').status).toBe('False');
  const request = resync(failed.json);
  const failedAgain = await h.post('/sync', request);
  expect(failedAgain.json.status).toEqual(failed.json.status);

  h.emulator.clearFaults();
  const recovered = await h.post('/sync', request);
  expect(recovered.json.status.conditions.find((c: any) => c.type === 'Ready').status).toBe('True');
  expect(reusedAnswers()).toEqual([]);
});

test('RESPONSE_CACHE_BYTES=0 computes every answer', async () => {
  await seeded({ config: { ledgerCacheTtlMs: 60_000, responseCacheBytes: 0 } });
  const { request, answer } = await steadyProduction();
  const again = await h.post('/sync', request);
  expect(again.json).toEqual(answer.json);
  expect(reusedAnswers()).toEqual([]);
});
