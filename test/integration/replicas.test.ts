/**
 * Two instances of the service (two replicas, or one before and one after a restart) and
 * one GitHub: a deployment creation that GitHub records only after the hook gave up must
 * not be created a second time by the other instance. The guard travels in the status
 * (status.unconfirmedCreations) that Metacontroller sends back with the next sync.
 */
import type { FastifyInstance } from 'fastify';
import { request } from 'undici';
import { buildApp, createLogger } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import { startHarness, NOW, REPOSITORY, type Harness } from '../support/harness.js';
import { condition, environment, rollout, sha, syncRequest } from '../support/requests.js';

const R1 = sha('r1');
const HISTORY = [{ id: 1, tag: 'v1.0.0', revision: R1, bakeStatus: 'Succeeded', bakeStatusMessage: 'Bake time completed' }];
const CONFIG = { syncBudgetMs: 2000, githubTimeoutMs: 6000 };

let a: Harness;
let b: { app: FastifyInstance; url: string } | undefined;
afterEach(async () => {
  await b?.app.close();
  b = undefined;
  await a?.close();
});

/** A second instance of the service against the same GitHub, with a clock of its own. */
async function secondInstance(): Promise<{ app: FastifyInstance; url: string }> {
  const config: Config = { ...loadConfig({}), githubApiUrl: a.emulator.url, ledgerCacheTtlMs: 0, ...CONFIG };
  const app = await buildApp(config, { logger: createLogger('silent'), now: () => NOW });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  return { app, url: typeof address === 'object' && address ? `http://127.0.0.1:${address.port}` : '' };
}

async function post(url: string, body: unknown): Promise<any> {
  const res = await request(`${url}/sync`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.statusCode).toBe(200);
  return res.body.json();
}

const sync = (status: Record<string, unknown>) => syncRequest({ parent: environment({ environment: 'staging', status }), rollout: rollout(HISTORY) });

/** GitHub records the held creation now (its answer may find the client gone: it gave up after its 6 s timeout). */
async function creationLanded(): Promise<void> {
  await a.emulator.releaseHeld();
  expect(stagingDeployments().map((d) => d.sha)).toContain(R1);
}

/** A first sync on each instance (an Environment without history), so that the timed syncs do not pay for cold code. */
async function warmUp(): Promise<void> {
  const dev = syncRequest({ parent: environment({ environment: 'dev' }), rollout: rollout([]) });
  await post(a.url, dev);
  await post(b!.url, dev);
  a.emulator.resetRequests();
}

/** Instances A and B, warmed up; GitHub records the next deployment creation only when the test lets it (after the hook's 2 s budget). */
async function twoInstancesWithLateCreation(): Promise<{ url: string }> {
  a = await startHarness({ config: CONFIG });
  const second = await secondInstance();
  b = second;
  await warmUp();
  a.emulator.injectFault({ match: { api: 'rest', method: 'POST', pathIncludes: '/deployments' }, action: { kind: 'hold' } });
  return second;
}

const stagingDeployments = () => a.emulator.deployments(REPOSITORY).filter((d) => d.environment === 'kuberik/my-app/staging');

test('sync N on instance A leaves a creation unconfirmed; sync N+1 on instance B does not create it again: exactly one deployment', async () => {
  const instanceB = await twoInstancesWithLateCreation();

  const sent = performance.now();
  const first = await post(a.url, sync({}));
  const answeredAfterMs = performance.now() - sent;
  expect(condition(first.status, 'Ready')).toEqual({
    status: 'False',
    reason: 'GitHubTimeout',
    message: `GitHub did not answer in time during creating the deployment of history entry 1 (${R1.slice(0, 12)})`,
  });
  expect(first.status.unconfirmedCreations).toEqual([{ id: 1, revision: R1, until: expect.any(String) }]);
  // Request timeout (6 s) + GitHub's processing limit (10 s) from when the creation started, which was after the
  // request was sent; the answer counts down from when it was made, before it arrived. Written rounded up to the second.
  const untilMs = Date.parse(first.status.unconfirmedCreations[0].until) - NOW.getTime();
  expect(untilMs).toBeGreaterThanOrEqual(16_000 - answeredAfterMs);
  expect(untilMs).toBeLessThanOrEqual(16_000);
  expect(stagingDeployments()).toHaveLength(0);

  // Metacontroller sends the status it wrote; another replica (or this one, restarted) answers.
  const second = await post(instanceB.url, sync(first.status));
  expect(condition(second.status, 'Ready')).toEqual({
    status: 'False',
    reason: 'DeploymentUnconfirmed',
    message: `An earlier attempt at creating the deployment of history entry 1 (${R1.slice(0, 12)}) got no answer and GitHub may still record it; it is not attempted again until that is settled`,
  });
  expect(second.status.unconfirmedCreations).toEqual(first.status.unconfirmedCreations);
  expect(a.emulator.requests.filter((r) => r.api === 'rest' && r.method === 'POST' && r.path.endsWith('/deployments'))).toHaveLength(1);

  await creationLanded();
  const third = await post(instanceB.url, sync(second.status));
  expect(condition(third.status, 'Ready')).toEqual({ status: 'True', reason: 'Synced', message: 'Environment is in sync with GitHub' });
  expect(third.status.unconfirmedCreations).toBeUndefined();
  expect(stagingDeployments().map((d) => [d.sha, d.statuses.map((s) => s.state)])).toEqual([[R1, ['success']]]);
});

test('the guard is the status: instance B, sent a status without it, creates the deployment a second time', async () => {
  const instanceB = await twoInstancesWithLateCreation();

  const first = await post(a.url, sync({}));
  expect(first.status.unconfirmedCreations).toEqual([{ id: 1, revision: R1, until: expect.any(String) }]);
  const { unconfirmedCreations: _dropped, ...withoutGuard } = first.status as Record<string, unknown>;
  await post(instanceB.url, sync(withoutGuard));
  await creationLanded();
  expect(stagingDeployments().map((d) => d.sha)).toEqual([R1, R1]);
});

test('a read that joins a batched round already in flight is re-read before writing: a deployment another instance created meanwhile is not created again', async () => {
  let clockMs = NOW.getTime();
  // Instance A batches its reads (a shared read lives 5 s); instance B reads GitHub directly.
  let joined!: () => void;
  const joinedRound = new Promise<void>((resolve) => (joined = resolve));
  // Budgets long enough to hold the round's answer for as long as the test needs.
  a = await startHarness({
    config: { syncBudgetMs: 60_000, githubTimeoutMs: 60_000, ledgerCacheTtlMs: 5000 },
    deps: { nowMs: () => clockMs, onFleetJoin: () => joined() },
  });
  b = await secondInstance();
  const R2 = sha('r2');
  const history2 = [{ id: 2, tag: 'v2.0.0', revision: R2, bakeStatus: 'Succeeded', bakeStatusMessage: 'Bake time completed' }, ...HISTORY];
  const staging2 = (status: Record<string, unknown>) => syncRequest({ parent: environment({ environment: 'staging', status }), rollout: rollout(history2) });
  const otherApp = syncRequest({ parent: environment({ app: 'other-app', environment: 'dev' }), rollout: rollout([]) });

  const synced = await post(a.url, sync({})); // my-app on A: v1 published, and tracked for its token's rounds
  await post(a.url, otherApp);
  clockMs += 6000; // both shared reads on A expire: the next round reads other-app and refreshes my-app along
  a.emulator.injectFault({ match: { api: 'graphql', mutation: false }, action: { kind: 'hold-response' } });
  const round = post(a.url, otherApp); // GitHub answers this round from what it holds now, but only when the test lets it
  await a.emulator.whenHeld(1);

  await post(b.url, staging2(synced.status)); // meanwhile B publishes v2
  expect(
    stagingDeployments()
      .map((d) => d.sha)
      .sort(),
  ).toEqual([R1, R2].sort());

  // A's sync of the same history joins the round in flight, which cannot know v2: it must re-read before creating.
  const answering = post(a.url, staging2(synced.status));
  await joinedRound;
  await a.emulator.releaseHeld();
  const answer = await answering;
  await round;
  expect(condition(answer.status, 'Ready')).toEqual({ status: 'True', reason: 'Synced', message: 'Environment is in sync with GitHub' });
  expect(
    stagingDeployments()
      .map((d) => d.sha)
      .sort(),
  ).toEqual([R1, R2].sort());
  expect(a.emulator.requests.filter((r) => r.fault === 'hold-response')).toHaveLength(1);
});
