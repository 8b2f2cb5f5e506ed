/**
 * Fleet freshness (issue: one token, many applications). 40 applications in 40 repositories
 * share one token; each production waits for its staging (baked elsewhere: only its GitHub
 * deployments are here). Productions resync every 15 s for 45 s (a compressed clock: the
 * shared reads' clock is advanced, nothing sleeps), and every staging's bake succeeds at 5 s.
 * Reads of the applications share batched queries, so the whole run costs a few GraphQL
 * points, and every production gate shows the news by the end.
 */
import { request } from 'undici';
import { encodePayload } from '../../src/core/payload.js';
import type { RoundReport } from '../../src/github/fleet-reads.js';
import { startHarness, type Harness } from '../support/harness.js';
import { ManualRounds } from '../support/manual-rounds.js';
import { environment, rollout, sha, syncRequest, TOKEN } from '../support/requests.js';

const APPS = 40;
const at = (second: number) => new Date(Date.parse('2026-11-01T00:00:00Z') + second * 1000).toISOString().replace('.000Z', 'Z');
const name = (i: number) => `app-${String(i).padStart(2, '0')}`;
const repository = (i: number) => `fleet-org/${name(i)}`;
const V1 = (i: number) => ({ tag: 'v1', revision: sha(`${name(i)}-v1`) });
const V2 = (i: number) => ({ tag: 'v2', revision: sha(`${name(i)}-v2`) });

let h: Harness;
afterEach(async () => {
  await h?.close();
});

/** GraphQL points the token has spent, as GitHub reports them (a dry run costs nothing). */
async function pointsUsed(): Promise<number> {
  const res = await request(`${h.emulator.url}/graphql`, {
    method: 'POST',
    headers: { authorization: `token ${TOKEN}`, 'content-type': 'application/json', 'user-agent': 'test' },
    body: JSON.stringify({ query: 'query { rateLimit(dryRun: true) { limit remaining } }' }),
  });
  const body = (await res.body.json()) as { data: { rateLimit: { limit: number; remaining: number } } };
  return body.data.rateLimit.limit - body.data.rateLimit.remaining;
}

function seed(i: number): { bakingId: number } {
  const repo = repository(i);
  h.emulator.addRepository(repo);
  const deploy = (
    environment: string,
    id: number,
    version: { tag: string; revision: string },
    second: number,
    status: { state: string; description: string },
  ) =>
    h.emulator.seedDeployment(repo, {
      sha: version.revision,
      task: `deploy:kuberik/${name(i)}`,
      environment: `kuberik/${name(i)}/${environment}`,
      payload: encodePayload({ id, version }),
      created_at: at(second),
      statuses: [{ ...status, created_at: at(second) }],
    });
  deploy('staging', 1, V1(i), -600, { state: 'success', description: 'Bake succeeded' });
  // Production already published v1 (an earlier run of the service): nothing to write.
  deploy('production', 1, V1(i), -300, { state: 'success', description: 'Bake succeeded' });
  const baking = deploy('staging', 2, V2(i), -60, { state: 'in_progress', description: 'Baking in progress' });
  return { bakingId: baking.id };
}

test('40 applications on one token: news at 5 s reaches every gate within 45 s for at most 12 GraphQL points', async () => {
  let clockMs = Date.parse('2026-11-01T00:00:00Z');
  const rounds: RoundReport[] = [];
  const scheduler = new ManualRounds();
  h = await startHarness({
    // What is measured is GitHub's points, not latency: a busy machine may take longer than the usual budget for a cold round of 40.
    config: { ledgerCacheTtlMs: 10_000, syncBudgetMs: 60_000, githubTimeoutMs: 60_000 },
    deps: { nowMs: () => clockMs, onFleetRound: (round) => rounds.push(round), fleetScheduler: scheduler },
  });
  const seeded = Array.from({ length: APPS }, (_, i) => seed(i));
  const parents = Array.from({ length: APPS }, (_, i) =>
    environment({
      name: `${name(i)}-production`,
      app: name(i),
      environment: 'production',
      project: repository(i),
      relationship: { environment: 'staging', type: 'After' },
      requeueInterval: '15s',
    }),
  );
  const rollouts = Array.from({ length: APPS }, (_, i) => rollout([{ id: 1, ...V1(i), bakeStatus: 'Succeeded' }], [V2(i), V1(i)]));
  const statuses: Record<string, unknown>[] = parents.map(() => ({}));
  const gates: string[][] = parents.map(() => []);
  const resyncs: number[] = parents.map(() => 0);

  /** Every production syncs at once, as their resyncs fall due together: their reads go in one round. */
  const wave = async () => {
    const started = scheduler.start(APPS);
    await Promise.all(
      parents.map(async (parent, i) => {
        const res = await h.post('/sync', syncRequest({ parent: { ...parent, status: statuses[i] }, rollout: rollouts[i] }));
        expect(res.status).toBe(200);
        statuses[i] = res.json.status;
        gates[i] = res.json.children[0].spec.allowedVersions;
        resyncs[i] = res.json.resyncAfterSeconds;
      }),
    );
    await started;
  };

  await wave(); // t = 0
  expect(new Set(gates.map((g) => g.join(',')))).toEqual(new Set(['v1']));
  // Staging's v2 is baking: change is near, so the productions ask to come back in 10 s rather than 15 s.
  expect(new Set(resyncs)).toEqual(new Set([10]));

  clockMs += 5_000; // t = 5 s: every staging's bake succeeds (written by the other cluster, over REST).
  for (let i = 0; i < APPS; i++) {
    const res = await request(`${h.emulator.url}/repos/${repository(i)}/deployments/${seeded[i]!.bakingId}/statuses`, {
      method: 'POST',
      headers: { authorization: `token ${TOKEN}`, 'content-type': 'application/json', 'user-agent': 'test' },
      body: JSON.stringify({ state: 'success', description: 'Bake succeeded' }),
    });
    expect(res.statusCode).toBe(201);
    await res.body.dump();
  }

  for (const t of [15, 30, 45]) {
    clockMs = Date.parse('2026-11-01T00:00:00Z') + t * 1000;
    await wave();
  }

  // In releaseCandidates order ([V2, V1]), as rollout-controller reads them.
  expect(gates).toEqual(parents.map(() => ['v2', 'v1']));
  // No deployment in progress any more: back to the requeueInterval.
  expect(new Set(resyncs)).toEqual(new Set([15]));
  const points = await pointsUsed();
  expect(points).toBeLessThanOrEqual(12);
  // Every point went to batched rounds (one part per repository), and the last round read all 40 applications together.
  expect(rounds.reduce((sum, r) => sum + r.points, 0)).toBe(points);
  expect(rounds.at(-1)).toMatchObject({ applications: APPS, repositories: APPS, requests: 1, points: 1 });
});

test("one application's missing repository fails only that application: the round reads the others in the same query", async () => {
  let clockMs = Date.parse('2026-11-01T00:00:00Z');
  const rounds: RoundReport[] = [];
  const scheduler = new ManualRounds();
  h = await startHarness({
    config: { ledgerCacheTtlMs: 10_000 },
    deps: { nowMs: () => clockMs, onFleetRound: (round) => rounds.push(round), fleetScheduler: scheduler },
  });
  for (const i of [0, 2]) seed(i);
  const parents = [0, 1, 2].map((i) =>
    environment({
      name: `${name(i)}-production`,
      app: name(i),
      environment: 'production',
      project: repository(i), // app-01's repository does not exist
      relationship: { environment: 'staging', type: 'After' },
    }),
  );
  /** The three sync at once: their round starts once all three reads wait for it. */
  const wave = async () => {
    const answers = Promise.all(
      parents.map((parent, i) => h.post('/sync', syncRequest({ parent, rollout: rollout([{ id: 1, ...V1(i), bakeStatus: 'Succeeded' }], [V2(i), V1(i)]) }))),
    );
    await scheduler.start(3);
    return answers;
  };
  const reasons = (answers: { json: any }[]) => answers.map((a) => a.json.status.conditions.find((c: { type: string }) => c.type === 'Ready').reason);
  const answers = await wave();
  expect(reasons(answers)).toEqual(['Synced', 'RepositoryNotFound', 'Synced']);
  expect(answers.map((a) => a.json.children[0].spec.allowedVersions)).toEqual([['v1'], [], ['v1']]);
  // GitHub answers the missing repository with the others' data and an error naming its field: one query served all three.
  // A cold read: the deployments, then their status windows.
  expect(rounds.map((r) => [r.applications, r.repositories, r.requests])).toEqual([[3, 3, 2]]);
  expect(h.emulator.counts().graphql).toBe(2);
  // Past the TTL, the same again: the missing repository never costs the others a request of their own.
  clockMs += 11_000;
  const again = await wave();
  expect(reasons(again)).toEqual(['Synced', 'RepositoryNotFound', 'Synced']);
  expect(rounds.map((r) => [r.applications, r.repositories, r.requests])).toEqual([
    [3, 3, 2],
    [3, 3, 1],
  ]);
  expect(h.emulator.counts().graphql).toBe(3);
});
