/** The README walkthrough: replaying examples/ against the demo ledger opens production's gate. */
import type { FastifyInstance } from 'fastify';
import { createLogger } from '../../src/app.js';
import { startDevReceiver } from '../../tools/dev-receiver.js';
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

test('staging bakes v1.2.0, then production may take it', async () => {
  const post = async (url: string, file: string) => {
    const res = await app.inject({ method: 'POST', url, payload: example(file) });
    expect(res.statusCode).toBe(200);
    return res.json();
  };
  const before = await post('/sync', 'sync-production.json');
  expect(before.children.map((g: any) => g.spec)).toEqual([{ rolloutRef: { name: 'my-app' }, passing: true, allowedVersions: [] }]);

  emulator.resetRequests();
  const staging = await post('/sync', 'sync-staging-baked.json');
  expect(staging.status.conditions[0].reason).toBe('Synced');
  expect(emulator.counts().writes).toBe(1);

  const after = await post('/sync', 'sync-production.json');
  expect(after.children[0].spec.allowedVersions).toEqual(['v1.2.0']);

  const customize = await post('/customize', 'customize-production.json');
  expect(customize.relatedResources.map((r: any) => r.resource)).toEqual(['rollouts', 'secrets', 'environments']);

  const finalize = await post('/finalize', 'finalize-production.json');
  expect(finalize.finalized).toBe(true);
  const production = emulator.deployments('my-org/my-repo').filter((d) => d.environment === 'kuberik/my-app/production');
  expect(production.map((d) => d.statuses.at(-1)!.description)).toEqual(['Environment deleted']);
});

test("after the walkthrough the README's dry runs find nothing left to write; a fresh start finds the seed's writes", async () => {
  const dryRunStates = async (service: FastifyInstance, url: string, file: string) => {
    const res = await service.inject({ method: 'POST', url, payload: example(file) });
    expect(res.statusCode).toBe(200);
    return res.json().githubWrites.map((w: any) => w.status.state);
  };
  // The walkthrough above ran on this service: its writes are in the emulator.
  expect(await dryRunStates(app, '/sync?dryRun=true', 'sync-staging-baked.json')).toEqual([]);
  expect(await dryRunStates(app, '/finalize?dryRun=true', 'finalize-production.json')).toEqual([]);
  const restarted = await startDemoService();
  try {
    expect(await dryRunStates(restarted.app, '/sync?dryRun=true', 'sync-staging-baked.json')).toEqual(['success']);
    expect(await dryRunStates(restarted.app, '/finalize?dryRun=true', 'finalize-production.json')).toEqual(['inactive']);
  } finally {
    await restarted.close();
  }
});

test('npm run dev: staging’s status reaches the receiver as a signed webhook, which nudges production and opens its gate at once', async () => {
  const dev = await startDemoService();
  const receiver = await startDevReceiver({ emulator: dev.emulator, hookApp: dev.app, logger: createLogger('silent') });
  try {
    const staging = await dev.app.inject({ method: 'POST', url: '/sync', payload: example('sync-staging-baked.json') });
    expect(staging.json().status.conditions[0].reason).toBe('Synced');
    await dev.emulator.settleWebhooks();
    await receiver.flush();
    expect(dev.emulator.webhookDeliveries.map((d) => [d.event, d.outcome])).toEqual([['deployment_status', 202]]);
    const delivery = dev.emulator.webhookDeliveries[0]!.id;
    expect(receiver.syncs).toEqual([
      { environment: 'default/my-app-production', delivery, allowedVersions: ['v1.2.0'] },
      { environment: 'default/my-app-staging', delivery, allowedVersions: undefined },
    ]);
    const metrics = await (await fetch(receiver.metricsUrl)).text();
    expect(metrics.split('\n').filter((l) => l.startsWith('environment_sync_receiver_nudges_total'))).toEqual([
      'environment_sync_receiver_nudges_total{outcome="patched"} 2',
    ]);
  } finally {
    await receiver.close();
    await dev.close();
  }
});
