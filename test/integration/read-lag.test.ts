/**
 * GitHub's reads may lag behind its writes (issue 18, item 9): a deployment GitHub confirmed
 * (201) can be missing from the next read. It must not be created again meanwhile, by this
 * instance or by another one given the status. The emulator holds new deployments out of its
 * listings until the test lets reads catch up.
 */
import type { FastifyInstance } from 'fastify';
import { request } from 'undici';
import { buildApp, createLogger } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { NOW, REPOSITORY, startHarness, type Harness } from '../support/harness.js';
import { condition, environment, rollout, sha, syncRequest } from '../support/requests.js';

const R1 = sha('lag-r1');
/** Generous budgets: a first sync on a busy machine may be slow, and what is checked here is what is written, not how fast. */
const CONFIG = { syncBudgetMs: 20_000, githubTimeoutMs: 20_000 };
const HISTORY = [{ id: 1, tag: 'v1.0.0', revision: R1, bakeStatus: 'Succeeded', bakeStatusMessage: 'Bake time completed' }];

let a: Harness;
let b: FastifyInstance | undefined;
afterEach(async () => {
  await b?.close();
  b = undefined;
  await a?.close();
});

async function post(url: string, body: unknown): Promise<any> {
  const res = await request(`${url}/sync`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.statusCode).toBe(200);
  return res.body.json();
}

const sync = (status: Record<string, unknown>) => syncRequest({ parent: environment({ environment: 'staging', status }), rollout: rollout(HISTORY) });

test('a confirmed creation is not made again while reads do not show it, by this instance or another given the status', async () => {
  a = await startHarness({ config: CONFIG });
  b = await buildApp({ ...loadConfig({}), githubApiUrl: a.emulator.url, ledgerCacheTtlMs: 0, ...CONFIG }, { logger: createLogger('silent'), now: () => NOW });
  await b.listen({ port: 0, host: '127.0.0.1' });
  const address = b.server.address();
  const urlB = typeof address === 'object' && address ? `http://127.0.0.1:${address.port}` : '';

  a.emulator.lagReads();
  const first = await post(a.url, sync({}));
  expect(condition(first.status, 'Ready').reason).toBe('Synced');
  expect(a.emulator.counts().writes).toBe(2); // the deployment and its status
  // Until a read shows it, at most GITHUB_TIMEOUT_MS (20 s here) after it was asked plus GitHub's 10 s processing limit.
  expect(first.status.unconfirmedCreations).toEqual([{ id: 1, revision: R1, until: '2026-11-26T12:00:30Z' }]);

  const again = await post(a.url, sync(first.status));
  expect(condition(again.status, 'Ready')).toEqual({
    status: 'False',
    reason: 'DeploymentUnconfirmed',
    message: `GitHub confirmed creating the deployment of history entry 1 (${R1.slice(0, 12)}), but its reads do not show the deployment yet; it is not created again while they catch up`,
  });
  const other = await post(urlB, sync(first.status));
  expect(condition(other.status, 'Ready').reason).toBe('DeploymentUnconfirmed');
  expect(other.status.unconfirmedCreations).toEqual(first.status.unconfirmedCreations);
  expect(a.emulator.counts().writes).toBe(2);

  a.emulator.catchUpReads();
  const settled = await post(urlB, sync(other.status));
  expect(condition(settled.status, 'Ready').reason).toBe('Synced');
  expect(settled.status.unconfirmedCreations).toBeUndefined();
  expect(a.emulator.counts().writes).toBe(2);
  expect(a.emulator.deployments(REPOSITORY).map((d) => [d.sha, d.statuses.map((s) => s.state)])).toEqual([[R1, ['success']]]);
});
