/**
 * A token that spends its GraphQL budget faster than the window refills gets its shared
 * reads kept longer (fewer GitHub requests, later news); a token with budget to spare
 * does not. The shared-read lifetime is also what /metrics reports.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { goControllerFixture } from '../support/fixtures.js';
import { startHarness, REPOSITORY, type Harness } from '../support/harness.js';
import { environment, rollout, syncRequest } from '../support/requests.js';

const goFixture = goControllerFixture();
const production = syncRequest({
  parent: environment({ environment: 'production', relationship: { environment: 'staging', type: 'After' } }),
  rollout: rollout(
    [
      {
        id: 7,
        tag: 'v1.0.0',
        revision: '9f1c2e7a4b3d5f60718293a4b5c6d7e8f9012345',
        bakeStatus: 'Succeeded',
        bakeStatusMessage: 'Bake completed (no bake time configured).',
      },
    ],
    [{ tag: 'v1.0.0', revision: '9f1c2e7a4b3d5f60718293a4b5c6d7e8f9012345' }],
  ),
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
  for (let i = 0; i < 2; i++)
    expect((await h.post('/sync', production)).json.status.conditions.find((c: { type: string }) => c.type === 'Ready').reason).toBe('Synced');
  h.emulator.resetRequests();
  await sleep(400);
  const answer = await h.post('/sync', production);
  expect(answer.status).toBe(200);
  return h.emulator.counts().total;
}

async function sharedReadLifetimeSeconds(): Promise<number> {
  const res = await fetch(`${h!.metricsUrl}/metrics`);
  const line = (await res.text()).split('\n').find((l) => l.startsWith('environment_sync_shared_read_lifetime_seconds '));
  return Number(line?.split(' ')[1]);
}

test('a token spending its budget too fast shares the read beyond the TTL: no GitHub request', async () => {
  expect(await requestsAfterTtl(10)).toBe(0);
  // With at most 10 points for the hour, even one read every LEDGER_CACHE_MAX_TTL_MS is more than remains.
  expect(await sharedReadLifetimeSeconds()).toBe(300);
});

test('a token with budget to spare reads again after the TTL', async () => {
  // TTL 200 ms is a read every 0.2 s: that needs far more than GitHub.com's 5,000 points an hour.
  expect(await requestsAfterTtl(1_000_000)).toBe(1);
});
