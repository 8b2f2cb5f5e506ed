/** `?dryRun=true`: the desired state and the GitHub writes, with zero writes made. */
import { afterEach, describe, expect, test } from '@jest/globals';
import { createAjv } from '../../src/validation.js';
import { REPOSITORY, startHarness, type Harness } from '../support/harness.js';
import { environment, rollout, sha, syncRequest } from '../support/requests.js';

const R1 = sha('dry-r1');
const R2 = sha('dry-r2');
const history = [
  { id: 2, tag: 'v1.1.0', revision: R2, bakeStatus: 'InProgress', message: 'Rollout v1.1.0' },
  { id: 1, tag: 'v1.0.0', revision: R1, bakeStatus: 'Succeeded', message: 'Rollout v1.0.0' },
];
const staging = (extra: Parameters<typeof environment>[0] = { environment: 'staging' }) => environment(extra);

const validateDryRun = createAjv().compile({ $ref: 'https://environment-sync.kuberik.com/schemas/hooks.schema.json#/$defs/DryRunResponse' });

let h: Harness;
afterEach(() => h.close());

describe('POST /sync?dryRun=true', () => {
  test('lists the deployment and status writes, makes none, and shows the state after them', async () => {
    h = await startHarness();
    const res = await h.post('/sync?dryRun=true', syncRequest({ parent: staging(), rollout: rollout(history) }));
    expect(res.status).toBe(200);
    expect(validateDryRun(res.json)).toBe(true);
    expect(h.emulator.counts()).toMatchObject({ writes: 0, reads: 1 });
    expect(h.emulator.deployments(REPOSITORY)).toEqual([]);

    expect(res.json.githubWrites).toEqual(
      [1, 2].map((id) => ({
        operation: 'CreateDeployment',
        request: 'POST /repos/my-org/my-repo/deployments',
        entry: { id, revision: id === 1 ? R1 : R2 },
        body: {
          ref: id === 1 ? R1 : R2,
          task: 'deploy:kuberik/my-app',
          environment: 'kuberik/my-app/staging',
          description: `Rollout v1.${id - 1}.0`,
          payload: expect.any(String),
          auto_merge: false,
          required_contexts: [],
          production_environment: false,
          transient_environment: false,
        },
        status:
          id === 1
            ? { state: 'success', description: 'Bake succeeded', environmentUrl: '' }
            : { state: 'in_progress', description: 'Baking in progress', environmentUrl: '' },
      })),
    );
    expect(res.json.status.currentVersion).toBe(R2);
    expect(res.json.status.conditions.find((c: { type: string }) => c.type === 'Ready')).toMatchObject({ status: 'True', reason: 'Synced' });

    // The real sync that follows makes exactly the writes the dry run listed.
    const real = await h.post('/sync', syncRequest({ parent: staging(), rollout: rollout(history) }));
    expect(real.json.githubWrites).toBeUndefined();
    expect(real.json.status.currentVersion).toBe(R2);
    const made = h.emulator.deployments(REPOSITORY);
    expect(made.map((d) => [d.sha, d.description, d.statuses.map((s) => s.state)])).toEqual([
      [R1, 'Rollout v1.0.0', ['success']],
      [R2, 'Rollout v1.1.0', ['in_progress']],
    ]);
    expect(made.map((d) => d.payload)).toEqual(res.json.githubWrites.map((w: { body: { payload: string } }) => w.body.payload));
  });

  test('a changed bake state: one status post to the existing deployment, by node id', async () => {
    h = await startHarness();
    await h.post('/sync', syncRequest({ parent: staging(), rollout: rollout(history) }));
    const before = h.emulator.counts().writes;
    const baked = [{ ...history[0]!, bakeStatus: 'Succeeded' }, history[1]!];
    const res = await h.post('/sync?dryRun=true', syncRequest({ parent: staging(), rollout: rollout(baked) }));
    expect(h.emulator.counts().writes).toBe(before);
    const nodeId = h.emulator.deployments(REPOSITORY).find((d) => d.sha === R2)!.node_id;
    expect(res.json.githubWrites).toEqual([
      {
        operation: 'PostDeploymentStatus',
        request: 'mutation createDeploymentStatus',
        entry: { id: 2, revision: R2 },
        deploymentId: nodeId,
        status: { state: 'success', description: 'Bake succeeded', environmentUrl: '' },
      },
    ]);
  });

  test('steady state: no writes listed', async () => {
    h = await startHarness();
    await h.post('/sync', syncRequest({ parent: staging(), rollout: rollout(history) }));
    const res = await h.post('/sync?dryRun=true', syncRequest({ parent: staging(), rollout: rollout(history) }));
    expect(res.json.githubWrites).toEqual([]);
  });

  test('dryRun=false is a normal sync; anything else is a 400 naming the parameter', async () => {
    h = await startHarness();
    const normal = await h.post('/sync?dryRun=false', syncRequest({ parent: staging(), rollout: rollout(history) }));
    expect(Object.keys(normal.json).sort()).toEqual(['children', 'resyncAfterSeconds', 'status']);
    expect(h.emulator.counts().writes).toBe(4);
    const bad = await h.post('/sync?dryRun=yes', syncRequest({ parent: staging(), rollout: rollout(history) }));
    expect(bad.status).toBe(400);
    expect(bad.json).toEqual({
      error: 'InvalidRequest',
      message: 'Query parameter dryRun must be true or false',
      details: [{ field: '?dryRun', problem: 'must be true or false' }],
    });
  });
});

describe('POST /finalize?dryRun=true', () => {
  test('lists the inactive statuses it would post and posts none: the newest deployment (v1 finished before it)', async () => {
    h = await startHarness();
    await h.post('/sync', syncRequest({ parent: staging(), rollout: rollout(history) }));
    const before = h.emulator.counts().writes;
    const deleting = staging({ environment: 'staging', deletionTimestamp: '2026-11-26T11:59:00Z' });
    const res = await h.post('/finalize?dryRun=true', syncRequest({ parent: deleting, finalizing: true }));
    expect(validateDryRun(res.json)).toBe(true);
    expect(h.emulator.counts().writes).toBe(before);
    expect(h.emulator.deployments(REPOSITORY).map((d) => d.statuses.at(-1)!.state)).toEqual(['success', 'in_progress']);
    const ids = Object.fromEntries(h.emulator.deployments(REPOSITORY).map((d) => [d.sha, d.node_id]));
    expect(res.json.finalized).toBe(true);
    expect([...res.json.githubWrites].sort((a: { entry: { id: number } }, b: { entry: { id: number } }) => a.entry.id - b.entry.id)).toEqual([
      {
        operation: 'PostDeploymentStatus',
        request: 'mutation createDeploymentStatus',
        entry: { id: 2, revision: R2 },
        deploymentId: ids[R2],
        status: { state: 'inactive', description: 'Environment deleted', environmentUrl: '' },
      },
    ]);
  });
});
