/**
 * Metacontroller's two hook request formats, from real requests (test/fixtures/metacontroller-hooks/):
 * - v1, which Metacontroller v4.12.0 sends whatever the hooks' `version` says: `related` and
 *   `children` keyed by bare name (recorded by test/e2e/metacontroller.test.ts);
 * - v2, which v4.15.0 and later send for `version: v2`: the same requests keyed by
 *   `namespace/name` as v4.17.2's source builds them (the fixtures' README cites it).
 * The service finds objects by their metadata, not by key, so both get the same answer.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FIXTURES_DIR } from '../support/fixtures.js';
import { startHarness, REPOSITORY, type Harness } from '../support/harness.js';

/** The token in the recorded Secret (the e2e suite's, accepted by its emulator). */
const RECORDED_TOKEN = 'ghp_e2eMetacontrollerToken0123456789abcd';
const V1_2_0 = '1d8ac5c3f2f6b8f0c9a0e7d2b4a6c8e0f1a3b5c7';
const V1_3_0 = '7e2b9d4f6a8c0e1f3a5b7c9d1e3f5a7b9c0d2e4f';
const GATE_GVK = 'RolloutGate.kuberik.com/v1alpha1';

function fixture(name: string): any {
  return JSON.parse(readFileSync(path.join(FIXTURES_DIR, 'metacontroller-hooks', name), 'utf8'));
}

const keysOf = (request: any, field: 'children' | 'related') =>
  Object.fromEntries(Object.entries(request[field] as Record<string, object>).map(([gvk, objects]) => [gvk, Object.keys(objects)]));

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** One harness per answer, so both formats meet the same GitHub from the same start. */
async function freshHarness(): Promise<Harness> {
  await h?.close();
  h = await startHarness({ emulator: { tokens: [RECORDED_TOKEN] }, commits: [V1_2_0, V1_3_0] });
  return h;
}

function seedStagingSuccess(harness: Harness): void {
  harness.emulator.seedDeployment(REPOSITORY, {
    sha: V1_2_0,
    task: 'deploy:kuberik/my-app',
    environment: 'kuberik/my-app/staging',
    payload: Buffer.from(JSON.stringify({ id: '1', version: { tag: 'v1.2.0', revision: V1_2_0 } })).toString('base64'),
    created_at: '2026-11-26T10:00:00Z',
    statuses: [{ state: 'success', description: 'Bake succeeded', created_at: '2026-11-26T10:30:00Z' }],
  });
}

describe('the fixtures are the two formats', () => {
  test('v1 (v4.12.0, recorded): keyed by bare name; v2 (v4.17.2): keyed by namespace/name', () => {
    for (const hook of ['sync', 'finalize']) {
      const v1 = fixture(`v4.12.0-${hook}-request.json`);
      const v2 = fixture(`v4.17.2-${hook}-request.json`);
      expect([keysOf(v1, 'children'), keysOf(v1, 'related')]).toEqual([
        { [GATE_GVK]: ['my-app-production-gate'] },
        { 'Environment.environments.kuberik.com/v1alpha1': ['my-app-production'], 'Rollout.kuberik.com/v1alpha1': ['my-app'], 'Secret.v1': ['github-token'] },
      ]);
      expect([keysOf(v2, 'children'), keysOf(v2, 'related')]).toEqual([
        { [GATE_GVK]: ['default/my-app-production-gate'] },
        {
          'Environment.environments.kuberik.com/v1alpha1': ['default/my-app-production'],
          'Rollout.kuberik.com/v1alpha1': ['default/my-app'],
          'Secret.v1': ['default/github-token'],
        },
      ]);
      // Only the keys differ.
      const values = (request: any) => ({
        ...request,
        children: Object.values(request.children).map((objects) => Object.values(objects as object)),
        related: Object.values(request.related).map((objects) => Object.values(objects as object)),
      });
      expect(values(v2)).toEqual(values(v1));
    }
  });
});

describe('the service answers both formats alike', () => {
  test("/customize (v4.12.0's request): the Rollout and Secret by name, the namespace's Environments", async () => {
    const harness = await freshHarness();
    const res = await harness.post('/customize', fixture('v4.12.0-customize-request.json'));
    expect([res.status, res.json]).toEqual([
      200,
      {
        relatedResources: [
          { apiVersion: 'kuberik.com/v1alpha1', resource: 'rollouts', namespace: 'default', names: ['my-app'] },
          { apiVersion: 'v1', resource: 'secrets', namespace: 'default', names: ['github-token'] },
          { apiVersion: 'environments.kuberik.com/v1alpha1', resource: 'environments', namespace: 'default' },
        ],
      },
    ]);
  });

  test('/sync: the Rollout, Secret and gate are found in either format, and the gate opens for what staging baked', async () => {
    const answers = [];
    for (const name of ['v4.12.0-sync-request.json', 'v4.17.2-sync-request.json']) {
      const harness = await freshHarness();
      seedStagingSuccess(harness);
      const res = await harness.post('/sync', fixture(name));
      expect([name, res.status]).toEqual([name, 200]);
      answers.push(res.json);
    }
    const [v1, v2] = answers;
    expect(v1.children.map((c: any) => [c.kind, c.metadata.name, c.spec.allowedVersions])).toEqual([['RolloutGate', 'my-app-production-gate', ['v1.2.0']]]);
    expect(v1.status.conditions.map((c: any) => [c.type, c.status, c.reason])).toEqual(
      expect.arrayContaining([
        ['Ready', 'True', 'Synced'],
        ['GitHubSynced', 'True', 'Synced'],
      ]),
    );
    expect(v1.status.rolloutGateRef).toEqual({ name: 'my-app-production-gate' });
    expect(v2).toEqual(v1);
  });

  test('/finalize: the deleted Environment is finalized in either format, its deployment marked inactive', async () => {
    const answers = [];
    for (const name of ['v4.12.0-finalize-request.json', 'v4.17.2-finalize-request.json']) {
      const harness = await freshHarness();
      harness.emulator.seedDeployment(REPOSITORY, {
        sha: V1_2_0,
        task: 'deploy:kuberik/my-app',
        environment: 'kuberik/my-app/production',
        payload: Buffer.from(JSON.stringify({ id: '1', version: { tag: 'v1.2.0', revision: V1_2_0 } })).toString('base64'),
        created_at: '2026-11-26T11:00:00Z',
        statuses: [{ state: 'success', description: 'Bake succeeded', created_at: '2026-11-26T11:30:00Z' }],
      });
      const res = await harness.post('/finalize', fixture(name));
      expect([name, res.status, res.json.finalized]).toEqual([name, 200, true]);
      const states = harness.emulator.deployments(REPOSITORY).map((d) => [d.environment, d.statuses.at(-1)?.state]);
      expect([name, states]).toEqual([name, [['kuberik/my-app/production', 'inactive']]]);
      answers.push(res.json);
    }
    expect(answers[1]).toEqual(answers[0]);
  });
});
