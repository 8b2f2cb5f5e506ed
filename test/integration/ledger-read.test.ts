/** The ledger read parses GitHub's answer itself (not through @octokit/graphql): the error shapes must stay octokit's. */
import { graphqlUrl } from '../../src/github/client.js';
import { startHarness, type Harness } from '../support/harness.js';
import { environment, rollout, sha, syncRequest, condition } from '../support/requests.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const request = () =>
  syncRequest({ parent: environment({ environment: 'staging' }), rollout: rollout([{ id: 1, tag: 'v1', revision: sha('x'), bakeStatus: 'Succeeded' }]) });

test('a GraphQL RATE_LIMITED answer keeps its headers: the resync waits for retry-after', async () => {
  h = await startHarness();
  h.emulator.injectFault({
    match: { api: 'graphql' },
    action: {
      kind: 'respond',
      status: 200,
      body: { errors: [{ type: 'RATE_LIMITED', message: 'API rate limit exceeded for user ID 1.' }] },
      headers: { 'retry-after': '90' },
    },
  });
  const res = await h.post('/sync', request());
  expect(condition(res.json.status, 'Ready')).toEqual({
    status: 'False',
    reason: 'GitHubRateLimited',
    message: 'GitHub GraphQL rate limit exceeded during reading deployments',
  });
  expect(res.json.resyncAfterSeconds).toBe(90);
  expect(h.emulator.counts()).toEqual({ total: 1, graphql: 1, rest: 0, reads: 1, writes: 0 });
});

test('an HTTP error on the read is classified by its status', async () => {
  h = await startHarness();
  h.emulator.injectFault({ match: { api: 'graphql' }, action: { kind: 'respond', status: 502, body: { message: 'Server Error' } } });
  const res = await h.post('/sync', request());
  expect(condition(res.json.status, 'Ready')).toEqual({
    status: 'False',
    reason: 'GitHubUnavailable',
    message: 'GitHub answered 502 during reading deployments',
  });
  expect(res.json.resyncAfterSeconds).toBe(10);
});

test('the GraphQL endpoint is derived from the REST base as octokit does', () => {
  expect(graphqlUrl('https://api.github.com')).toBe('https://api.github.com/graphql');
  expect(graphqlUrl('https://ghe.example.com/api/v3')).toBe('https://ghe.example.com/api/graphql');
  expect(graphqlUrl('https://ghe.example.com/api/v3/')).toBe('https://ghe.example.com/api/graphql');
  expect(graphqlUrl('http://127.0.0.1:4000/')).toBe('http://127.0.0.1:4000/graphql');
});
