/** A first sync of a long history publishes it over several syncs, MAX_WRITES_PER_SYNC GitHub writes at a time. */
import { startHarness, REPOSITORY, type Harness } from '../support/harness.js';
import { environment, rollout, sha, syncRequest, type HistoryEntry, condition } from '../support/requests.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const history: HistoryEntry[] = Array.from({ length: 12 }, (_, i) => ({ id: 12 - i, tag: `v${12 - i}`, revision: sha(`r${12 - i}`), bakeStatus: 'Succeeded' }));
const published = () => h.emulator.deployments(REPOSITORY).map((d) => JSON.parse(Buffer.from(d.payload as string, 'base64').toString()).id);

test('12 new entries at 10 writes per sync: 5, 5, then 2 deployments; sooner resyncs until done', async () => {
  h = await startHarness({ config: { maxWritesPerSync: 10 } });
  let parent = environment({ environment: 'staging' });

  const first = await h.post('/sync', syncRequest({ parent, rollout: rollout(history) }));
  expect(published()).toEqual(['1', '2', '3', '4', '5']);
  expect(h.emulator.counts()).toEqual({ total: 11, graphql: 6, rest: 5, reads: 1, writes: 10 });
  expect(condition(first.json.status, 'Ready')).toEqual({
    status: 'False',
    reason: 'PublishingPaced',
    message: "7 of 12 history updates wait for the next sync: at most 10 GitHub writes per sync keep a long history within GitHub's content-creation limits",
  });
  expect(first.json.resyncAfterSeconds).toBe(10);

  parent = environment({ environment: 'staging', status: first.json.status });
  h.emulator.resetRequests();
  const second = await h.post('/sync', syncRequest({ parent, rollout: rollout(history) }));
  expect(published()).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10']);
  expect(h.emulator.counts().writes).toBe(10);
  expect(condition(second.json.status, 'GitHubSynced').reason).toBe('PublishingPaced');
  expect(condition(second.json.status, 'GitHubSynced').message).toMatch(/^2 of 7 history updates wait/);

  parent = environment({ environment: 'staging', status: second.json.status });
  h.emulator.resetRequests();
  const third = await h.post('/sync', syncRequest({ parent, rollout: rollout(history) }));
  expect(published()).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11', '12']);
  // The read fetches the statuses of the 5 deployments the second sync wrote: 2 reads.
  expect(h.emulator.counts()).toEqual({ total: 6, graphql: 4, rest: 2, reads: 2, writes: 4 });
  expect(condition(third.json.status, 'Ready')).toEqual({ status: 'True', reason: 'Synced', message: 'Environment is in sync with GitHub' });
  expect(third.json.resyncAfterSeconds).toBe(60);
  expect(third.json.status.currentVersion).toBe(sha('r12'));
});

test('a backlog within the budget is written in one sync', async () => {
  h = await startHarness({ config: { maxWritesPerSync: 24 } });
  const res = await h.post('/sync', syncRequest({ parent: environment({ environment: 'staging' }), rollout: rollout(history) }));
  expect(published()).toHaveLength(12);
  expect(h.emulator.counts().writes).toBe(24);
  expect(condition(res.json.status, 'Ready').reason).toBe('Synced');
});
