import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { PARSED_DOCUMENTS_LIMIT, parsedDocuments } from '../../tools/github-emulator/graphql.js';
import { SHA_A, startHarness, type Harness } from './helpers.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
  h.emulator.addRepository('acme/app', { commits: [SHA_A] });
});
afterEach(() => h.close());

const repo = { owner: 'acme', repo: 'app' };

async function restDeployment(body: Record<string, unknown>): Promise<{ id: number; node_id: string }> {
  const res = await h.rest('POST /repos/{owner}/{repo}/deployments', { ...repo, ref: SHA_A, auto_merge: false, required_contexts: [], ...body });
  return res.data;
}

async function restStatus(id: number, body: Record<string, unknown>): Promise<void> {
  await h.rest('POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses', { ...repo, deployment_id: id, ...body });
}

async function rawGraphQL(query: string, variables: Record<string, unknown> = {}): Promise<unknown> {
  const res = await fetch(`${h.emulator.url}/graphql`, {
    method: 'POST',
    headers: { authorization: 'token test-token' },
    body: JSON.stringify({ query, variables }),
  });
  expect(res.status).toBe(200);
  return res.json();
}

const BY_ENVIRONMENT = `query ByEnvironment($envs: [String!]) { repository(owner: "acme", name: "app") {
  deployments(environments: $envs, first: 10, orderBy: {field: CREATED_AT, direction: DESC}) {
    totalCount nodes { description environment latestStatus { state } } } } }`;

describe('a repeated identical document', () => {
  test('an invalid document is rejected with the same errors every time', async () => {
    const invalid = `query { repository(owner: "acme", name: "app") { deployments(task: "x", first: 1) { nodes { id } } } }`;
    const expected = {
      errors: [{ message: 'Unknown argument "task" on field "Repository.deployments". Did you mean "last"?', locations: [{ line: 1, column: 62 }] }],
    };
    expect(await rawGraphQL(invalid)).toEqual(expected);
    expect(await rawGraphQL(invalid)).toEqual(expected);
    const unparsable = '{ repository(owner: "acme" ';
    const syntax = { errors: [{ message: 'Syntax Error: Expected Name, found <EOF>.', locations: [{ line: 1, column: 28 }] }] };
    expect(await rawGraphQL(unparsable)).toEqual(syntax);
    expect(await rawGraphQL(unparsable)).toEqual(syntax);
  });

  test('a document rejected by the pagination rules is rejected again, whatever was accepted in between', async () => {
    const query = `query($n: Int) { repository(owner: "acme", name: "app") { deployments(first: $n) { totalCount } } }`;
    const excessive = {
      errors: [
        {
          type: 'EXCESSIVE_PAGINATION',
          path: ['repository', 'deployments'],
          locations: [{ line: 1, column: 59 }],
          message: 'Requesting 101 records on the `deployments` connection exceeds the `first` limit of 100 records.',
        },
      ],
    };
    expect(await rawGraphQL(query, { n: 101 })).toEqual(excessive);
    expect(await rawGraphQL(query, { n: 5 })).toEqual({ data: { repository: { deployments: { totalCount: 0 } } } });
    expect(await rawGraphQL(query, { n: 101 })).toEqual(excessive);
  });

  test('sees every change of the store: new deployments, statuses, moved environments, deletions', async () => {
    h.clock.advance(1);
    const first = await restDeployment({ environment: 'Staging', description: 'first' });
    const read = async (envs: string[]) => ((await h.gql(BY_ENVIRONMENT, { envs })) as any).repository.deployments;
    expect(await read(['staging'])).toEqual({ totalCount: 1, nodes: [{ description: 'first', environment: 'Staging', latestStatus: null }] });

    h.clock.advance(1);
    const second = await restDeployment({ environment: 'staging', description: 'second' });
    await restStatus(second.id, { state: 'success' });
    expect(await read(['staging'])).toEqual({
      totalCount: 2,
      nodes: [
        { description: 'second', environment: 'staging', latestStatus: { state: 'SUCCESS' } },
        { description: 'first', environment: 'Staging', latestStatus: null },
      ],
    });

    // A status with another environment moves the deployment between the environment filters.
    await restStatus(first.id, { state: 'in_progress', environment: 'production' });
    expect(await read(['staging'])).toEqual({ totalCount: 1, nodes: [{ description: 'second', environment: 'staging', latestStatus: { state: 'SUCCESS' } }] });
    expect(await read(['PRODUCTION'])).toEqual({
      totalCount: 1,
      nodes: [{ description: 'first', environment: 'production', latestStatus: { state: 'IN_PROGRESS' } }],
    });
    // Several names merge into one list in creation order, a name given twice counts once.
    expect(await read(['production', 'staging', 'Staging'])).toEqual({
      totalCount: 2,
      nodes: [
        { description: 'second', environment: 'staging', latestStatus: { state: 'SUCCESS' } },
        { description: 'first', environment: 'production', latestStatus: { state: 'IN_PROGRESS' } },
      ],
    });

    await restStatus(first.id, { state: 'inactive' });
    await h.rest('DELETE /repos/{owner}/{repo}/deployments/{deployment_id}', { ...repo, deployment_id: first.id });
    expect(await read(['production'])).toEqual({ totalCount: 0, nodes: [] });
    expect(await read([])).toEqual({ totalCount: 1, nodes: [{ description: 'second', environment: 'staging', latestStatus: { state: 'SUCCESS' } }] });
  });

  test('auto-inactive reaches an earlier deployment that moved into the environment', async () => {
    const moved = await restDeployment({ environment: 'dev', description: 'moved' });
    h.clock.advance(1);
    const later = await restDeployment({ environment: 'qa', description: 'later' });
    await restStatus(moved.id, { state: 'success' });
    await restStatus(moved.id, { state: 'success', environment: 'qa' });
    await restStatus(later.id, { state: 'success' });
    expect(h.emulator.deployments('acme/app').map((d) => [d.description, d.environment, d.statuses.map((s) => s.state)])).toEqual([
      ['moved', 'qa', ['success', 'success', 'inactive']],
      ['later', 'qa', ['success']],
    ]);
  });

  test('status cursors page a long status list in both directions', async () => {
    const d = await restDeployment({ environment: 'staging' });
    for (let i = 0; i < 25; i++) {
      h.clock.advance(1);
      await restStatus(d.id, { state: 'in_progress', description: `#${i}`, auto_inactive: false });
    }
    const PAGE = `query($id: ID!, $before: String, $after: String) { node(id: $id) { ... on Deployment {
      back: statuses(last: 10, before: $before) { pageInfo { hasPreviousPage startCursor } nodes { description } }
      forth: statuses(first: 3, after: $after) { pageInfo { hasNextPage endCursor } edges { cursor node { description } } } } } }`;
    const descriptions = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => ({ description: `#${from + i}` }));
    const one: any = await h.gql(PAGE, { id: d.node_id, before: null, after: null });
    expect(one.node.back.nodes).toEqual(descriptions(15, 25));
    expect(one.node.back.pageInfo.hasPreviousPage).toBe(true);
    expect(one.node.forth.edges.map((e: any) => e.node)).toEqual(descriptions(0, 3));
    expect(one.node.forth.pageInfo.endCursor).toBe(one.node.forth.edges[2].cursor);
    const two: any = await h.gql(PAGE, { id: d.node_id, before: one.node.back.pageInfo.startCursor, after: one.node.forth.pageInfo.endCursor });
    expect(two.node.back.nodes).toEqual(descriptions(5, 15));
    expect(two.node.forth.edges.map((e: any) => e.node)).toEqual(descriptions(3, 6));
    const three: any = await h.gql(PAGE, { id: d.node_id, before: two.node.back.pageInfo.startCursor, after: null });
    expect(three.node.back).toEqual({ pageInfo: { hasPreviousPage: false, startCursor: one.node.forth.edges[0].cursor }, nodes: descriptions(0, 5) });
  });
});

describe('parsed documents', () => {
  test('are kept for at most PARSED_DOCUMENTS_LIMIT texts; an evicted text is parsed and validated again', async () => {
    const valid = (i: number) => `query Q${i} { rateLimit { cost } }`;
    const invalid = `query Evicted { repository(owner: "acme", name: "app") { nope } }`;
    const rejection = { errors: [{ message: 'Cannot query field "nope" on type "Repository". Did you mean "name"?', locations: [{ line: 1, column: 58 }] }] };
    expect(await rawGraphQL(invalid)).toEqual(rejection);
    expect(parsedDocuments.has(invalid)).toBe(true);
    for (let i = 0; i < PARSED_DOCUMENTS_LIMIT; i++) expect(await rawGraphQL(valid(i))).toEqual({ data: { rateLimit: { cost: 1 } } });
    expect(parsedDocuments.size).toBe(PARSED_DOCUMENTS_LIMIT);
    expect(parsedDocuments.has(invalid)).toBe(false);
    expect(await rawGraphQL(invalid)).toEqual(rejection);
    expect(parsedDocuments.size).toBe(PARSED_DOCUMENTS_LIMIT);
    // 258 documents each parsed and validated against GitHub's schema: seconds of CPU, much longer on a busy machine.
  }, 120_000);
});
