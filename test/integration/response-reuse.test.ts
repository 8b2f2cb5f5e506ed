/**
 * Byte-identical resyncs (Metacontroller resending an unchanged Environment) are answered
 * from memory, but only while the shared GitHub read they were computed from is current.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { buildApp, createLogger } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { goControllerFixture } from '../support/shared.js';
import { startHarness, NOW, REPOSITORY, type Harness } from '../support/harness.js';
import { environment, rollout, syncRequest } from '../support/requests.js';

const goFixture = goControllerFixture();
const FIXTURE_REV = { 'v1.0.0': '9f1c2e7a4b3d5f60718293a4b5c6d7e8f9012345', 'v1.1.0': '0a9c600d3a75bcb7ec54dcef3b03e0d7fe0598d7', 'v1.2.0': '5b2e8d1c9a7f6e4d3c2b1a0f9e8d7c6b5a493827' };
const candidates = Object.entries(FIXTURE_REV).map(([tag, revision]) => ({ tag, revision }));
const production = environment({ environment: 'production', relationship: { environment: 'staging', type: 'After' } });
const productionRequest = syncRequest({
  parent: production,
  rollout: rollout([{ id: 7, tag: 'v1.0.0', revision: FIXTURE_REV['v1.0.0'], bakeStatus: 'Succeeded', bakeStatusMessage: 'Bake completed (no bake time configured).' }], candidates),
});
const stagingBaked = syncRequest({
  parent: environment({ environment: 'staging' }),
  rollout: rollout([
    { id: 3, tag: 'v1.2.0', revision: FIXTURE_REV['v1.2.0'], bakeStatus: 'Succeeded', bakeStatusMessage: 'Bake time completed' },
    { id: 2, tag: 'v1.1.0', revision: FIXTURE_REV['v1.1.0'], bakeStatus: 'Failed', bakeStatusMessage: 'A HealthCheck reported an error after deployment.' },
    { id: 1, tag: 'v1.0.0', revision: FIXTURE_REV['v1.0.0'], bakeStatus: 'Succeeded', bakeStatusMessage: 'Bake time completed successfully (no errors within bake time).' },
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

test('a byte-identical resync gets the same bytes without recomputing or asking GitHub', async () => {
  await seeded({ config: { ledgerCacheTtlMs: 60_000 } });
  const first = await h.post('/sync', productionRequest);
  expect(first.status).toBe(200);
  expect(allowedVersions(first.json)).toEqual(['v1.0.0']);
  // A cold read: the deployments with their status windows, in one request.
  expect(h.emulator.counts()).toEqual({ total: 1, graphql: 1, rest: 0, reads: 1, writes: 0 });
  expect(reusedAnswers()).toEqual([]);

  h.emulator.resetRequests();
  const second = await h.post('/sync', productionRequest);
  const third = await h.post('/sync', JSON.stringify(productionRequest));
  expect(second.status).toBe(200);
  expect(second.text).toBe(first.text);
  expect(third.text).toBe(first.text);
  expect(h.emulator.counts().total).toBe(0);
  expect(reusedAnswers()).toEqual(['default/my-app-production Synced', 'default/my-app-production Synced']);
});

test('a changed request is computed afresh', async () => {
  await seeded({ config: { ledgerCacheTtlMs: 60_000 } });
  const first = await h.post('/sync', productionRequest);
  const changed = structuredClone(productionRequest);
  changed.parent.metadata.generation = 2;
  const second = await h.post('/sync', changed);
  expect(reusedAnswers()).toEqual([]);
  expect(second.json.status.conditions.map((c: any) => c.observedGeneration)).toEqual([2, 2, 2, 2]);
  expect(first.json.status.conditions.map((c: any) => c.observedGeneration)).toEqual([1, 1, 1, 1]);
});

test('a GitHub write by another Environment of the application ends reuse at once', async () => {
  await seeded({ config: { ledgerCacheTtlMs: 60_000 } });
  const before = await h.post('/sync', productionRequest);
  expect(allowedVersions(before.json)).toEqual(['v1.0.0']);

  h.emulator.resetRequests();
  await h.post('/sync', stagingBaked);
  expect(h.emulator.counts().writes).toBe(1);

  const after = await h.post('/sync', productionRequest);
  expect(allowedVersions(after.json)).toEqual(['v1.0.0', 'v1.2.0']);
  expect(reusedAnswers()).toEqual([]);
});

test('reuse ends with the shared read: a change made by another cluster shows once LEDGER_CACHE_TTL_MS has passed', async () => {
  const ttlMs = 1500;
  await seeded({ config: { ledgerCacheTtlMs: ttlMs } });
  // Another cluster's service, writing to the same GitHub.
  const otherCluster = await buildApp({ ...loadConfig({}), githubApiUrl: h.emulator.url, ledgerCacheTtlMs: 0 }, { logger: createLogger('silent'), now: () => NOW });
  try {
    const before = await h.post('/sync', productionRequest);
    expect(allowedVersions(before.json)).toEqual(['v1.0.0']);
    const staging = await otherCluster.inject({ method: 'POST', url: '/sync', payload: stagingBaked });
    expect(staging.statusCode).toBe(200);

    const withinTtl = await h.post('/sync', productionRequest);
    expect(withinTtl.text).toBe(before.text);
    expect(reusedAnswers()).toEqual(['default/my-app-production Synced']);

    await sleep(ttlMs + 100);
    const after = await h.post('/sync', productionRequest);
    expect(allowedVersions(after.json)).toEqual(['v1.0.0', 'v1.2.0']);
    expect(reusedAnswers()).toEqual(['default/my-app-production Synced']);
  } finally {
    await otherCluster.close();
  }
});

test('dry runs are always computed and keep their githubWrites', async () => {
  await seeded({ config: { ledgerCacheTtlMs: 60_000 } });
  const first = await h.post('/sync', productionRequest);
  const dryRun = await h.post('/sync?dryRun=true', productionRequest);
  expect(dryRun.status).toBe(200);
  expect(dryRun.json.githubWrites).toEqual([]);
  expect({ ...dryRun.json, githubWrites: undefined }).toEqual({ ...first.json, githubWrites: undefined });
  expect(reusedAnswers()).toEqual([]);
});

test('answers that planned GitHub writes are not kept', async () => {
  await seeded({ config: { ledgerCacheTtlMs: 60_000 } });
  h.emulator.resetRequests();
  await h.post('/sync', stagingBaked);
  expect(h.emulator.counts().writes).toBe(1);
  await h.post('/sync', stagingBaked);
  expect(reusedAnswers()).toEqual([]);
  await h.post('/sync', stagingBaked);
  expect(reusedAnswers()).toEqual(['default/my-app-staging Synced']);
});

test('answers that met a GitHub problem are not kept', async () => {
  await seeded({ config: { ledgerCacheTtlMs: 60_000 } });
  h.emulator.injectFault({ match: { api: 'graphql' }, action: { kind: 'respond', status: 502, body: { message: 'Bad gateway' } } });
  const failed = await h.post('/sync', productionRequest);
  expect(failed.json.status.conditions.find((c: any) => c.type === 'Ready').status).toBe('False');
  const recovered = await h.post('/sync', productionRequest);
  expect(recovered.json.status.conditions.find((c: any) => c.type === 'Ready').reason).toBe('Synced');
  expect(reusedAnswers()).toEqual([]);
});

test('RESPONSE_CACHE_BYTES=0 computes every answer', async () => {
  await seeded({ config: { ledgerCacheTtlMs: 60_000, responseCacheBytes: 0 } });
  const first = await h.post('/sync', productionRequest);
  const second = await h.post('/sync', productionRequest);
  expect(second.text).toBe(first.text);
  expect(reusedAnswers()).toEqual([]);
});
