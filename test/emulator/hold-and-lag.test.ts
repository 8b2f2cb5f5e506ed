/** The emulator's clock-free faults (`hold`, `hold-response`) and its read lag (`lagReads`). */
import { SHA_A, startHarness, type Harness } from './helpers.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const create = () =>
  h.rest('POST /repos/{owner}/{repo}/deployments', { owner: 'o', repo: 'r', ref: SHA_A, environment: 'staging', auto_merge: false, required_contexts: [] });
const listed = async () => ((await h.rest('GET /repos/{owner}/{repo}/deployments', { owner: 'o', repo: 'r' })).data as { id: number }[]).map((d) => d.id);

test('hold: the request is performed only when released; releaseHeld resolves once it is answered', async () => {
  h = await startHarness();
  h.emulator.addRepository('o/r');
  h.emulator.injectFault({ match: { api: 'rest', method: 'POST' }, action: { kind: 'hold' } });
  const creating = create();
  await h.emulator.whenHeld(1);
  expect(h.emulator.deployments('o/r')).toEqual([]);
  await h.emulator.releaseHeld();
  expect(h.emulator.deployments('o/r')).toHaveLength(1);
  expect((await creating).status).toBe(201);
});

test('hold-response: the request is performed at once, its answer sent when released', async () => {
  h = await startHarness();
  h.emulator.addRepository('o/r');
  h.emulator.injectFault({ match: { api: 'rest', method: 'POST' }, action: { kind: 'hold-response' } });
  const creating = create();
  await h.emulator.whenHeld(1);
  expect(h.emulator.deployments('o/r')).toHaveLength(1);
  await h.emulator.releaseHeld();
  expect((await creating).status).toBe(201);
  expect(h.emulator.requests.map((r) => [r.fault, r.status])).toEqual([['hold-response', 201]]);
});

test('lagReads: a created deployment is answered but not listed (REST and GraphQL) until reads catch up', async () => {
  h = await startHarness();
  h.emulator.addRepository('o/r');
  const first = (await create()).data as { id: number; node_id: string };
  h.emulator.lagReads();
  const second = (await create()).data as { id: number; node_id: string };
  const graphqlIds = async () => {
    const data = await h.gql<{ repository: { deployments: { nodes: { id: string }[] } } }>(
      `query { repository(owner: "o", name: "r") { deployments(first: 10) { nodes { id } } } }`,
    );
    return data.repository.deployments.nodes.map((n) => n.id);
  };
  expect(await listed()).toEqual([first.id]);
  expect(await graphqlIds()).toEqual([first.node_id]);
  expect((await h.rest('GET /repos/{owner}/{repo}/deployments/{id}', { owner: 'o', repo: 'r', id: second.id })).status).toBe(200);
  h.emulator.catchUpReads();
  expect(await listed()).toEqual([second.id, first.id]);
  expect(await graphqlIds()).toEqual([first.node_id, second.node_id]);
});
