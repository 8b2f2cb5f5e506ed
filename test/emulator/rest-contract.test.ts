import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { buildRestContract, CONTRACT_FILE, CONTRACT_OPERATIONS } from '../../scripts/extract-rest-contract.js';
import { responseValidator, restContract, type OperationId } from '../../tools/github-emulator/index.js';
import { SHA_A, startHarness, type Harness } from './helpers.js';

describe('rest-contract.json', () => {
  test('matches a fresh extraction from the installed @octokit/openapi (run `npx tsx scripts/extract-rest-contract.ts` on drift)', async () => {
    const fresh = await buildRestContract();
    expect(readFileSync(CONTRACT_FILE, 'utf8')).toBe(fresh);
  });

  test('holds the emulated operations with their request-body and success-response schemas', () => {
    expect(Object.keys(restContract.operations)).toEqual([...CONTRACT_OPERATIONS]);
    const create = restContract.operations['repos/create-deployment']!;
    expect(create).toMatchObject({ method: 'POST', path: '/repos/{owner}/{repo}/deployments', response: { status: 201 } });
    expect((create.request_body as { required: string[] }).required).toEqual(['ref']);
    expect(restContract.operations['repos/create-deployment-status']!.response.status).toBe(201);
    expect(restContract.operations['repos/delete-deployment']!).toMatchObject({ request_body: null, response: { status: 204, schema: null } });
  });
});

describe('emulator responses validate against the OpenAPI response schemas', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    h.emulator.addRepository('acme/app', { branches: { main: SHA_A } });
  });
  afterAll(() => h.close());
  const repo = { owner: 'acme', repo: 'app' };

  function expectValid(op: OperationId, body: unknown) {
    const validate = responseValidator(op);
    const ok = validate(body);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  }

  test('201 deployments (object, string and default payloads) and 201 statuses', async () => {
    const bodies = [
      { ref: SHA_A, environment: 'staging', payload: { a: [1, 2] }, description: 'd' },
      { ref: 'main', payload: '{"a":1}', transient_environment: true },
      { ref: SHA_A, environment: 'qa', description: null },
    ];
    for (const body of bodies) {
      const res = await h.rest('POST /repos/{owner}/{repo}/deployments', { ...repo, ...body });
      expect(res.status).toBe(201);
      expectValid('repos/create-deployment', res.data);
      for (const status of [
        { state: 'in_progress' },
        { state: 'success', log_url: 'https://ci.example/run/1', environment_url: 'https://app.example', description: 'ok', auto_inactive: true },
        { state: 'inactive', target_url: 'https://ci.example/legacy' },
      ]) {
        const s = await h.rest('POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses', { ...repo, deployment_id: res.data.id, ...status });
        expect(s.status).toBe(201);
        expectValid('repos/create-deployment-status', s.data);
      }
    }
  });

  test('200 list/get responses', async () => {
    const list = await h.rest('GET /repos/{owner}/{repo}/deployments', repo);
    expect(list.data.length).toBeGreaterThan(0);
    expectValid('repos/list-deployments', list.data);
    const id = list.data[0]!.id;
    expectValid('repos/get-deployment', (await h.rest('GET /repos/{owner}/{repo}/deployments/{deployment_id}', { ...repo, deployment_id: id })).data);
    const statuses = await h.rest('GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses', { ...repo, deployment_id: id });
    expectValid('repos/list-deployment-statuses', statuses.data);
    const one = await h.rest('GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses/{status_id}', {
      ...repo,
      deployment_id: id,
      status_id: statuses.data[0]!.id,
    });
    expectValid('repos/get-deployment-status', one.data);
  });

  test('the validators do reject non-conforming bodies', async () => {
    const res = await h.rest('POST /repos/{owner}/{repo}/deployments', { ...repo, ref: SHA_A });
    const { sha: _sha, ...withoutSha } = res.data;
    expect(responseValidator('repos/create-deployment')(withoutSha)).toBe(false);
    expect(responseValidator('repos/create-deployment')({ ...res.data, payload: 5 })).toBe(false);
    expect(responseValidator('repos/create-deployment')({ ...res.data, url: 'not a uri' })).toBe(false);
  });
});
