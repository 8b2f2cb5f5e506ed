/**
 * environment_sync_github_data_age_seconds: the age of the shared GitHub read a sync used,
 * the gauge an operator alerts on when gates fall behind. It must follow the reads: a
 * cached read shows its age, a fresh one 0, and a scrape with no sync since keeps the last value.
 */
import { request } from 'undici';
import { startHarness, type Harness } from '../support/harness.js';
import { environment, rollout, syncRequest } from '../support/requests.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

async function dataAge(): Promise<string | undefined> {
  const res = await request(`${h.metricsUrl}/metrics`);
  return (await res.body.text()).split('\n').find((line) => line.startsWith('environment_sync_github_data_age_seconds '));
}

test('the gauge shows the age of the read each sync used', async () => {
  let clockMs = Date.parse('2026-11-26T12:00:00Z');
  h = await startHarness({ config: { ledgerCacheTtlMs: 10_000 }, deps: { nowMs: () => clockMs } });
  const parent = environment({ environment: 'production', relationship: { environment: 'staging', type: 'After' } });
  const sync = async () => expect((await h.post('/sync', syncRequest({ parent, rollout: rollout([]) }))).status).toBe(200);

  await sync(); // reads GitHub
  expect(await dataAge()).toBe('environment_sync_github_data_age_seconds 0');

  clockMs += 4_500;
  await sync(); // the shared read, 4.5 s old
  expect(await dataAge()).toBe('environment_sync_github_data_age_seconds 4.5');
  // No sync since the last scrape: the last value stays rather than dropping to 0.
  expect(await dataAge()).toBe('environment_sync_github_data_age_seconds 4.5');

  clockMs += 1_000;
  await sync();
  clockMs += 2_000;
  await sync();
  // The oldest read used since the previous scrape.
  expect(await dataAge()).toBe('environment_sync_github_data_age_seconds 7.5');

  clockMs += 10_000; // past the TTL: the next sync reads GitHub again
  await sync();
  expect(await dataAge()).toBe('environment_sync_github_data_age_seconds 0');
});
