/**
 * A token that spends its GraphQL budget faster than the window refills gets its shared
 * reads kept longer (fewer GitHub requests, later news); a healthy token does not.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { goControllerFixture } from '../support/shared.js';
import { startHarness, REPOSITORY, type Harness } from '../support/harness.js';
import { environment, rollout, syncRequest } from '../support/requests.js';

const goFixture = goControllerFixture();
const production = syncRequest({
  parent: environment({ environment: 'production', relationship: { environment: 'staging', type: 'After' } }),
  rollout: rollout([{ id: 7, tag: 'v1.0.0', revision: '9f1c2e7a4b3d5f60718293a4b5c6d7e8f9012345', bakeStatus: 'Succeeded', bakeStatusMessage: 'Bake completed (no bake time configured).' }], [
    { tag: 'v1.0.0', revision: '9f1c2e7a4b3d5f60718293a4b5c6d7e8f9012345' },
  ]),
});

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** GitHub requests of a sync made 400 ms after the read it could share (TTL 200 ms). */
async function requestsAfterTtl(graphqlBudget: number): Promise<number> {
  // The emulator's clock is the wall clock here, so its rate-limit window is the one the service paces by.
  h = await startHarness({ emulator: { clock: () => new Date(), rateLimit: graphqlBudget }, config: { ledgerCacheTtlMs: 200 } });
  h.emulator.seedFromFixture(REPOSITORY, goFixture);
  for (let i = 0; i < 2; i++) expect((await h.post('/sync', production)).json.status.conditions.find((c: { type: string }) => c.type === 'Ready').reason).toBe('Synced');
  h.emulator.resetRequests();
  await sleep(400);
  const answer = await h.post('/sync', production);
  expect(answer.status).toBe(200);
  return h.emulator.counts().total;
}

test('a token spending its budget too fast shares the read beyond the TTL: no GitHub request', async () => {
  expect(await requestsAfterTtl(10)).toBe(0);
});

test('a token with a healthy budget reads again after the TTL', async () => {
  expect(await requestsAfterTtl(5000)).toBe(1);
});
