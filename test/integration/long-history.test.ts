/**
 * A year-old application: 1,500 deployments in each environment. A sync reads back only as
 * far as its decisions need (core/read-horizon.ts), not every page of history.
 */
import { encodePayload } from '../../src/core/payload.js';
import { startHarness, REPOSITORY, type Harness } from '../support/harness.js';
import { condition, environment, rollout, sha, syncRequest, type HistoryEntry } from '../support/requests.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const HISTORY = 1_500;
/** Release n: built at at(n), deployed to staging then, to production ten minutes later. */
const at = (n: number, minutes = 0) => new Date(Date.parse('2025-06-01T00:00:00Z') + n * 4 * 3_600_000 + minutes * 60_000).toISOString().replace('.000Z', 'Z');
const version = (n: number) => ({ tag: `v1.${n}.0`, revision: sha(`r${n}`) });

function seed(environment: string, n: number, minutes: number): void {
  h.emulator.seedDeployment(REPOSITORY, {
    sha: version(n).revision,
    task: 'deploy:kuberik/my-app',
    environment: `kuberik/my-app/${environment}`,
    payload: encodePayload({ id: n, relationship: environment === 'production' ? { environment: 'staging', type: 'After' } : undefined, version: version(n) }),
    created_at: at(n, minutes),
    statuses: [{ state: 'success', description: 'Bake succeeded', created_at: at(n, minutes + 1) }],
  });
}

/** Production's Rollout keeps its newest five entries; its release candidates are the newest three releases. */
function productionSync(newest: number, status: Record<string, unknown>) {
  const history: HistoryEntry[] = Array.from({ length: 5 }, (_, k) => newest - k).map((n) => ({
    id: n,
    ...version(n),
    timestamp: at(n, 10),
    ...(n === newest && n > HISTORY ? { bakeStatus: 'InProgress' } : { bakeStatus: 'Succeeded' }),
  }));
  const candidates = [newest, newest - 1, newest - 2].map((n) => ({ ...version(n), created: at(n) }));
  const parent = environment({ environment: 'production', relationship: { environment: 'staging', type: 'After' }, status });
  return syncRequest({ parent, rollout: rollout(history, candidates) });
}

test('publishing a release with 1,500 deployments per environment takes 3 requests: the read, the deployment and its status', async () => {
  h = await startHarness();
  for (let n = 1; n <= HISTORY; n++) {
    seed('staging', n, 0);
    seed('production', n, 10);
  }
  seed('staging', HISTORY + 1, 0);

  // Steady state before the release: one read (the newest page of both environments together, windows inline).
  const first = await h.post('/sync', productionSync(HISTORY, {}));
  expect(condition(first.json.status, 'Ready')).toMatchObject({ status: 'True', reason: 'Synced' });
  expect(first.json.children[0].spec.allowedVersions).toEqual(['v1.1500.0', 'v1.1499.0', 'v1.1498.0']);
  expect(h.emulator.counts()).toEqual({ total: 1, graphql: 1, rest: 0, reads: 1, writes: 0 });

  // v1.1501.0 baked in staging, and production's Rollout deploys it.
  h.emulator.resetRequests();
  const release = await h.post('/sync', productionSync(HISTORY + 1, first.json.status));
  expect(condition(release.json.status, 'Ready')).toMatchObject({ status: 'True', reason: 'Synced' });
  expect(release.json.children[0].spec.allowedVersions).toEqual(['v1.1501.0', 'v1.1500.0', 'v1.1499.0']);
  expect(h.emulator.counts()).toEqual({ total: 3, graphql: 2, rest: 1, reads: 1, writes: 2 });
  const production = h.emulator.deployments(REPOSITORY).filter((d) => d.environment === 'kuberik/my-app/production');
  expect(production).toHaveLength(HISTORY + 1);
  expect(production.at(-1)!.statuses.map((s) => [s.state, s.description])).toEqual([['in_progress', 'Baking in progress']]);

  // The status shows the newest 20 entries of each environment, whatever was read.
  const infos = release.json.status.environmentInfos as { environment: string; history: { id: number }[] }[];
  expect(infos.map((i) => [i.environment, i.history.length, i.history[0]!.id, i.history.at(-1)!.id])).toEqual([
    ['staging', 20, 1501, 1482],
    ['production', 20, 1501, 1482],
  ]);
});

test('duplicate protection still holds for an entry recorded long ago: the read goes back to the oldest local entry', async () => {
  h = await startHarness();
  for (let n = 1; n <= HISTORY; n++) seed('production', n, 10);
  // The Rollout still holds an entry published 1,400 releases ago (a slow-moving environment).
  const history: HistoryEntry[] = [
    { id: HISTORY, ...version(HISTORY), timestamp: at(HISTORY, 10), bakeStatus: 'Succeeded' },
    { id: 100, ...version(100), timestamp: at(100, 10), bakeStatus: 'Succeeded' },
  ];
  const res = await h.post('/sync', syncRequest({ parent: environment({ environment: 'production' }), rollout: rollout(history) }));
  expect(condition(res.json.status, 'Ready')).toMatchObject({ status: 'True', reason: 'Synced' });
  expect(h.emulator.counts().writes).toBe(0);
  // Pages down to release 100 (less a day of slack): 15 pages of 100, the last one past it.
  expect(h.emulator.counts()).toEqual({ total: 15, graphql: 15, rest: 0, reads: 15, writes: 0 });
});
