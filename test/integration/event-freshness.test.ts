/**
 * GitHub event marks and shared reads, across replicas that share nothing (issue 21). The
 * webhook receiver marks an Environment (`environments.kuberik.com/github-event`) when GitHub
 * reports news about it; a sync carrying the mark must not decide on a read that started
 * before the event: not a shared read, not a batched round already in flight. Two instances
 * of the service, each with its own clock (injected, advanced by the test: nothing sleeps),
 * one GitHub emulator. Production waits for staging; staging's v2 bake succeeds on GitHub
 * after both instances cached a read.
 */
import type { FastifyInstance } from 'fastify';
import { request } from 'undici';
import { buildApp, createLogger } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import { formatGithubEventAnnotation, GITHUB_EVENT_ANNOTATION } from '../../src/core/github-event.js';
import { encodePayload } from '../../src/core/payload.js';
import type { SyncRequest } from '../../src/generated/hooks.js';
import { startHarness, REPOSITORY, type Harness } from '../support/harness.js';
import { environment, rollout, sha, syncRequest, TOKEN } from '../support/requests.js';

const T0 = Date.parse('2026-11-01T00:00:00Z');
const at = (second: number) => new Date(T0 + second * 1000).toISOString().replace('.000Z', 'Z');
const V1 = { tag: 'v1', revision: sha('v1') };
const V2 = { tag: 'v2', revision: sha('v2') };
/** Shared reads live 10 s: every sync below, unmarked, would be served from the cache. Budgets for a busy machine. */
const CONFIG = { ledgerCacheTtlMs: 10_000, syncBudgetMs: 20_000, githubTimeoutMs: 15_000 };

let a: Harness;
let b: FastifyInstance | undefined;
afterEach(async () => {
  await b?.close();
  b = undefined;
  await a?.close();
});

function seed(): { bakingId: number } {
  const deploy = (env: string, id: number, version: typeof V1, second: number, status: { state: string; description: string }) =>
    a.emulator.seedDeployment(REPOSITORY, {
      sha: version.revision,
      task: 'deploy:kuberik/my-app',
      environment: `kuberik/my-app/${env}`,
      payload: encodePayload({ id, version }),
      created_at: at(second),
      statuses: [{ ...status, created_at: at(second) }],
    });
  deploy('staging', 1, V1, -600, { state: 'success', description: 'Bake succeeded' });
  deploy('production', 1, V1, -300, { state: 'success', description: 'Bake succeeded' });
  return { bakingId: deploy('staging', 2, V2, -60, { state: 'in_progress', description: 'Baking in progress' }).id };
}

/** The other cluster records staging's bake success on GitHub. */
async function bakeSucceeds(deploymentId: number): Promise<void> {
  const res = await request(`${a.emulator.url}/repos/${REPOSITORY}/deployments/${deploymentId}/statuses`, {
    method: 'POST',
    headers: { authorization: `token ${TOKEN}`, 'content-type': 'application/json', 'user-agent': 'test' },
    body: JSON.stringify({ state: 'success', description: 'Bake succeeded' }),
  });
  expect(res.statusCode).toBe(201);
  await res.body.dump();
}

/** Production's sync request; `markAtMs`: the receiver accepted a delivery about it then (receiver's clock). */
function production(markAtMs?: number, deliveryId = 'delivery-1'): SyncRequest {
  const parent = environment({ environment: 'production', relationship: { environment: 'staging', type: 'After' } });
  if (markAtMs !== undefined) parent.metadata.annotations = { [GITHUB_EVENT_ANNOTATION]: formatGithubEventAnnotation(deliveryId, markAtMs) };
  return syncRequest({ parent, rollout: rollout([{ id: 1, ...V1, bakeStatus: 'Succeeded' }], [V2, V1]) });
}

async function answer(url: string, body: SyncRequest): Promise<{ gate: string[]; resyncAfterSeconds: number }> {
  const res = await request(`${url}/sync`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.statusCode).toBe(200);
  const json = (await res.body.json()) as { children: { spec: { allowedVersions: string[] } }[]; resyncAfterSeconds: number };
  return { gate: json.children[0]!.spec.allowedVersions, resyncAfterSeconds: json.resyncAfterSeconds };
}

async function gate(url: string, body: SyncRequest): Promise<string[]> {
  return (await answer(url, body)).gate;
}

async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  return typeof address === 'object' && address ? `http://127.0.0.1:${address.port}` : '';
}

const ledgerReads = () => a.emulator.requests.filter((r) => r.api === 'graphql' && !r.mutation).length;

test('two replicas, each with a read cached before the event: a sync carrying the mark reads afresh on both, even on a replica whose clock runs 3 s ahead', async () => {
  // Real time t, in ms after T0; the receiver's clock is right, replica A's too, replica B's runs 3 s ahead.
  let t = 0;
  a = await startHarness({ config: CONFIG, deps: { nowMs: () => T0 + t } });
  const config: Config = { ...loadConfig({}), githubApiUrl: a.emulator.url, ...CONFIG };
  b = await buildApp(config, { logger: createLogger('silent'), nowMs: () => T0 + t + 3000 });
  const bUrl = await listen(b);
  const { bakingId } = seed();

  expect(await gate(a.url, production())).toEqual(['v1']);
  expect(await gate(bUrl, production())).toEqual(['v1']);
  const readsBefore = ledgerReads();

  t = 1000;
  await bakeSucceeds(bakingId);
  const markAtMs = T0 + 1500; // the receiver accepts the delivery and marks production

  t = 2000;
  // B's read started at its 3.0 s, after the mark's 1.5 s by the clocks; only the skew allowance tells it may predate the event.
  expect(await gate(a.url, production(markAtMs))).toEqual(['v2', 'v1']);
  expect(await gate(bUrl, production(markAtMs))).toEqual(['v2', 'v1']);
  // Each re-read: the ledger, then the statuses of the deployment whose newest status changed.
  expect(ledgerReads() - readsBefore).toBe(4);

  // The same mark again (Metacontroller resyncs, the other Environments it nudged): the reads made after it was seen serve them.
  t = 3000;
  expect(await gate(a.url, production(markAtMs))).toEqual(['v2', 'v1']);
  expect(await gate(bUrl, production(markAtMs))).toEqual(['v2', 'v1']);
  expect(ledgerReads() - readsBefore).toBe(4);
});

test('a sync carrying the mark does not join a batched round that started before the event; it waits for the next round', async () => {
  let t = 0;
  a = await startHarness({ config: CONFIG, deps: { nowMs: () => T0 + t } });
  const { bakingId } = seed();
  expect(await gate(a.url, production())).toEqual(['v1']);

  t = 11_000; // the shared read expired: the next sync starts a round, which GitHub answers from what it holds now, late
  a.emulator.injectFault({ match: { api: 'graphql', mutation: false }, action: { kind: 'delay-response', ms: 2500 } });
  const readsBefore = ledgerReads();
  const unmarked = gate(a.url, production());
  while (ledgerReads() === readsBefore) await new Promise((resolve) => setImmediate(resolve));

  await bakeSucceeds(bakingId);
  t = 12_000;
  const marked = await gate(a.url, production(T0 + 11_500));
  expect(marked).toEqual(['v2', 'v1']);
  expect(await unmarked).toEqual(['v1']);
  expect(a.emulator.requests.filter((r) => r.fault === 'delay-response')).toHaveLength(1);
  // The late round, then the next one: the ledger and the changed deployment's statuses.
  expect(ledgerReads() - readsBefore).toBe(3);
});

test('the mark on a sibling Environment of the same application counts as well', async () => {
  let t = 0;
  a = await startHarness({ config: CONFIG, deps: { nowMs: () => T0 + t } });
  const { bakingId } = seed();
  expect(await gate(a.url, production())).toEqual(['v1']);

  t = 1000;
  await bakeSucceeds(bakingId);
  t = 2000;
  const body = production();
  const staging = environment({ environment: 'staging' });
  staging.metadata.annotations = { [GITHUB_EVENT_ANNOTATION]: formatGithubEventAnnotation('delivery-2', T0 + 1500) };
  const withSibling = syncRequest({ parent: body.parent, siblings: [staging], rollout: rollout([{ id: 1, ...V1, bakeStatus: 'Succeeded' }], [V2, V1]) });
  expect(await gate(a.url, withSibling)).toEqual(['v2', 'v1']);
});

describe('events flowing for the repository: no near-change polling', () => {
  /** Production, with an Environment of another application of the same repository that the receiver marked at `markAtMs`. */
  const withMarkedNeighbour = (markAtMs: number) => {
    const body = production();
    const neighbour = environment({ name: 'other-app-dev', app: 'other-app', environment: 'dev' });
    neighbour.metadata.annotations = { [GITHUB_EVENT_ANNOTATION]: formatGithubEventAnnotation('delivery-0', markAtMs) };
    return syncRequest({ parent: body.parent, siblings: [neighbour], rollout: rollout([{ id: 1, ...V1, bakeStatus: 'Succeeded' }], [V2, V1]) });
  };

  test.each([
    ['no mark: staging bakes, production polls at NEAR_CHANGE_RESYNC_SECONDS', undefined, 10],
    ['a mark exactly EVENTS_FLOWING_WINDOW_SECONDS old: the requeueInterval', -3_600_000, 60],
    ['a mark a millisecond older than the window: polls again', -3_600_001, 10],
    ['a mark from a receiver clock ahead of ours counts as recent', 2_000, 60],
  ])('%s', async (_title, markOffsetMs, expected) => {
    a = await startHarness({ config: CONFIG, deps: { nowMs: () => T0 } });
    a.setNow(new Date(T0));
    seed();
    const body = markOffsetMs === undefined ? production() : withMarkedNeighbour(T0 + markOffsetMs);
    expect(await answer(a.url, body)).toEqual({ gate: ['v1'], resyncAfterSeconds: expected });
  });

  test('EVENTS_FLOWING_WINDOW_SECONDS=0: near-change polling whatever the marks', async () => {
    a = await startHarness({ config: { ...CONFIG, eventsFlowingWindowSeconds: 0 }, deps: { nowMs: () => T0 } });
    a.setNow(new Date(T0));
    seed();
    expect(await answer(a.url, withMarkedNeighbour(T0))).toEqual({ gate: ['v1'], resyncAfterSeconds: 10 });
  });

  test('where events flow, a shared read serves syncs without a newer mark for EVENTS_FLOWING_TTL_MS (60 s), not LEDGER_CACHE_TTL_MS (10 s here)', async () => {
    let t = 0;
    a = await startHarness({ config: CONFIG, deps: { nowMs: () => T0 + t } });
    a.setNow(new Date(T0));
    seed();
    const markAtMs = T0 - 60_000;
    expect(await answer(a.url, production(markAtMs))).toEqual({ gate: ['v1'], resyncAfterSeconds: 60 });
    const reads = ledgerReads();
    t = 59_999;
    expect(await answer(a.url, production(markAtMs))).toEqual({ gate: ['v1'], resyncAfterSeconds: 60 });
    expect(ledgerReads()).toBe(reads);
    t = 60_000;
    expect(await answer(a.url, production(markAtMs))).toEqual({ gate: ['v1'], resyncAfterSeconds: 60 });
    expect(ledgerReads()).toBe(reads + 1);
    // Without events (no mark at all), the next read is kept LEDGER_CACHE_TTL_MS.
    t = 71_000;
    expect(await answer(a.url, production())).toEqual({ gate: ['v1'], resyncAfterSeconds: 10 });
    expect(ledgerReads()).toBe(reads + 2);
    t = 81_000;
    expect(await answer(a.url, production())).toEqual({ gate: ['v1'], resyncAfterSeconds: 10 });
    expect(ledgerReads()).toBe(reads + 3);
  });

  test("a missed event (staging's bake success never delivered) is caught by the next regular resync", async () => {
    let t = 0;
    a = await startHarness({ config: CONFIG, deps: { nowMs: () => T0 + t } });
    a.setNow(new Date(T0));
    const { bakingId } = seed();
    // An earlier delivery (staging's "Baking in progress") marked production a minute ago.
    const markAtMs = T0 - 60_000;
    expect(await answer(a.url, production(markAtMs))).toEqual({ gate: ['v1'], resyncAfterSeconds: 60 });

    t = 5_000;
    await bakeSucceeds(bakingId); // GitHub's delivery of this never arrives: the mark stays the old one
    t = 60_000;
    a.setNow(new Date(T0 + 60_000));
    expect(await answer(a.url, production(markAtMs))).toEqual({ gate: ['v2', 'v1'], resyncAfterSeconds: 60 });
  });
});
