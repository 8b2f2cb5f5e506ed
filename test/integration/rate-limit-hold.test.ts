/**
 * One back-off per token (issue 18, item 5). Eight applications in eight repositories share
 * one token. When GitHub answers "retry after 40 s", nothing more is sent with that token
 * until then: not by the other applications' reads, not by writes, not by a fallback to one
 * read per application. Syncs in the meantime answer from what they know, with
 * GitHubRateLimited and a resync no sooner than the hold ends. Time is an injected clock:
 * nothing sleeps, and every batched round is started by the test once its reads wait.
 */
import { encodePayload } from '../../src/core/payload.js';
import type { RecordedRequest } from '../../tools/github-emulator/index.js';
import { NOW, startHarness, type Harness } from '../support/harness.js';
import { ManualRounds } from '../support/manual-rounds.js';
import { condition, environment, rollout, sha, syncRequest } from '../support/requests.js';

const APPS = 8;
const name = (i: number) => `app-${i}`;
const repository = (i: number) => `hold-org/${name(i)}`;
const V1 = (i: number) => ({ tag: 'v1', revision: sha(`${name(i)}-v1`) });
const V2 = (i: number) => ({ tag: 'v2', revision: sha(`${name(i)}-v2`) });
const RATE_LIMITED = {
  kind: 'respond' as const,
  status: 403,
  headers: { 'retry-after': '40' },
  body: { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.' },
};

let h: Harness;
let scheduler: ManualRounds;
afterEach(async () => {
  await h?.close();
});

/** The service's wall clock and its shared reads' clock, `second` s after NOW. */
let clockMs = NOW.getTime();
function at(second: number): void {
  clockMs = NOW.getTime() + second * 1000;
  h.setNow(new Date(clockMs));
}

async function start(): Promise<void> {
  scheduler = new ManualRounds();
  clockMs = NOW.getTime();
  h = await startHarness({ config: { ledgerCacheTtlMs: 5_000 }, deps: { nowMs: () => clockMs, fleetScheduler: scheduler } });
  for (let i = 0; i < APPS; i++) {
    h.emulator.addRepository(repository(i));
    const deploy = (env: string) =>
      h.emulator.seedDeployment(repository(i), {
        sha: V1(i).revision,
        task: `deploy:kuberik/${name(i)}`,
        environment: `kuberik/${name(i)}/${env}`,
        payload: encodePayload({ id: 1, version: V1(i) }),
        created_at: '2026-11-01T00:00:00Z',
        statuses: [{ state: 'success', description: 'Bake succeeded', created_at: '2026-11-01T00:00:00Z' }],
      });
    deploy('staging');
    deploy('production'); // already published: a sync has nothing to write
  }
}

const parents = Array.from({ length: APPS }, (_, i) =>
  environment({
    name: `${name(i)}-production`,
    app: name(i),
    environment: 'production',
    project: repository(i),
    relationship: { environment: 'staging', type: 'After' },
    requeueInterval: '5s',
  }),
);

/** Production's Rollout history: v1, and for app-0 from `releaseAt` on a v2 to publish. */
function history(i: number, withV2: boolean) {
  const v1 = { id: 1, ...V1(i), bakeStatus: 'Succeeded' };
  return rollout(withV2 ? [{ id: 2, ...V2(i), bakeStatus: 'InProgress' }, v1] : [v1], [V1(i)]);
}

/** Every application syncs at once; `rounds` are the batched rounds their reads need, started as their reads wait. */
async function wave(options: { rounds?: number[]; app0HasV2?: boolean } = {}) {
  const answers = Promise.all(parents.map((parent, i) => h.post('/sync', syncRequest({ parent, rollout: history(i, i === 0 && !!options.app0HasV2) }))));
  for (const reads of options.rounds ?? []) await scheduler.start(reads);
  return (await answers).map((a) => {
    expect(a.status).toBe(200);
    return a.json;
  });
}

const sent = (requests: readonly RecordedRequest[]) => requests.map((r) => `${r.method} ${r.api === 'graphql' ? r.operationName : r.path} ${r.status}`);

test('a write rate-limited for 40 s holds every read and write of the token: 15 s of syncs of 8 applications send nothing', async () => {
  await start();
  at(0);
  const first = await wave({ rounds: [APPS] });
  expect(first.map((a) => condition(a.status, 'Ready').reason)).toEqual(Array(APPS).fill('Synced'));
  h.emulator.resetRequests();

  // t = 1 s: app-0 has a release to publish; GitHub rate-limits the deployment's creation for 40 s.
  at(1);
  h.emulator.injectFault({ match: { api: 'rest', method: 'POST' }, action: RATE_LIMITED });
  const app0 = h.post('/sync', syncRequest({ parent: parents[0]!, rollout: history(0, true) }));
  await scheduler.start(1); // its read before writing
  const published = (await app0).json;
  expect(condition(published.status, 'Ready').reason).toBe('GitHubRateLimited');
  expect(published.resyncAfterSeconds).toBe(40);
  expect(sent(h.emulator.requests)).toEqual(['POST ReadLedger 200', `POST /repos/${repository(0)}/deployments 403`]);
  // One log line when the hold begins: the API host and its end, never the token.
  const holds = h.logs.filter((l) => l.includes('GitHub rate-limited a token'));
  expect(holds).toHaveLength(1);
  expect(JSON.parse(holds[0]!)).toMatchObject({
    level: 40,
    apiHost: new URL(h.emulator.url).host,
    operation: 'CreateDeployment',
    until: '2026-11-26T12:00:41.000Z',
  });

  // t = 6, 11, 16 s: every application syncs (app-0 still wants to publish; all shared reads are past their 5 s).
  for (const second of [6, 11, 16]) {
    at(second);
    const answers = await wave({ app0HasV2: true });
    expect(answers.map((a) => condition(a.status, 'Ready').reason)).toEqual(Array(APPS).fill('GitHubRateLimited'));
    expect(answers.map((a) => a.resyncAfterSeconds)).toEqual(Array(APPS).fill(41 - second));
    // Answered from what was read before: every gate still allows v1.
    expect(answers.map((a) => a.children[0].spec.allowedVersions)).toEqual(Array(APPS).fill(['v1']));
    expect(condition(answers[1].status, 'Ready').message).toBe('GitHub rate-limited this token: nothing is sent with it until 2026-11-26T12:00:41Z');
  }
  expect(sent(h.emulator.requests)).toHaveLength(2);

  // t = 41 s: the hold is over; one batched read serves all eight (app-0's too: it was made for this sync), and app-0 publishes.
  at(41);
  h.emulator.resetRequests();
  const after = wave({ app0HasV2: true });
  await scheduler.start(APPS);
  expect((await after).map((a) => condition(a.status, 'Ready').reason)).toEqual(Array(APPS).fill('Synced'));
  expect(sent(h.emulator.requests)).toEqual(['POST ReadLedger 200', `POST /repos/${repository(0)}/deployments 201`, 'POST PostDeploymentStatus 200']);
});

test('a batched read rate-limited for 40 s is not retried per application, and the next 15 s of syncs send nothing', async () => {
  await start();
  h.emulator.injectFault({ match: { api: 'graphql' }, action: RATE_LIMITED });
  at(0);
  const answers = await wave({ rounds: [APPS] });
  expect(answers.map((a) => condition(a.status, 'Ready').reason)).toEqual(Array(APPS).fill('GitHubRateLimited'));
  expect(answers.map((a) => a.resyncAfterSeconds)).toEqual(Array(APPS).fill(40));
  expect(sent(h.emulator.requests)).toEqual(['POST ReadLedger 403']);
  for (const second of [5, 10, 15]) {
    at(second);
    const held = await wave();
    expect(held.map((a) => a.resyncAfterSeconds)).toEqual(Array(APPS).fill(40 - second));
    // Nothing was ever read: the gates fail closed, as on any first sync GitHub refuses.
    expect(held.map((a) => condition(a.status, 'GateReady').reason)).toEqual(Array(APPS).fill('GateClosed'));
  }
  expect(h.emulator.counts().total).toBe(1);
});

test('a batched read that fails with 502 is not retried per application either: one request, every application GitHubUnavailable', async () => {
  await start();
  h.emulator.injectFault({ match: { api: 'graphql' }, action: { kind: 'respond', status: 502, body: { message: 'Server Error' } } });
  const answers = await wave({ rounds: [APPS] });
  expect(answers.map((a) => condition(a.status, 'Ready').reason)).toEqual(Array(APPS).fill('GitHubUnavailable'));
  expect(h.emulator.counts().total).toBe(1);
});

test('a batched read refused over one repository, without a path to name it, falls back to one read per application', async () => {
  await start();
  const forbidden = { type: 'FORBIDDEN', message: 'Resource protected by organization SAML enforcement.' };
  h.emulator.injectFault({ match: { api: 'graphql' }, action: { kind: 'respond', status: 200, body: { data: null, errors: [forbidden] } } });
  const answers = await wave({ rounds: [APPS] });
  expect(answers.map((a) => condition(a.status, 'Ready').reason)).toEqual(Array(APPS).fill('Synced'));
  // The failed round, then each application alone (a cold lone read selects its windows inline: one request).
  expect(h.emulator.counts().graphql).toBe(1 + APPS);
});
