/**
 * Two writers of one GitHub environment (two clusters that both call their environment
 * production, or kuberik's Go controller still running beside this service) that disagree
 * about one entry: each records its view once, then nobody writes until a view changes.
 */
import { startHarness, type Harness } from '../support/harness.js';
import { condition, environment, rollout, sha, syncRequest, type HistoryEntry } from '../support/requests.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const V1 = { tag: 'v1', revision: sha('v1') };
const V2 = { tag: 'v2', revision: sha('v2') };

/** One cluster's Environment for production, with the status its last sync returned. */
function writer(name: string) {
  let status: Record<string, unknown> = {};
  return {
    async sync(history: HistoryEntry[]) {
      h.emulator.resetRequests();
      const res = await h.post('/sync', syncRequest({ parent: environment({ name, environment: 'production', status }), rollout: rollout(history) }));
      expect(res.status).toBe(200);
      status = res.json.status;
      return { writes: h.emulator.counts().writes, status: res.json.status };
    },
  };
}

test('writers that disagree about an entry each write their view once, then not again until a view changes', async () => {
  h = await startHarness();
  const a = writer('cluster-a');
  const b = writer('cluster-b');
  const aView: HistoryEntry[] = [
    { id: 2, ...V2, bakeStatus: 'Succeeded', bakeStatusMessage: 'no errors', timestamp: '2026-11-20T10:00:00Z' },
    { id: 1, ...V1, bakeStatus: 'Succeeded', timestamp: '2026-11-19T10:00:00Z' },
  ];
  const bView: HistoryEntry[] = [
    { id: 2, ...V2, bakeStatus: 'Failed', bakeStatusMessage: 'smoke test failed', timestamp: '2026-11-20T10:00:00Z' },
    { id: 1, ...V1, bakeStatus: 'Succeeded', timestamp: '2026-11-19T10:00:00Z' },
  ];

  const writes: number[] = [];
  let last: Record<string, any> = {};
  for (let round = 0; round < 4; round++) {
    const ra = await a.sync(aView);
    const rb = await b.sync(bView);
    writes.push(ra.writes, rb.writes);
    last = { a: ra.status, b: rb.status };
  }
  // A creates both deployments with their statuses; B posts its view of v2 once; then nothing.
  expect(writes).toEqual([4, 1, 0, 0, 0, 0, 0, 0]);
  expect(condition(last.a, 'GitHubSynced')).toEqual({
    status: 'False',
    reason: 'ConflictingWriter',
    message:
      'Another writer posted a different status for 1 history entry of GitHub environment kuberik/my-app/production in my-org/my-repo after this one recorded its own: id 2 (tag "v2"): "Bake failed: smoke test failed" where this Rollout has "Bake succeeded: no errors". Another cluster names its environment production for kuberik/my-app, or kuberik\'s Go controller still runs for it; give each cluster its own environment name. Statuses are not posted again until the Rollout\'s view changes',
  });
  expect(condition(last.a, 'Ready')).toMatchObject({ status: 'True', reason: 'ConflictingWriter' });
  expect(condition(last.a, 'Degraded')).toMatchObject({ status: 'True', reason: 'ConflictingWriter' });
  // GitHub shows B's view, which B posted last: B sees no conflict.
  expect(condition(last.b, 'GitHubSynced')).toMatchObject({ status: 'True', reason: 'Synced' });
  const v2 = h.emulator.deployments('my-org/my-repo').find((d) => d.ref === V2.revision)!;
  expect(v2.statuses.map((s) => s.description)).toEqual(['Bake succeeded: no errors', 'Bake failed: smoke test failed']);

  // A's view changes (a new bake message): A posts it once; B, unchanged, leaves it standing.
  const aChanged = aView.map((e) => (e.id === 2 ? { ...e, bakeStatusMessage: 'no errors after retry' } : e));
  const after: number[] = [];
  for (let round = 0; round < 3; round++) {
    const ra = await a.sync(aChanged);
    const rb = await b.sync(bView);
    after.push(ra.writes, rb.writes);
    last = { a: ra.status, b: rb.status };
  }
  expect(after).toEqual([1, 0, 0, 0, 0, 0]);
  expect(condition(last.a, 'GitHubSynced')).toMatchObject({ status: 'True', reason: 'Synced' });
  expect(condition(last.b, 'GitHubSynced')).toMatchObject({ status: 'False', reason: 'ConflictingWriter' });
});
