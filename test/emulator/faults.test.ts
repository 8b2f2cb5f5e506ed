import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { SHA_A, startHarness, thrown, type Harness } from './helpers.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
  h.emulator.addRepository('acme/app');
});
afterEach(() => h.close());

const repo = { owner: 'acme', repo: 'app' };
const create = () =>
  h.rest('POST /repos/{owner}/{repo}/deployments', { ...repo, ref: SHA_A, environment: 'staging', auto_merge: false, required_contexts: [] });
const STATUS_MUTATION = `mutation Status($id: ID!) { createDeploymentStatus(input: {deploymentId: $id, state: SUCCESS}) { deploymentStatus { id } } }`;

describe('requests and counts', () => {
  test('every request is recorded; writes are REST POST/PATCH/DELETE and GraphQL mutations', async () => {
    const d = await create();
    await h.rest('GET /repos/{owner}/{repo}/deployments', repo);
    await h.rest('GET /repos/{owner}/{repo}/deployments/{deployment_id}', { ...repo, deployment_id: d.data.id });
    await h.gql(`query Read { repository(owner: "acme", name: "app") { deployments(first: 1) { totalCount } } }`);
    await h.gql(STATUS_MUTATION, { id: d.data.node_id });
    await thrown(() => h.gql(`{ repository(owner: "acme", name: "app") { deployments { totalCount } } }`));
    expect(h.emulator.counts()).toEqual({ total: 6, graphql: 3, rest: 3, reads: 4, writes: 2 });
    expect(h.emulator.requests).toEqual([
      { api: 'rest', method: 'POST', path: '/repos/acme/app/deployments', mutation: false, status: 201 },
      { api: 'rest', method: 'GET', path: '/repos/acme/app/deployments', mutation: false, status: 200 },
      { api: 'rest', method: 'GET', path: `/repos/acme/app/deployments/${d.data.id}`, mutation: false, status: 200 },
      { api: 'graphql', method: 'POST', path: '/graphql', operationName: 'Read', mutation: false, status: 200 },
      { api: 'graphql', method: 'POST', path: '/graphql', operationName: 'Status', mutation: true, status: 200 },
      { api: 'graphql', method: 'POST', path: '/graphql', mutation: false, status: 200 },
    ]);
    h.emulator.resetRequests();
    expect(h.emulator.counts()).toEqual({ total: 0, graphql: 0, rest: 0, reads: 0, writes: 0 });
    expect(h.emulator.requests).toEqual([]);
  });
});

describe('faults', () => {
  test('gate: the request waits for the gate, says it arrived, and is then answered normally', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    let arrived!: () => void;
    const arrival = new Promise<void>((resolve) => (arrived = resolve));
    h.emulator.injectFault({ match: { api: 'rest', method: 'POST' }, action: { kind: 'gate', until: gate, onArrival: arrived } });
    const creation = create();
    await arrival;
    expect(h.emulator.deployments('acme/app')).toEqual([]);
    open();
    expect((await creation).status).toBe(201);
    expect(h.emulator.requests.map((r) => [r.status, r.fault])).toEqual([[201, 'gate']]);
  });

  test('respond: answers instead of handling, `times` uses, then normal service', async () => {
    h.emulator.injectFault({
      match: { api: 'rest', method: 'POST' },
      times: 2,
      action: { kind: 'respond', status: 502, body: { message: 'Server Error' }, headers: { 'Retry-After': '1' } },
    });
    for (let i = 0; i < 2; i++) {
      const err = await thrown(create);
      expect(err.status).toBe(502);
      expect(err.response.data).toEqual({ message: 'Server Error' });
      expect(err.response.headers['retry-after']).toBe('1');
    }
    expect(h.emulator.deployments('acme/app')).toEqual([]);
    expect((await create()).status).toBe(201);
    expect(h.emulator.requests.map((r) => [r.status, r.fault])).toEqual([
      [502, 'respond'],
      [502, 'respond'],
      [201, undefined],
    ]);
  });

  test('respond on GraphQL mutations only; GET reads are unaffected', async () => {
    const d = await create();
    h.emulator.injectFault({
      match: { api: 'graphql', mutation: true },
      times: Infinity,
      action: { kind: 'respond', status: 403, body: { message: 'You have exceeded a secondary rate limit.' } },
    });
    const data: any = await h.gql(`{ node(id: "${d.data.node_id}") { id } }`);
    expect(data.node.id).toBe(d.data.node_id);
    for (let i = 0; i < 3; i++) {
      const err = await thrown(() => h.gql(STATUS_MUTATION, { id: d.data.node_id }));
      expect(err.status).toBe(403);
    }
    h.emulator.clearFaults();
    await h.gql(STATUS_MUTATION, { id: d.data.node_id });
    expect(h.emulator.deployments('acme/app')[0]!.statuses).toHaveLength(1);
  });

  test('drop-after-write: the write happens but the client gets a network error', async () => {
    h.emulator.injectFault({ match: { pathIncludes: '/deployments', method: 'POST' }, action: { kind: 'drop-after-write' } });
    const err = await thrown(create);
    expect(err.name).toBe('HttpError');
    expect(err.status).toBe(500); // @octokit/request's code for a failed fetch
    expect(String(err.cause ?? err.message)).toMatch(/fetch failed|other side closed|socket/i);
    const stored = h.emulator.deployments('acme/app');
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ sha: SHA_A, environment: 'staging' });
    expect(h.emulator.requests).toEqual([
      { api: 'rest', method: 'POST', path: '/repos/acme/app/deployments', mutation: false, status: 0, fault: 'drop-after-write' },
    ]);
    // The next request is served on a fresh connection.
    expect((await h.rest('GET /repos/{owner}/{repo}/deployments', repo)).data).toHaveLength(1);
  });

  test('drop-after-write on a GraphQL mutation stores the status', async () => {
    const d = await create();
    h.emulator.injectFault({ match: { api: 'graphql', mutation: true }, action: { kind: 'drop-after-write' } });
    const err = await thrown(() => h.gql(STATUS_MUTATION, { id: d.data.node_id }));
    expect(err.status).toBe(500);
    expect(h.emulator.deployments('acme/app')[0]!.statuses.map((s) => s.state)).toEqual(['success']);
  });

  test('reset: the socket is destroyed and nothing is performed', async () => {
    h.emulator.injectFault({ match: { api: 'rest' }, action: { kind: 'reset' } });
    const err = await thrown(create);
    expect(err.status).toBe(500);
    expect(h.emulator.deployments('acme/app')).toEqual([]);
    expect(h.emulator.requests[0]).toMatchObject({ status: 0, fault: 'reset' });
    expect((await create()).status).toBe(201);
  });

  test('delay: handled normally after the delay', async () => {
    h.emulator.injectFault({ match: { api: 'graphql' }, action: { kind: 'delay', ms: 150 } });
    const started = performance.now();
    const data: any = await h.gql(`{ rateLimit { remaining } }`);
    expect(performance.now() - started).toBeGreaterThanOrEqual(145);
    expect(data.rateLimit.remaining).toBe(4999);
    const quick = performance.now();
    await h.gql(`{ rateLimit { remaining } }`);
    expect(performance.now() - quick).toBeLessThan(140);
    expect(h.emulator.requests.map((r) => r.fault)).toEqual(['delay', undefined]);
  });

  test('latencyMs delays every response', async () => {
    const slow = await startHarness({ latencyMs: 80 });
    try {
      slow.emulator.addRepository('acme/app');
      const started = performance.now();
      await slow.rest('GET /repos/{owner}/{repo}/deployments', repo);
      await thrown(() => slow.rest('GET /repos/{owner}/{repo}/deployments', { owner: 'acme', repo: 'missing' }));
      expect(performance.now() - started).toBeGreaterThanOrEqual(155);
    } finally {
      await slow.close();
    }
  });
});

describe('fault probability and recorded GraphQL documents', () => {
  test('a fault with probability applies to that share of matching requests, repeatably, without using up `times`', async () => {
    const outcomes = async () => {
      const emu = await startHarness();
      try {
        emu.emulator.addRepository('acme/app');
        emu.emulator.injectFault({ match: { api: 'rest' }, times: Infinity, probability: 0.25, action: { kind: 'respond', status: 503 } });
        const statuses: number[] = [];
        for (let i = 0; i < 200; i++) {
          statuses.push(
            await emu.rest('GET /repos/{owner}/{repo}/deployments', repo).then(
              (r) => r.status,
              (e) => e.status,
            ),
          );
        }
        return statuses;
      } finally {
        await emu.close();
      }
    };
    const first = await outcomes();
    // The default seed draws 45 of 200 below 0.25.
    expect(first.filter((s) => s === 503).length).toBe(45);
    expect(first.filter((s) => s !== 503).every((s) => s === 200)).toBe(true);
    expect(await outcomes()).toEqual(first);
  });

  test('probability outside (0, 1] is refused', () => {
    expect(() => h.emulator.injectFault({ match: {}, probability: 0, action: { kind: 'reset' } })).toThrow('fault.probability must be in (0, 1], got 0');
    expect(() => h.emulator.injectFault({ match: {}, probability: 1.5, action: { kind: 'reset' } })).toThrow('fault.probability must be in (0, 1], got 1.5');
  });

  test('GraphQL documents and variables are recorded as received, and cleared with the requests', async () => {
    const d = await create();
    await h.gql(STATUS_MUTATION, { id: d.data.node_id });
    expect(h.emulator.graphqlRequests).toEqual([{ operationName: 'Status', query: STATUS_MUTATION, variables: { id: d.data.node_id } }]);
    h.emulator.resetRequests();
    expect(h.emulator.graphqlRequests).toEqual([]);
  });
});
