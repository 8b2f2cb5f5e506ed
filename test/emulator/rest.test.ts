import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { clients, SHA_A, SHA_B, SHA_C, startHarness, thrown, type Harness } from './helpers.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
  h.emulator.addRepository('acme/app', { commits: [SHA_A, SHA_B, SHA_C], branches: { main: SHA_C } });
});
afterEach(() => h.close());

const repo = { owner: 'acme', repo: 'app' };

async function createDeployment(body: Record<string, unknown>) {
  return h.rest('POST /repos/{owner}/{repo}/deployments', { ...repo, auto_merge: false, required_contexts: [], ...body });
}

describe('REST deployments', () => {
  test('creates a deployment with a 64-bit id, echoing the payload and defaulting GitHub fields', async () => {
    h.clock.set('2025-03-01T12:34:56.789Z');
    const res = await createDeployment({ ref: SHA_A, environment: 'staging', task: 'deploy:app', payload: { version: 'v1' } });
    expect(res.status).toBe(201);
    expect(res.data).toMatchObject({
      id: 5_000_001_000,
      sha: SHA_A,
      ref: SHA_A,
      task: 'deploy:app',
      environment: 'staging',
      original_environment: 'staging',
      description: null,
      payload: { version: 'v1' },
      created_at: '2025-03-01T12:34:56Z',
      updated_at: '2025-03-01T12:34:56Z',
      production_environment: false,
      transient_environment: false,
      url: `${h.emulator.url}/repos/acme/app/deployments/5000001000`,
      statuses_url: `${h.emulator.url}/repos/acme/app/deployments/5000001000/statuses`,
      repository_url: `${h.emulator.url}/repos/acme/app`,
      creator: { login: 'github-emulator', type: 'User' },
    });
    expect(res.data.node_id).toMatch(/^DE_kwDO/);
    expect(res.data.id).toBeGreaterThan(2 ** 32);

    const str = await createDeployment({ ref: 'main', payload: '{"kept":"as text"}' });
    expect(str.data).toMatchObject({
      id: 5_000_001_001,
      payload: '{"kept":"as text"}',
      sha: SHA_C,
      ref: 'main',
      environment: 'production',
      production_environment: true,
    });
    const none = await createDeployment({ ref: SHA_B, environment: 'qa', description: 'why' });
    expect(none.data).toMatchObject({ payload: {}, description: 'why' });
  });

  test('REST ids above 2^32 round-trip exactly through GET', async () => {
    const created = await createDeployment({ ref: SHA_A, environment: 'staging' });
    const got = await h.rest('GET /repos/{owner}/{repo}/deployments/{deployment_id}', { ...repo, deployment_id: created.data.id });
    expect(got.data.id).toBe(5_000_001_000);
    const status = await h.rest('POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses', {
      ...repo,
      deployment_id: created.data.id,
      state: 'in_progress',
    });
    expect(status.data.id).toBeGreaterThan(2 ** 32);
    const gotStatus = await h.rest('GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses/{status_id}', {
      ...repo,
      deployment_id: created.data.id,
      status_id: status.data.id,
    });
    expect(gotStatus.data).toMatchObject({ id: status.data.id, node_id: status.data.node_id, state: 'in_progress' });
    expect(status.data.node_id).toMatch(/^DES_/);
  });

  test('statuses: defaults, log_url/target_url, environment carried over, listed newest first', async () => {
    const d = await createDeployment({ ref: SHA_A, environment: 'staging' });
    const post = (body: Record<string, unknown>) =>
      h.rest('POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses', { ...repo, deployment_id: d.data.id, ...body });
    const first = await post({ state: 'queued' });
    expect(first.data).toMatchObject({ state: 'queued', description: '', environment: 'staging', environment_url: '', log_url: '', target_url: '' });
    h.clock.advance(10);
    const second = await post({ state: 'in_progress', log_url: 'https://ci.example/1', description: 'Deploying' });
    expect(second.data).toMatchObject({ log_url: 'https://ci.example/1', target_url: 'https://ci.example/1', description: 'Deploying' });
    h.clock.advance(10);
    await post({ state: 'success', environment_url: 'https://app.example' });
    const list = await h.rest('GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses', { ...repo, deployment_id: d.data.id });
    expect(list.data.map((s: { state: string }) => s.state)).toEqual(['success', 'in_progress', 'queued']);
    expect(list.data[0]).toMatchObject({ environment_url: 'https://app.example', created_at: '2025-03-01T12:00:20Z' });
  });

  test('list filters (sha, ref, task, environment), newest first, Link pagination over 250 deployments', async () => {
    for (let i = 0; i < 250; i++) {
      await createDeployment({ ref: i % 2 ? SHA_A : SHA_B, environment: i % 5 === 0 ? 'prod-eu' : 'staging', task: i === 7 ? 'deploy:special' : 'deploy' });
    }
    const page1 = await h.rest('GET /repos/{owner}/{repo}/deployments', { ...repo, per_page: 100 });
    expect(page1.data).toHaveLength(100);
    expect(page1.data[0].id).toBe(5_000_001_249);
    const base = `${h.emulator.url}/repos/acme/app/deployments?per_page=100`;
    expect(page1.headers.link).toBe(`<${base}&page=2>; rel="next", <${base}&page=3>; rel="last"`);
    const page2 = await h.rest('GET /repos/{owner}/{repo}/deployments', { ...repo, per_page: 100, page: 2 });
    expect(page2.headers.link).toBe(`<${base}&page=1>; rel="prev", <${base}&page=3>; rel="next", <${base}&page=3>; rel="last", <${base}&page=1>; rel="first"`);
    const page3 = await h.rest('GET /repos/{owner}/{repo}/deployments', { ...repo, per_page: 100, page: 3 });
    expect(page3.data).toHaveLength(50);
    expect(page3.data[49].id).toBe(5_000_001_000);
    expect(page3.headers.link).toBe(`<${base}&page=2>; rel="prev", <${base}&page=1>; rel="first"`);

    const defaults = await h.rest('GET /repos/{owner}/{repo}/deployments', repo);
    expect(defaults.data).toHaveLength(30);
    const clamped = await h.rest('GET /repos/{owner}/{repo}/deployments', { ...repo, per_page: 500 });
    expect(clamped.data).toHaveLength(100);

    const all: number[] = [];
    for await (const page of paginate(`GET /repos/acme/app/deployments?per_page=100`)) all.push(...page);
    expect(all).toHaveLength(250);
    expect(new Set(all).size).toBe(250);

    const byEnv = await h.rest('GET /repos/{owner}/{repo}/deployments', { ...repo, environment: 'prod-eu', per_page: 100 });
    expect(byEnv.data).toHaveLength(50);
    const bySha = await h.rest('GET /repos/{owner}/{repo}/deployments', { ...repo, sha: SHA_A, per_page: 100, page: 2 });
    expect(bySha.data).toHaveLength(25);
    const byTask = await h.rest('GET /repos/{owner}/{repo}/deployments', { ...repo, task: 'deploy:special' });
    expect(byTask.data.map((d: { id: number }) => d.id)).toEqual([5_000_001_007]);
    const byRef = await h.rest('GET /repos/{owner}/{repo}/deployments', { ...repo, ref: SHA_B, per_page: 1 });
    expect(byRef.headers.link).toContain('page=125>; rel="last"');
  });

  test('statuses are paginated with Link headers too', async () => {
    const d = await createDeployment({ ref: SHA_A, environment: 'staging' });
    for (let i = 0; i < 5; i++) {
      await h.rest('POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses', {
        ...repo,
        deployment_id: d.data.id,
        state: 'in_progress',
        description: `step ${i}`,
      });
    }
    const p = await h.rest('GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses', { ...repo, deployment_id: d.data.id, per_page: 2, page: 2 });
    expect(p.data.map((s: { description: string }) => s.description)).toEqual(['step 2', 'step 1']);
    expect(p.headers.link).toContain('page=3>; rel="last"');
  });

  async function* paginate(route: string): AsyncGenerator<number[]> {
    let url: string | undefined = route;
    while (url) {
      const res: { data: { id: number }[]; headers: { link?: string } } = await h.rest(url, {});
      yield res.data.map((d) => d.id);
      const next = /<([^>]+)>; rel="next"/.exec(res.headers.link ?? '')?.[1];
      url = next ? `GET ${next}` : undefined;
    }
  }
});

describe('REST semantics and errors', () => {
  test('auto_inactive: success inactivates earlier successful, non-production, non-transient deployments of that environment', async () => {
    const status = (id: number, body: Record<string, unknown>) =>
      h.rest('POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses', { ...repo, deployment_id: id, ...body });
    const old = (await createDeployment({ ref: SHA_A, environment: 'staging' })).data.id;
    const failed = (await createDeployment({ ref: SHA_A, environment: 'staging' })).data.id;
    const transient = (await createDeployment({ ref: SHA_A, environment: 'staging', transient_environment: true })).data.id;
    const prodFlag = (await createDeployment({ ref: SHA_A, environment: 'staging', production_environment: true })).data.id;
    const otherEnv = (await createDeployment({ ref: SHA_A, environment: 'qa' })).data.id;
    const pending = (await createDeployment({ ref: SHA_A, environment: 'staging' })).data.id;
    // Set-up with auto_inactive: false, so nothing is inactivated yet.
    for (const id of [old, transient, prodFlag, otherEnv]) await status(id, { state: 'success', auto_inactive: false });
    await status(failed, { state: 'failure' });
    await status(pending, { state: 'success', auto_inactive: false });
    await status(pending, { state: 'in_progress' });
    const latest = () =>
      Object.fromEntries(h.emulator.deployments('acme/app').map((d) => [d.id, d.statuses.map((s) => `${s.state}${s.description ? `:${s.description}` : ''}`)]));
    expect(latest()[old]).toEqual(['success']);
    h.clock.advance(60);
    const newest = (await createDeployment({ ref: SHA_B, environment: 'staging' })).data.id;
    await status(newest, { state: 'in_progress' });
    expect(latest()[old]).toEqual(['success']); // only `success` triggers it
    await status(newest, { state: 'success' });
    expect(latest()).toEqual({
      [old]: ['success', 'inactive:This deployment is inactive'],
      [failed]: ['failure'],
      [transient]: ['success'],
      [prodFlag]: ['success'],
      [otherEnv]: ['success'],
      [pending]: ['success', 'in_progress'],
      [newest]: ['in_progress', 'success'],
    });
    const inactive = h.emulator.deployments('acme/app').find((d) => d.id === old)!.statuses[1]!;
    expect(inactive).toMatchObject({ environment: 'staging', created_at: '2025-03-01T12:01:00Z' });
    // The later deployment is not touched when an earlier one succeeds again.
    await status(old, { state: 'success' });
    expect(latest()[newest]).toEqual(['in_progress', 'success']);
  });

  test('401 Bad credentials for a missing or unknown token', async () => {
    const wrong = clients(h.emulator.url, 'nope');
    const err = await thrown(() => wrong.rest('GET /repos/{owner}/{repo}/deployments', repo));
    expect(err.status).toBe(401);
    expect(err.response.data).toEqual({ message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' });
    const res = await fetch(`${h.emulator.url}/repos/acme/app/deployments`);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' });
    const bearer = await fetch(`${h.emulator.url}/repos/acme/app/deployments`, { headers: { authorization: 'Bearer test-token' } });
    expect(bearer.status).toBe(200);
  });

  test('404 for an unknown repository, deployment or status', async () => {
    const err = await thrown(() => h.rest('GET /repos/{owner}/{repo}/deployments', { owner: 'acme', repo: 'missing' }));
    expect(err.status).toBe(404);
    expect(err.response.data).toEqual({
      message: 'Not Found',
      documentation_url: 'https://docs.github.com/rest/deployments/deployments#list-deployments',
      status: '404',
    });
    const noDeployment = await thrown(() => h.rest('GET /repos/{owner}/{repo}/deployments/{deployment_id}', { ...repo, deployment_id: 42 }));
    expect(noDeployment.status).toBe(404);
    const d = await createDeployment({ ref: SHA_A });
    const noStatus = await thrown(() =>
      h.rest('GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses/{status_id}', { ...repo, deployment_id: d.data.id, status_id: 1 }),
    );
    expect(noStatus.status).toBe(404);
  });

  test('422 No ref found for an unknown ref', async () => {
    const err = await thrown(() => createDeployment({ ref: 'd'.repeat(40) }));
    expect(err.status).toBe(422);
    expect(err.response.data).toEqual({
      message: `No ref found for: ${'d'.repeat(40)}`,
      documentation_url: 'https://docs.github.com/rest/deployments/deployments#create-a-deployment',
      status: '422',
    });
    const branch = await thrown(() => createDeployment({ ref: 'feature/x' }));
    expect(branch.response.data.message).toBe('No ref found for: feature/x');
    h.emulator.addCommits('acme/app', ['d'.repeat(40)]);
    expect((await createDeployment({ ref: 'd'.repeat(40) })).status).toBe(201);
  });

  test('without a commit list any 40-hex SHA is a ref, anything else is not', async () => {
    h.emulator.addRepository('acme/open');
    const ok = await h.rest('POST /repos/{owner}/{repo}/deployments', { owner: 'acme', repo: 'open', ref: '0123456789abcdef0123456789abcdef01234567' });
    expect(ok.status).toBe(201);
    const err = await thrown(() => h.rest('POST /repos/{owner}/{repo}/deployments', { owner: 'acme', repo: 'open', ref: 'main' }));
    expect(err.status).toBe(422);
  });

  test('422 for a status description over 140 characters', async () => {
    const d = await createDeployment({ ref: SHA_A, environment: 'staging' });
    const err = await thrown(() =>
      h.rest('POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses', {
        ...repo,
        deployment_id: d.data.id,
        state: 'success',
        description: 'x'.repeat(141),
      }),
    );
    expect(err.status).toBe(422);
    expect(err.response.data).toEqual({
      message: 'Validation Failed',
      errors: [{ resource: 'DeploymentStatus', code: 'custom', field: 'description', message: 'description is too long (maximum is 140 characters)' }],
      documentation_url: 'https://docs.github.com/rest/deployments/statuses#create-a-deployment-status',
      status: '422',
    });
    const ok = await h.rest('POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses', {
      ...repo,
      deployment_id: d.data.id,
      state: 'success',
      description: 'x'.repeat(140),
    });
    expect(ok.status).toBe(201);
  });

  test('request bodies are validated against the OpenAPI request schema', async () => {
    const missing = await thrown(() => h.rest('POST /repos/{owner}/{repo}/deployments', { ...repo, environment: 'x' }));
    expect(missing.status).toBe(422);
    expect(missing.response.data.message).toBe('Invalid request.\n\n"ref" wasn\'t supplied.');
    const wrongType = await thrown(() => createDeployment({ ref: SHA_A, transient_environment: 'yes' }));
    expect(wrongType.response.data.message).toBe(`Invalid request.\n\nFor 'properties/transient_environment', "yes" is not a boolean.`);
    const payload = await thrown(() => createDeployment({ ref: SHA_A, payload: 5 }));
    expect(payload.response.data.message).toBe(`Invalid request.\n\nFor 'properties/payload', 5 is not an object or a string.`);
    const d = await createDeployment({ ref: SHA_A });
    const state = await thrown(() =>
      h.rest('POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses', { ...repo, deployment_id: d.data.id, state: 'waiting' }),
    );
    expect(state.status).toBe(422);
    expect(state.response.data.message).toContain(`For 'properties/state', "waiting" is not one of`);
    const res = await fetch(`${h.emulator.url}/repos/acme/app/deployments`, { method: 'POST', headers: { authorization: 'token test-token' }, body: '{nope' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toBe('Problems parsing JSON');
  });

  test('DELETE follows the documented rule: only inactive deployments unless it is the only one', async () => {
    const a = await createDeployment({ ref: SHA_A, environment: 'staging' });
    const b = await createDeployment({ ref: SHA_B, environment: 'staging' });
    const err = await thrown(() => h.rest('DELETE /repos/{owner}/{repo}/deployments/{deployment_id}', { ...repo, deployment_id: a.data.id }));
    expect(err.status).toBe(422);
    await h.rest('POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses', { ...repo, deployment_id: a.data.id, state: 'inactive' });
    const del = await h.rest('DELETE /repos/{owner}/{repo}/deployments/{deployment_id}', { ...repo, deployment_id: a.data.id });
    expect(del.status).toBe(204);
    expect(h.emulator.deployments('acme/app').map((d) => d.id)).toEqual([b.data.id]);
  });

  test('GitHub Enterprise Server layout: REST under /api/v3 with matching URLs', async () => {
    const ghes = clients(`${h.emulator.url}/api/v3`);
    const res = await ghes.rest('POST /repos/{owner}/{repo}/deployments', { ...repo, ref: SHA_A, environment: 'staging' });
    expect(res.data.url).toBe(`${h.emulator.url}/api/v3/repos/acme/app/deployments/${res.data.id}`);
    const list = await ghes.rest('GET /repos/{owner}/{repo}/deployments', { ...repo, per_page: 1 });
    expect(list.data[0].id).toBe(res.data.id);
    expect(h.emulator.requests.map((r) => r.path)).toEqual(['/api/v3/repos/acme/app/deployments', '/api/v3/repos/acme/app/deployments?per_page=1']);
  });

  test('rate-limit and content-type headers on every response, counting down per resource', async () => {
    const a = await h.rest('GET /repos/{owner}/{repo}/deployments', repo);
    const b = await h.rest('GET /repos/{owner}/{repo}/deployments', repo);
    expect(a.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(a.headers['x-ratelimit-resource']).toBe('core');
    expect(a.headers['x-ratelimit-limit']).toBe('5000');
    expect([a.headers['x-ratelimit-remaining'], b.headers['x-ratelimit-remaining']]).toEqual(['4999', '4998']);
    expect(b.headers['x-ratelimit-used']).toBe('2');
    expect(b.headers['x-ratelimit-reset']).toBe(String(Date.parse('2025-03-01T13:00:00Z') / 1000));
    const err = await thrown(() => h.rest('GET /repos/{owner}/{repo}/deployments', { owner: 'acme', repo: 'missing' }));
    expect(err.response.headers['x-ratelimit-remaining']).toBe('4997');
  });

  test('rate limits are kept per token, as GitHub keeps them per credential', async () => {
    const two = await startHarness({ tokens: ['token-a', 'token-b'] });
    try {
      two.emulator.addRepository('acme/app');
      const a = clients(two.emulator.url, 'token-a');
      const b = clients(two.emulator.url, 'token-b');
      await a.rest('GET /repos/{owner}/{repo}/deployments', repo);
      const secondA = await a.rest('GET /repos/{owner}/{repo}/deployments', repo);
      const firstB = await b.rest('GET /repos/{owner}/{repo}/deployments', repo);
      expect([secondA.headers['x-ratelimit-remaining'], firstB.headers['x-ratelimit-remaining']]).toEqual(['4998', '4999']);
      const limits = await b.rest('GET /rate_limit');
      expect(limits.data.resources.core).toEqual({ limit: 5000, used: 1, remaining: 4999, reset: Date.parse('2025-03-01T13:00:00Z') / 1000 });
    } finally {
      await two.close();
    }
  });

  test('an enforced rate limit answers 403 once spent', async () => {
    const limited = await startHarness({ rateLimit: 2, enforceRateLimit: true });
    try {
      limited.emulator.addRepository('acme/app');
      await limited.rest('GET /repos/{owner}/{repo}/deployments', repo);
      await limited.rest('GET /repos/{owner}/{repo}/deployments', repo);
      const err = await thrown(() => limited.rest('GET /repos/{owner}/{repo}/deployments', repo));
      expect(err.status).toBe(403);
      expect(err.response.headers['x-ratelimit-remaining']).toBe('0');
      limited.clock.advance(3600);
      expect((await limited.rest('GET /repos/{owner}/{repo}/deployments', repo)).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});
