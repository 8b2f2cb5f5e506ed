/** README "Debugging with curl": the dry runs of examples/ against the demo ledger, as documented. */
import type { FastifyInstance } from 'fastify';
import type { GitHubEmulator } from '../../tools/github-emulator/index.js';
import { example, startDemoService, type DemoService } from '../support/demo.js';

let demo: DemoService;
let emulator: GitHubEmulator;
let app: FastifyInstance;
beforeAll(async () => {
  demo = await startDemoService();
  ({ emulator, app } = demo);
});
afterAll(async () => {
  await demo.close();
});

test('sync?dryRun=true on sync-staging-baked.json: one status post, nothing written', async () => {
  const res = await app.inject({ method: 'POST', url: '/sync?dryRun=true', payload: example('sync-staging-baked.json') });
  expect(res.statusCode).toBe(200);
  const deployment = emulator.deployments('my-org/my-repo').find((d) => d.environment === 'kuberik/my-app/staging' && d.sha.startsWith('f4e6ef4f'))!;
  expect(res.json().githubWrites).toEqual([
    {
      operation: 'PostDeploymentStatus',
      request: 'mutation createDeploymentStatus',
      entry: { id: 3, revision: deployment.sha },
      deploymentId: deployment.node_id,
      status: { state: 'success', description: 'Bake succeeded: Bake time completed successfully.', environmentUrl: '' },
    },
  ]);
  expect(emulator.counts().writes).toBe(0);
});

test('finalize?dryRun=true on finalize-production.json: the inactive statuses it would post', async () => {
  const res = await app.inject({ method: 'POST', url: '/finalize?dryRun=true', payload: example('finalize-production.json') });
  expect(res.statusCode).toBe(200);
  const production = emulator
    .deployments('my-org/my-repo')
    .filter((d) => d.environment === 'kuberik/my-app/production' && d.statuses.at(-1)!.state !== 'inactive');
  expect(res.json().githubWrites.map((w: { status: { state: string } }) => w.status.state)).toEqual(['inactive']);
  expect(res.json().githubWrites.map((w: { deploymentId: string }) => w.deploymentId)).toEqual(production.map((d) => d.node_id));
  expect(emulator.counts().writes).toBe(0);
});
