import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { clients, SHA_A, SHA_B, SHA_C, startHarness, thrown, type Harness } from './helpers.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
  h.emulator.addRepository('acme/app', { commits: [SHA_A, SHA_B], branches: { main: SHA_C } });
});
afterEach(() => h.close());

const repo = { owner: 'acme', repo: 'app' };

async function restDeployment(body: Record<string, unknown>) {
  const res = await h.rest('POST /repos/{owner}/{repo}/deployments', { ...repo, auto_merge: false, required_contexts: [], ...body });
  return res.data as { id: number; node_id: string };
}

async function restStatus(id: number, body: Record<string, unknown>) {
  const res = await h.rest('POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses', { ...repo, deployment_id: id, ...body });
  return res.data as { id: number; node_id: string };
}

const LIST = /* GraphQL */ `
  query ListDeployments($owner: String!, $name: String!, $envs: [String!], $after: String) {
    repository(owner: $owner, name: $name) {
      deployments(environments: $envs, first: 100, after: $after, orderBy: { field: CREATED_AT, direction: DESC }) {
        totalCount
        pageInfo {
          hasNextPage
          hasPreviousPage
          startCursor
          endCursor
        }
        nodes {
          id
          commitOid
          createdAt
          updatedAt
          description
          environment
          latestEnvironment
          originalEnvironment
          payload
          task
          state
          ref {
            name
          }
          creator {
            login
          }
          latestStatus {
            state
            description
            environment
            environmentUrl
            logUrl
            createdAt
          }
          statuses(first: 20) {
            totalCount
            nodes {
              id
              state
              description
              createdAt
            }
          }
        }
      }
    }
  }
`;

describe("GraphQL validation against GitHub's schema", () => {
  test('a query invalid for GitHub is rejected with graphql-js messages and locations, HTTP 200', async () => {
    const err = await thrown(() => h.gql(`query { repository(owner: "acme", name: "app") { deployments(task: "x", first: 1) { nodes { id } } } }`));
    expect(err.name).toBe('GraphqlResponseError');
    expect(err.errors).toEqual([
      { message: 'Unknown argument "task" on field "Repository.deployments". Did you mean "last"?', locations: [{ line: 1, column: 62 }] },
    ]);
    const raw = await fetch(`${h.emulator.url}/graphql`, {
      method: 'POST',
      headers: { authorization: 'token test-token' },
      body: JSON.stringify({ query: '{ viewer { login } repository(owner: "a", name: "b") { deployments(ref: "main", first: 1) { totalCount } } }' }),
    });
    expect(raw.status).toBe(200);
    expect(await raw.json()).toEqual({
      errors: [{ message: 'Unknown argument "ref" on field "Repository.deployments".', locations: [{ line: 1, column: 68 }] }],
    });
    const orderBy = await thrown(() =>
      h.gql(`{ node(id: "x") { ... on Deployment { statuses(first: 1, orderBy: {field: CREATED_AT, direction: DESC}) { totalCount } } } }`),
    );
    expect(orderBy.errors[0].message).toBe('Unknown argument "orderBy" on field "Deployment.statuses".');
    const syntax = await thrown(() => h.gql(`{ repository(owner: "acme" `));
    expect(syntax.errors[0].message).toMatch(/^Syntax Error/);
  });

  test('the reference queries of the notes validate and execute', async () => {
    const data: any = await h.gql(LIST, { owner: 'acme', name: 'app', envs: ['staging'] });
    expect(data.repository.deployments).toEqual({
      totalCount: 0,
      pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null },
      nodes: [],
    });
  });
});

describe('REST and GraphQL share one ledger', () => {
  test('a REST deployment from a SHA appears with the same node id, payload text, environment and clock time', async () => {
    h.clock.set('2025-04-05T06:07:08Z');
    const d = await restDeployment({
      ref: SHA_A,
      environment: 'staging',
      task: 'deploy:app',
      payload: { id: '7', version: { tag: 'v1' } },
      description: 'rollout',
    });
    h.clock.advance(5);
    await restStatus(d.id, { state: 'in_progress', description: 'Deploying', log_url: 'https://ci/1' });
    const data: any = await h.gql(LIST, { owner: 'acme', name: 'app' });
    expect(data.repository.deployments.nodes).toEqual([
      {
        id: d.node_id,
        commitOid: SHA_A,
        createdAt: '2025-04-05T06:07:08Z',
        updatedAt: '2025-04-05T06:07:08Z',
        description: 'rollout',
        environment: 'staging',
        latestEnvironment: 'staging',
        originalEnvironment: 'staging',
        payload: '{"id":"7","version":{"tag":"v1"}}',
        task: 'deploy:app',
        state: 'IN_PROGRESS',
        ref: null,
        creator: { login: 'github-emulator' },
        latestStatus: {
          state: 'IN_PROGRESS',
          description: 'Deploying',
          environment: 'staging',
          environmentUrl: null,
          logUrl: 'https://ci/1',
          createdAt: '2025-04-05T06:07:13Z',
        },
        statuses: {
          totalCount: 1,
          nodes: [{ id: expect.stringMatching(/^DES_/), state: 'IN_PROGRESS', description: 'Deploying', createdAt: '2025-04-05T06:07:13Z' }],
        },
      },
    ]);
    const str = await restDeployment({ ref: 'main', environment: 'staging', payload: 'eyJpZCI6IjEifQ==' });
    const node: any = await h.gql(
      `query($id: ID!) { node(id: $id) { __typename ... on Deployment { payload ref { name prefix target { oid } } commit { oid } state } } }`,
      { id: str.node_id },
    );
    expect(node.node).toEqual({
      __typename: 'Deployment',
      payload: 'eyJpZCI6IjEifQ==',
      ref: { name: 'main', prefix: 'refs/heads/', target: { oid: SHA_C } },
      commit: { oid: SHA_C },
      state: 'PENDING',
    });
  });

  test("databaseId above 2^31 fails with graphql-js's Int error (clients must not select it)", async () => {
    const d = await restDeployment({ ref: SHA_A, environment: 'staging' });
    const err = await thrown(() => h.gql(`query($id: ID!) { node(id: $id) { id ... on Deployment { databaseId } } }`, { id: d.node_id }));
    expect(err.data).toEqual({ node: { id: d.node_id, databaseId: null } });
    expect(err.errors).toEqual([
      { path: ['node', 'databaseId'], locations: [{ line: 1, column: 58 }], message: 'Int cannot represent non 32-bit signed integer value: 5000001000' },
    ]);
  });

  test('statuses are oldest first; latestStatus and state follow the newest', async () => {
    const d = await restDeployment({ ref: SHA_A, environment: 'staging' });
    for (const [i, state] of (['queued', 'in_progress', 'failure'] as const).entries()) {
      h.clock.advance(1);
      await restStatus(d.id, { state, description: `#${i}` });
    }
    const data: any = await h.gql(
      `query($id: ID!) { node(id: $id) { ... on Deployment { state latestStatus { state } statuses(first: 10) { nodes { state description } } last: statuses(last: 1) { nodes { description } } } } }`,
      { id: d.node_id },
    );
    expect(data.node).toEqual({
      state: 'FAILURE',
      latestStatus: { state: 'FAILURE' },
      statuses: {
        nodes: [
          { state: 'QUEUED', description: '#0' },
          { state: 'IN_PROGRESS', description: '#1' },
          { state: 'FAILURE', description: '#2' },
        ],
      },
      last: { nodes: [{ description: '#2' }] },
    });
  });

  test('Deployment.state mapping, including ACTIVE, INACTIVE and DESTROYED', async () => {
    const active = await restDeployment({ ref: SHA_A, environment: 'e1' });
    await restStatus(active.id, { state: 'success' });
    const inactive = await restDeployment({ ref: SHA_A, environment: 'e2' });
    await restStatus(inactive.id, { state: 'inactive' });
    const destroyed = await restDeployment({ ref: SHA_A, environment: 'e3', transient_environment: true });
    await restStatus(destroyed.id, { state: 'inactive' });
    const data: any = await h.gql(`{ repository(owner: "acme", name: "app") { deployments(first: 10) { nodes { state } } } }`);
    expect(data.repository.deployments.nodes.map((n: { state: string }) => n.state)).toEqual(['ACTIVE', 'INACTIVE', 'DESTROYED']);
  });

  test('createDeploymentStatus mutation: same store semantics as REST (auto-inactive, 140-char limit, environment change)', async () => {
    const older = await restDeployment({ ref: SHA_A, environment: 'staging' });
    await restStatus(older.id, { state: 'success' });
    const d = await restDeployment({ ref: SHA_B, environment: 'staging' });
    h.clock.advance(30);
    const MUTATION = `mutation SetStatus($id: ID!, $state: DeploymentStatusState!, $description: String, $env: String) {
      createDeploymentStatus(input: {deploymentId: $id, state: $state, description: $description, environment: $env, environmentUrl: "https://app", logUrl: "https://log"}) {
        deploymentStatus { id state description environment environmentUrl logUrl createdAt deployment { id environment originalEnvironment } }
      }
    }`;
    const res: any = await h.gql(MUTATION, { id: d.node_id, state: 'SUCCESS', description: 'Bake succeeded' });
    expect(res.createDeploymentStatus.deploymentStatus).toEqual({
      id: expect.stringMatching(/^DES_/),
      state: 'SUCCESS',
      description: 'Bake succeeded',
      environment: 'staging',
      environmentUrl: 'https://app',
      logUrl: 'https://log',
      createdAt: '2025-03-01T12:00:30Z',
      deployment: { id: d.node_id, environment: 'staging', originalEnvironment: 'staging' },
    });
    const states = h.emulator.deployments('acme/app').map((x) => x.statuses.map((s) => s.state));
    expect(states).toEqual([['success', 'inactive'], ['success']]);

    const tooLong = await thrown(() => h.gql(MUTATION, { id: d.node_id, state: 'FAILURE', description: 'y'.repeat(141) }));
    expect(tooLong.errors).toEqual([
      {
        type: 'UNPROCESSABLE',
        path: ['createDeploymentStatus'],
        locations: [{ line: 2, column: 7 }],
        message: 'Description description is too long (maximum is 140 characters)',
      },
    ]);
    expect(tooLong.data).toEqual({ createDeploymentStatus: null });

    const moved: any = await h.gql(MUTATION, { id: d.node_id, state: 'IN_PROGRESS', env: 'staging-2' });
    expect(moved.createDeploymentStatus.deploymentStatus.deployment).toEqual({ id: d.node_id, environment: 'staging-2', originalEnvironment: 'staging' });

    const unknown = await thrown(() => h.gql(MUTATION, { id: 'DE_nope', state: 'SUCCESS' }));
    expect(unknown.errors[0]).toMatchObject({ type: 'NOT_FOUND', message: "Could not resolve to a node with the global id of 'DE_nope'" });
  });

  test('createDeployment mutation deploys a branch Ref (refs are emulated for branches only)', async () => {
    const refs: any = await h.gql(
      `{ repository(owner: "acme", name: "app") { id ref(qualifiedName: "refs/heads/main") { id name } missing: ref(qualifiedName: "nope") { id } } }`,
    );
    expect(refs.repository.ref.name).toBe('main');
    expect(refs.repository.missing).toBeNull();
    const res: any = await h.gql(
      `mutation($repoId: ID!, $refId: ID!) { createDeployment(input: {repositoryId: $repoId, refId: $refId, environment: "qa", task: "deploy:k8s", payload: "{\\"a\\":1}", autoMerge: false, requiredContexts: [], description: "rollout"}) { autoMerged deployment { id commitOid environment task payload description ref { name } state } } }`,
      { repoId: refs.repository.id, refId: refs.repository.ref.id },
    );
    expect(res.createDeployment).toEqual({
      autoMerged: false,
      deployment: {
        id: expect.stringMatching(/^DE_/),
        commitOid: SHA_C,
        environment: 'qa',
        task: 'deploy:k8s',
        payload: '{"a":1}',
        description: 'rollout',
        ref: { name: 'main' },
        state: 'PENDING',
      },
    });
    const rest = await h.rest('GET /repos/{owner}/{repo}/deployments', repo);
    expect(rest.data[0]).toMatchObject({ ref: 'main', sha: SHA_C, payload: '{"a":1}', environment: 'qa', production_environment: false });
    h.emulator.addRepository('acme/other', { branches: { main: SHA_A } });
    const other: any = await h.gql(`{ repository(owner: "acme", name: "other") { ref(qualifiedName: "main") { id } } }`);
    const cross = await thrown(() =>
      h.gql(`mutation($repoId: ID!, $refId: ID!) { createDeployment(input: {repositoryId: $repoId, refId: $refId}) { deployment { id } } }`, {
        repoId: refs.repository.id,
        refId: other.repository.ref.id,
      }),
    );
    expect(cross.errors[0].type).toBe('NOT_FOUND');
  });

  test('Repository.object(oid) and Commit.deployments filter by SHA', async () => {
    await restDeployment({ ref: SHA_A, environment: 'staging' });
    await restDeployment({ ref: SHA_B, environment: 'staging' });
    await restDeployment({ ref: SHA_A, environment: 'prod' });
    const data: any = await h.gql(
      `query($sha: GitObjectID!) { repository(owner: "acme", name: "app") {
         known: object(oid: $sha) { __typename ... on Commit { oid deployments(environments: ["staging"], first: 10) { totalCount nodes { commitOid environment } } } }
         unknown: object(oid: "dddddddddddddddddddddddddddddddddddddddd") { __typename }
      } }`,
      { sha: SHA_A },
    );
    expect(data.repository).toEqual({
      known: { __typename: 'Commit', oid: SHA_A, deployments: { totalCount: 1, nodes: [{ commitOid: SHA_A, environment: 'staging' }] } },
      unknown: null,
    });
  });
});

describe('GraphQL pagination, errors and limits', () => {
  test('cursor pagination over 250 deployments, both directions and orders', async () => {
    // Seeded directly (REST creation of 250 is covered by rest.test.ts); ten per second, so ties are broken by id.
    for (let i = 0; i < 250; i++) {
      const createdAt = new Date(Date.parse('2025-03-01T12:00:00Z') + Math.floor(i / 10) * 1000).toISOString();
      h.emulator.seedDeployment('acme/app', {
        sha: SHA_A,
        task: 'deploy',
        environment: i % 2 ? 'staging' : 'prod-eu',
        description: `#${i}`,
        payload: {},
        created_at: createdAt,
      });
    }
    const PAGE = `query($after: String, $direction: OrderDirection!) { repository(owner: "acme", name: "app") {
      deployments(first: 100, after: $after, orderBy: {field: CREATED_AT, direction: $direction}) {
        totalCount pageInfo { hasNextPage hasPreviousPage endCursor } nodes { description } } } }`;
    for (const direction of ['ASC', 'DESC']) {
      const seen: string[] = [];
      let after: string | null = null;
      let pages = 0;
      for (;;) {
        const data: any = await h.gql(PAGE, { after, direction });
        const c = data.repository.deployments;
        expect(c.totalCount).toBe(250);
        expect(c.pageInfo.hasPreviousPage).toBe(pages > 0);
        seen.push(...c.nodes.map((n: { description: string }) => n.description));
        pages++;
        if (!c.pageInfo.hasNextPage) break;
        after = c.pageInfo.endCursor;
      }
      expect(pages).toBe(3);
      const expected = Array.from({ length: 250 }, (_, i) => `#${i}`);
      expect(seen).toEqual(direction === 'ASC' ? expected : expected.reverse());
    }
    const back: any = await h.gql(
      `{ repository(owner: "acme", name: "app") { deployments(last: 3) { pageInfo { hasPreviousPage startCursor } nodes { description } } } }`,
    );
    expect(back.repository.deployments.nodes.map((n: { description: string }) => n.description)).toEqual(['#247', '#248', '#249']);
    const before: any = await h.gql(
      `query($before: String) { repository(owner: "acme", name: "app") { deployments(last: 2, before: $before) { pageInfo { hasNextPage } nodes { description } } } }`,
      {
        before: back.repository.deployments.pageInfo.startCursor,
      },
    );
    expect(before.repository.deployments).toEqual({ pageInfo: { hasNextPage: true }, nodes: [{ description: '#245' }, { description: '#246' }] });
    const envs: any = await h.gql(
      `{ repository(owner: "acme", name: "app") { deployments(environments: ["staging"], first: 1) { totalCount edges { cursor node { environment } } } } }`,
    );
    expect(envs.repository.deployments.totalCount).toBe(125);
    expect(typeof envs.repository.deployments.edges[0].cursor).toBe('string');
  });

  test('missing or excessive pagination arguments are rejected like GitHub', async () => {
    const missing = await thrown(() => h.gql(`query Q { repository(owner: "acme", name: "app") { deployments { totalCount } } }`));
    expect(missing.errors).toEqual([
      {
        type: 'MISSING_PAGINATION_BOUNDARIES',
        path: ['repository', 'deployments'],
        locations: [{ line: 1, column: 52 }],
        message: 'You must provide a `first` or `last` value to properly paginate the `deployments` connection.',
      },
    ]);
    expect(missing.data).toBeUndefined();
    const excessive = await thrown(() =>
      h.gql(`query($n: Int) { repository(owner: "acme", name: "app") { deployments(first: $n) { totalCount } } }`, { n: 101 }),
    );
    expect(excessive.errors[0]).toMatchObject({
      type: 'EXCESSIVE_PAGINATION',
      message: 'Requesting 101 records on the `deployments` connection exceeds the `first` limit of 100 records.',
    });
    const nested = await thrown(() => h.gql(`{ repository(owner: "acme", name: "app") { environments(last: 200) { nodes { name } } } }`));
    expect(nested.errors[0].message).toBe('Requesting 200 records on the `environments` connection exceeds the `last` limit of 100 records.');
    const statuses = await thrown(() => h.gql(`{ repository(owner: "acme", name: "app") { deployments(first: 1) { nodes { statuses { totalCount } } } } }`));
    expect(statuses.errors[0]).toMatchObject({ type: 'MISSING_PAGINATION_BOUNDARIES', path: ['repository', 'deployments', 'nodes', 'statuses'] });
    const cursor = await thrown(() => h.gql(`{ repository(owner: "acme", name: "app") { deployments(first: 1, after: "bogus") { totalCount } } }`));
    expect(cursor.errors[0]).toMatchObject({ type: 'INVALID_CURSOR_ARGUMENTS' });
  });

  test('unknown repository: data.repository null with a NOT_FOUND error', async () => {
    const err = await thrown(() => h.gql(`query { repository(owner: "acme", name: "nope") { id } }`));
    expect(err.data).toEqual({ repository: null });
    expect(err.errors).toEqual([
      { type: 'NOT_FOUND', path: ['repository'], locations: [{ line: 1, column: 9 }], message: "Could not resolve to a Repository with the name 'acme/nope'." },
    ]);
  });

  test('environments are auto-created by deployments and statuses, listed by name', async () => {
    const d = await restDeployment({ ref: SHA_A, environment: 'staging' });
    await restDeployment({ ref: SHA_A, environment: 'Alpha' });
    await restDeployment({ ref: SHA_A, environment: 'STAGING' });
    await restStatus(d.id, { state: 'in_progress', environment: 'zeta' });
    const data: any = await h.gql(`{ repository(owner: "acme", name: "app") {
      environments(first: 10) { totalCount nodes { id name } }
      filtered: environments(first: 10, names: ["zeta"]) { nodes { name } }
      desc: environments(first: 1, orderBy: {field: NAME, direction: DESC}) { nodes { name } }
      environment(name: "staging") { name latestCompletedDeployment { id } }
    } }`);
    expect(data.repository.environments.nodes.map((e: { name: string }) => e.name)).toEqual(['Alpha', 'staging', 'zeta']);
    expect(data.repository.environments.nodes[0].id).toMatch(/^EN_/);
    expect(data.repository.filtered.nodes).toEqual([{ name: 'zeta' }]);
    expect(data.repository.desc.nodes).toEqual([{ name: 'zeta' }]);
    expect(data.repository.environment).toEqual({ name: 'staging', latestCompletedDeployment: null });
  });

  test('rateLimit reports cost, node count and the remaining budget; headers use the graphql resource', async () => {
    const data: any = await h.gql(
      `{ rateLimit { cost limit remaining used resetAt nodeCount } repository(owner: "acme", name: "app") { deployments(first: 100) { nodes { statuses(first: 100) { totalCount } } } } }`,
    );
    expect(data.rateLimit).toEqual({ cost: 1, limit: 5000, remaining: 4999, used: 1, resetAt: '2025-03-01T13:00:00Z', nodeCount: 10100 });
    const expensive: any = await h.gql(
      `{ rateLimit { cost remaining } repository(owner: "acme", name: "app") { deployments(first: 100) { nodes { statuses(first: 100) { nodes { deployment { statuses(first: 100) { totalCount } } } } } } } }`,
    );
    expect(expensive.rateLimit).toEqual({ cost: 101, remaining: 4898 });
    const dry: any = await h.gql(`{ rateLimit(dryRun: true) { cost remaining } }`);
    expect(dry.rateLimit).toEqual({ cost: 1, remaining: 4898 });
    const raw = await fetch(`${h.emulator.url}/graphql`, {
      method: 'POST',
      headers: { authorization: 'bearer test-token' },
      body: JSON.stringify({ query: '{ rateLimit { remaining } }' }),
    });
    expect(raw.headers.get('x-ratelimit-resource')).toBe('graphql');
    expect(raw.headers.get('x-ratelimit-remaining')).toBe('4897');
    expect(raw.headers.get('content-type')).toBe('application/json; charset=utf-8');
  });

  test('unimplemented fields fail loudly instead of inventing data', async () => {
    const err = await thrown(() => h.gql(`{ repository(owner: "acme", name: "app") { isPrivate } }`));
    expect(err.errors[0]).toMatchObject({ type: 'NOT_EMULATED', message: 'The GitHub emulator does not implement Repository.isPrivate.' });
  });

  test('GraphQL 401 with a bad token; GHES layout at /api/graphql', async () => {
    const wrong = clients(h.emulator.url, 'nope');
    const err = await thrown(() => wrong.gql(`{ rateLimit { remaining } }`));
    expect(err.status).toBe(401);
    expect(err.response.data).toEqual({ message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' });
    const ghes = clients(`${h.emulator.url}/api/v3`);
    const d = await restDeployment({ ref: SHA_A, environment: 'staging' });
    const data: any = await ghes.gql(`query Ghes($id: ID!) { node(id: $id) { id } }`, { id: d.node_id });
    expect(data.node.id).toBe(d.node_id);
    expect(h.emulator.requests.at(-1)).toEqual({ api: 'graphql', method: 'POST', path: '/api/graphql', operationName: 'Ghes', mutation: false, status: 200 });
  });
});
