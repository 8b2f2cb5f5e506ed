/**
 * Finalize is paced like a sync (issue 18, item 6). Deleting a production Environment with
 * 120 recorded deployments (GitHub never auto-inactivates production) writes only what
 * changes what GitHub shows: the newest deployment, and those still pending, queued or in
 * progress. At most MAX_WRITES_PER_SYNC of them per call; Metacontroller calls again until
 * `finalized: true`, and the Ready condition says how far it got.
 */
import { encodePayload } from '../../src/core/payload.js';
import { REPOSITORY, startHarness, type Harness } from '../support/harness.js';
import { condition, environment, rollout, sha, syncRequest } from '../support/requests.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const DEPLOYMENTS = 120;
/** Left unfinished by bakes that never reported back: every eighth, in turn pending, queued, in progress. */
const UNFINISHED = Array.from({ length: 14 }, (_, k) => 8 * (k + 1));
const UNFINISHED_STATES = ['pending', 'queued', 'in_progress'];
const FAILED = 117;

function stateOf(id: number): string {
  if (id === DEPLOYMENTS) return 'in_progress'; // the newest: its bake was running when the Environment was deleted
  if (id === FAILED) return 'failure';
  const k = UNFINISHED.indexOf(id);
  return k >= 0 ? UNFINISHED_STATES[k % UNFINISHED_STATES.length]! : 'success';
}

function seedProduction(): void {
  for (let id = 1; id <= DEPLOYMENTS; id++) {
    const created = new Date(Date.parse('2026-01-01T00:00:00Z') + id * 3 * 3600_000).toISOString().replace('.000Z', 'Z');
    h.emulator.seedDeployment(REPOSITORY, {
      sha: sha(`release-${id}`),
      task: 'deploy:kuberik/my-app',
      environment: 'kuberik/my-app/production',
      payload: encodePayload({ id, version: { tag: `v${id}`, revision: sha(`release-${id}`) } }),
      created_at: created,
      statuses: [{ state: stateOf(id), description: `Bake ${stateOf(id)}`, created_at: created }],
    });
  }
}

test('120 production deployments: 15 writes in two calls of at most 10, and the environment shows inactive', async () => {
  h = await startHarness();
  seedProduction();
  const parent = environment({ environment: 'production', deletionTimestamp: '2026-11-26T11:59:00Z' });
  const writesPerCall: number[] = [];
  const answers: any[] = [];
  // Metacontroller calls finalize until it answers finalized: true (and may call once more).
  for (let call = 0; call < 3; call++) {
    h.emulator.resetRequests();
    const res = await h.post('/finalize', syncRequest({ parent, rollout: rollout([]), finalizing: true }));
    expect(res.status).toBe(200);
    writesPerCall.push(h.emulator.counts().writes);
    answers.push(res.json);
    if (res.json.finalized && answers.filter((a) => a.finalized).length === 2) break;
  }
  expect(writesPerCall).toEqual([10, 5, 0]);
  expect(answers.map((a) => a.finalized)).toEqual([false, true, true]);
  // The first call reports its progress and comes back when a sync's paced backlog would.
  expect(answers[0].resyncAfterSeconds).toBe(10);
  expect(condition(answers[0].status, 'Ready')).toEqual({
    status: 'False',
    reason: 'FinalizePaced',
    message:
      "Waiting to mark 5 deployment(s) inactive: 10 marked in this call; at most 10 GitHub writes per call keep a deletion within GitHub's content-creation limits",
  });
  expect(condition(answers[1].status, 'Ready').reason).toBe('Finalized');

  const deployments = h.emulator.deployments(REPOSITORY);
  const latest = deployments.map((d) => d.statuses.at(-1)!);
  // GitHub shows the environment by its newest deployment: inactive now.
  expect(latest.at(-1)).toMatchObject({ state: 'inactive', description: 'Environment deleted' });
  // Nothing of ours is left looking alive.
  expect(latest.filter((s) => ['pending', 'queued', 'in_progress', 'waiting'].includes(s.state))).toEqual([]);
  // Finished history was not touched: one write each for the newest and the 14 unfinished, none for the other 105.
  const marked = deployments.filter((d) => d.statuses.some((s) => s.description === 'Environment deleted'));
  expect(marked.map((d) => Number(JSON.parse(Buffer.from(String(d.payload), 'base64').toString()).id))).toEqual([...UNFINISHED, DEPLOYMENTS]);
  expect(
    deployments
      .filter((d) => d.statuses.length === 1)
      .map((d) => d.statuses[0]!.state)
      .sort(),
  ).toEqual([...Array(104).fill('success'), 'failure'].sort());
});

test('a dry run describes the writes of this call only', async () => {
  h = await startHarness();
  seedProduction();
  const parent = environment({ environment: 'production', deletionTimestamp: '2026-11-26T11:59:00Z' });
  const res = await h.post('/finalize?dryRun=true', syncRequest({ parent, rollout: rollout([]), finalizing: true }));
  expect(res.status).toBe(200);
  expect(res.json.finalized).toBe(false);
  // Newest first, then the unfinished ones, newest first.
  expect(res.json.githubWrites.map((w: { entry: { id: number } }) => w.entry.id)).toEqual([120, 112, 104, 96, 88, 80, 72, 64, 56, 48]);
  expect(h.emulator.counts().writes).toBe(0);
});
