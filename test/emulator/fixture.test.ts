import { goControllerFixture } from '../support/fixtures.js';
import { afterEach, beforeEach, expect, test } from '@jest/globals';
import type { SeedDeployment } from '../../tools/github-emulator/index.js';
import { startHarness, type Harness } from './helpers.js';

const FIXTURE = goControllerFixture<{ deployments: SeedDeployment[] }>();
const STAGING = 'kuberik/my-app/staging';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
  h.emulator.addRepository('my-org/my-repo');
  h.emulator.seedFromFixture('my-org/my-repo', FIXTURE);
});
afterEach(() => h.close());

const QUERY = `query Ledger($envs: [String!]) {
  repository(owner: "my-org", name: "my-repo") {
    deployments(environments: $envs, first: 10, orderBy: {field: CREATED_AT, direction: DESC}) {
      nodes { id commitOid task environment payload createdAt state latestStatus { state } statuses(first: 10) { nodes { state description environment environmentUrl createdAt } } }
    }
    environments(first: 10) { nodes { name } }
  }
}`;

test('seeded Go-controller deployments read back through GraphQL with base64 payload strings and statuses oldest first', async () => {
  const data: any = await h.gql(QUERY, { envs: [STAGING] });
  const nodes = data.repository.deployments.nodes;
  expect(nodes.map((n: { id: string }) => n.id)).toEqual(['DE_kwDOExample5000000003', 'DE_kwDOExample5000000002', 'DE_kwDOExample5000000001']);
  expect(nodes[0].payload).toBe('eyJpZCI6IjMiLCJ2ZXJzaW9uIjp7InRhZyI6InYxLjIuMCIsInJldmlzaW9uIjoiNWIyZThkMWM5YTdmNmU0ZDNjMmIxYTBmOWU4ZDdjNmI1YTQ5MzgyNyJ9fQ==');
  expect(JSON.parse(Buffer.from(nodes[0].payload, 'base64').toString('utf8'))).toEqual({
    id: '3',
    version: { tag: 'v1.2.0', revision: '5b2e8d1c9a7f6e4d3c2b1a0f9e8d7c6b5a493827' },
  });
  expect(nodes.map((n: { payload: string }) => n.payload)).toEqual(FIXTURE.deployments.slice(0, 3).map((d) => d.payload));
  expect(nodes.map((n: { state: string }) => n.state)).toEqual(['IN_PROGRESS', 'FAILURE', 'INACTIVE']);
  expect(nodes[2]).toMatchObject({
    commitOid: '9f1c2e7a4b3d5f60718293a4b5c6d7e8f9012345',
    task: 'deploy:kuberik/my-app',
    environment: STAGING,
    createdAt: '2026-11-18T08:30:00Z',
  });
  expect(nodes[2].statuses.nodes).toEqual([
    { state: 'IN_PROGRESS', description: 'Deploying', environment: STAGING, environmentUrl: null, createdAt: '2026-11-18T08:30:05Z' },
    {
      state: 'SUCCESS',
      description: 'Bake succeeded: Bake time completed successfully (no errors within bake time).',
      environment: STAGING,
      environmentUrl: 'https://dashboard.example.com/rollouts/default/my-app',
      createdAt: '2026-11-18T08:50:00Z',
    },
    { state: 'INACTIVE', description: 'This deployment is inactive', environment: STAGING, environmentUrl: null, createdAt: '2026-11-19T09:10:06Z' },
  ]);
  expect(nodes[1].statuses.nodes.map((s: { description: string }) => s.description)).toEqual([
    'Deploying',
    'Baking in progress',
    'Bake failed: A HealthCheck reported an error after deployment.',
  ]);
  expect(data.repository.environments.nodes).toEqual([{ name: 'kuberik/my-app/production' }, { name: STAGING }]);

  const all: any = await h.gql(QUERY, {});
  expect(all.repository.deployments.nodes.map((n: { id: string }) => n.id)).toEqual([
    'DE_kwDOExample5000000003',
    'DE_kwDOExample5000000101',
    'DE_kwDOExample5000000002',
    'DE_kwDOExample5000000001',
  ]);
});

test('seeded deployments read back through REST exactly as the fixture shows them', async () => {
  const res = await h.rest('GET /repos/{owner}/{repo}/deployments', { owner: 'my-org', repo: 'my-repo', environment: STAGING });
  expect(res.data.map((d: { id: number }) => d.id)).toEqual([5000000003, 5000000002, 5000000001]);
  for (const d of res.data as { id: number; payload: unknown; production_environment: boolean }[]) {
    const seed = FIXTURE.deployments.find((s) => s.id === d.id)!;
    expect(d).toMatchObject({
      payload: seed.payload,
      production_environment: false,
      node_id: seed.node_id,
      sha: seed.sha,
      ref: seed.ref,
      created_at: seed.created_at,
    });
    const statuses = await h.rest('GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses', { owner: 'my-org', repo: 'my-repo', deployment_id: d.id });
    expect(statuses.data.map((s: { state: string; description: string; created_at: string }) => [s.state, s.description, s.created_at])).toEqual(
      seed.statuses!.map((s) => [s.state, s.description, s.created_at]),
    );
  }
});

test('inspection keeps the stored payload and orders statuses oldest first; new ids continue above the seeds', async () => {
  const stored = h.emulator.deployments('my-org/my-repo');
  expect(stored.map((d) => d.id)).toEqual([5000000001, 5000000002, 5000000101, 5000000003]);
  expect(stored[0]!.payload).toBe(FIXTURE.deployments[2]!.payload);
  expect(stored[0]!.statuses.map((s) => s.state)).toEqual(['in_progress', 'success', 'inactive']);
  h.clock.set('2026-11-21T08:00:00Z');
  const created = await h.rest('POST /repos/{owner}/{repo}/deployments', {
    owner: 'my-org',
    repo: 'my-repo',
    ref: '5b2e8d1c9a7f6e4d3c2b1a0f9e8d7c6b5a493827',
    environment: STAGING,
    payload: 'eyJpZCI6IjQifQ==',
  });
  expect(created.data.id).toBe(5_000_001_000);
  await h.rest('POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses', {
    owner: 'my-org',
    repo: 'my-repo',
    deployment_id: created.data.id,
    state: 'success',
  });
  // Only deployments whose latest status is success are inactivated; none of the staging seeds qualifies.
  expect(h.emulator.deployments('my-org/my-repo').map((d) => d.statuses.at(-1)!.state)).toEqual(['inactive', 'failure', 'success', 'in_progress', 'success']);
});
