/**
 * scripts/build-hook-request.ts against a stand-in for `kubectl get … -o json` (an
 * in-memory namespace), and the request it builds replayed against the service.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { buildHookRequest, HELP, parseArgs, REDACTED, run, UsageError, type Kubectl } from '../../scripts/build-hook-request.js';
import { REPO_ROOT } from '../../scripts/generate-crd.js';
import { getValidators } from '../../src/validation.js';
import { startHarness, type Harness } from '../support/harness.js';
import { environment, rollout, secret, sha, TOKEN } from '../support/requests.js';

const R1 = sha('builder-r1');
const staging = { ...environment({ environment: 'staging' }), metadata: { name: 'my-app-staging', namespace: 'team-a', uid: 'uid-staging', generation: 3 } };
const production = {
  ...environment({ environment: 'production', relationship: { environment: 'staging', type: 'After' } }),
  metadata: { name: 'my-app-production', namespace: 'team-a', uid: 'uid-production', generation: 1 },
};
const theRollout = { ...rollout([{ id: 1, tag: 'v1.0.0', revision: R1, bakeStatus: 'Succeeded' }]), metadata: { name: 'my-app', namespace: 'team-a' } };
const theSecret = {
  ...secret(),
  metadata: {
    name: 'github-token',
    namespace: 'team-a',
    annotations: { 'kubectl.kubernetes.io/last-applied-configuration': `{"data":{"token":"${Buffer.from(TOKEN).toString('base64')}"}}` },
  },
};
const gate = (name: string, ownerUid: string) => ({
  apiVersion: 'kuberik.com/v1alpha1',
  kind: 'RolloutGate',
  metadata: {
    name,
    namespace: 'team-a',
    ownerReferences: [{ apiVersion: 'environments.kuberik.com/v1alpha1', kind: 'Environment', name: 'x', uid: ownerUid, controller: true }],
  },
  spec: { rolloutRef: { name: 'my-app' }, allowedVersions: [] },
});

/** `kubectl get` over one namespace; records every call. */
function fakeKubectl(objects: Record<string, unknown[]>, calls: string[][]): Kubectl {
  return async (args) => {
    calls.push(args);
    const [, resource, name] = args;
    const items = objects[resource!] ?? [];
    if (name && !name.startsWith('-')) {
      const found = items.find((o) => (o as { metadata: { name: string } }).metadata.name === name);
      if (!found) throw new Error(`Error from server (NotFound): ${resource} "${name}" not found`);
      return JSON.stringify(found);
    }
    // List items come without apiVersion/kind, as some kubectl versions print them.
    return JSON.stringify({ apiVersion: 'v1', kind: 'List', items: items.map((o) => ({ ...(o as object), apiVersion: undefined, kind: undefined })) });
  };
}

const cluster = {
  'environments.environments.kuberik.com': [staging, production],
  'rollouts.kuberik.com': [theRollout],
  secret: [theSecret],
  'rolloutgates.kuberik.com': [gate('my-app-staging-gate', 'uid-staging'), gate('my-app-production-gate', 'uid-production')],
};

describe('build-hook-request', () => {
  test("asks kubectl for the Environment, its Rollout and Secret, the namespace's Environments and RolloutGates", async () => {
    const calls: string[][] = [];
    await run(['-n', 'team-a', '--context', 'prod', 'my-app-production'], fakeKubectl(cluster, calls));
    expect(calls).toEqual([
      ['get', 'environments.environments.kuberik.com', 'my-app-production', '--context', 'prod', '-n', 'team-a', '-o', 'json'],
      ['get', 'rollouts.kuberik.com', 'my-app', '--context', 'prod', '-n', 'team-a', '-o', 'json'],
      ['get', 'secret', 'github-token', '--context', 'prod', '-n', 'team-a', '-o', 'json'],
      ['get', 'environments.environments.kuberik.com', '--context', 'prod', '-n', 'team-a', '-o', 'json'],
      ['get', 'rolloutgates.kuberik.com', '--context', 'prod', '-n', 'team-a', '-o', 'json'],
    ]);
  });

  test('builds a valid v2 sync request: own gate as child, siblings and related objects keyed by namespace/name', async () => {
    const warnings: string[] = [];
    const body = JSON.parse(await run(['-n', 'team-a', 'my-app-production'], fakeKubectl(cluster, []), (m) => warnings.push(m)));
    expect(getValidators().syncRequest(body)).toBe(true);
    expect(body.finalizing).toBe(false);
    expect(body.parent).toEqual(production);
    expect(Object.keys(body.children['RolloutGate.kuberik.com/v1alpha1'])).toEqual(['team-a/my-app-production-gate']);
    expect(Object.keys(body.related['Environment.environments.kuberik.com/v1alpha1'])).toEqual(['team-a/my-app-production', 'team-a/my-app-staging']);
    expect(body.related['Environment.environments.kuberik.com/v1alpha1']['team-a/my-app-staging'].kind).toBe('Environment');
    expect(body.related['Rollout.kuberik.com/v1alpha1']).toEqual({ 'team-a/my-app': theRollout });
    expect(warnings).toEqual([`Secret github-token: values replaced by ${REDACTED}; pass --include-secret to replay against GitHub`]);
  });

  test('redacts the Secret unless --include-secret, keeping its keys (they pick the auth mode)', async () => {
    const redacted = JSON.parse(await run(['my-app-production'], fakeKubectl(cluster, [])));
    const text = JSON.stringify(redacted);
    expect(text).not.toContain(Buffer.from(TOKEN).toString('base64'));
    expect(text).not.toContain(TOKEN);
    expect(redacted.related['Secret.v1']['team-a/github-token']).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'Opaque',
      metadata: { name: 'github-token', namespace: 'team-a', annotations: {} },
      data: { token: Buffer.from(REDACTED).toString('base64') },
    });
    const included = JSON.parse(await run(['--include-secret', 'my-app-production'], fakeKubectl(cluster, [])));
    expect(included.related['Secret.v1']['team-a/github-token']).toEqual(theSecret);
  });

  test('an Environment being deleted gives a finalize request; --hook customize only the parent', async () => {
    const deleting = { ...staging, metadata: { ...staging.metadata, deletionTimestamp: '2026-11-26T11:00:00Z' } };
    const body = JSON.parse(await run(['my-app-staging'], fakeKubectl({ ...cluster, 'environments.environments.kuberik.com': [deleting] }, [])));
    expect(body.finalizing).toBe(true);
    const calls: string[][] = [];
    const customize = JSON.parse(await run(['--hook', 'customize', 'my-app-staging'], fakeKubectl(cluster, calls)));
    expect(customize).toEqual({
      controller: { apiVersion: 'metacontroller.k8s.io/v1alpha1', kind: 'CompositeController', metadata: { name: 'environment-sync' } },
      parent: staging,
    });
    expect(calls).toHaveLength(1);
  });

  test('a missing Rollout or Secret is left out with a warning, as Metacontroller would', async () => {
    const warnings: string[] = [];
    const body = JSON.parse(await run(['my-app-staging'], fakeKubectl({ ...cluster, 'rollouts.kuberik.com': [], secret: [] }, []), (m) => warnings.push(m)));
    expect(body.related['Rollout.kuberik.com/v1alpha1']).toEqual({});
    expect(body.related['Secret.v1']).toEqual({});
    expect(warnings).toEqual([
      'Rollout my-app not found: the request has none (RolloutNotFound)',
      'Secret github-token not found: the request has none (SecretNotFound)',
    ]);
  });

  test("--dashboard-namespace adds that namespace's Ingresses (and HTTPRoutes with --dashboard-route-kinds)", async () => {
    const calls: string[][] = [];
    const body = buildHookRequest({ parent: staging, environments: [], gates: [], ingresses: [] }, { hook: 'sync', includeSecret: false });
    expect(body.related).toHaveProperty(['Ingress.networking.k8s.io/v1'], {});
    await run(['-n', 'team-a', '--dashboard-namespace', 'dash', 'my-app-staging'], fakeKubectl(cluster, calls));
    expect(calls.at(-1)).toEqual(['get', 'ingresses.networking.k8s.io', '-n', 'dash', '-o', 'json']);
    calls.length = 0;
    const both = JSON.parse(
      await run(['--dashboard-namespace', 'dash', '--dashboard-route-kinds', 'httproute,ingress', 'my-app-staging'], fakeKubectl(cluster, calls)),
    );
    expect(calls.slice(-3).map((c) => c[1])).toEqual([
      'ingresses.networking.k8s.io',
      'httproutes.gateway.networking.k8s.io',
      'gateways.gateway.networking.k8s.io',
    ]);
    expect(Object.keys(both.related)).toEqual([
      'Rollout.kuberik.com/v1alpha1',
      'Secret.v1',
      'Environment.environments.kuberik.com/v1alpha1',
      'Ingress.networking.k8s.io/v1',
      'HTTPRoute.gateway.networking.k8s.io/v1',
      'Gateway.gateway.networking.k8s.io/v1',
    ]);
  });

  test.each([
    [[], 'name the Environment'],
    [['--hook', 'delete', 'x'], '--hook must be sync, finalize or customize, not delete'],
    [['-n'], '-n needs a value'],
    [['--force', 'x'], 'unknown option --force'],
    [['a', 'b'], 'unexpected argument b'],
    [['--dashboard-route-kinds', 'gateway', 'x'], '--dashboard-route-kinds lists ingress and/or httproute, not gateway'],
  ])('usage error for %j', (argv, message) => {
    expect(() => parseArgs(argv)).toThrow(new UsageError(message));
  });
});

describe('--help, as the README advertises it', () => {
  test('prints the options and exits 0 without calling kubectl', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/build-hook-request.ts', '--help'], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH, KUBECTL: '/bin/false' },
      encoding: 'utf8',
    });
    expect([result.status, result.stdout, result.stderr]).toEqual([0, HELP, '']);
    expect(HELP).toContain('  --include-secret ');
  });

  test('-h too, wherever it stands', async () => {
    const kubectl: Kubectl = async () => {
      throw new Error('kubectl must not run');
    };
    expect(await run(['-n', 'team-a', '-h'], kubectl)).toBe(HELP);
  });
});

describe('replaying the built request', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  test('with --include-secret the service syncs it; the redacted one is refused by GitHub', async () => {
    const sameNamespace = (o: { metadata: object }) => ({ ...o, metadata: { ...o.metadata, namespace: 'default' } });
    const local = {
      'environments.environments.kuberik.com': [sameNamespace(staging)],
      'rollouts.kuberik.com': [sameNamespace(theRollout)],
      secret: [sameNamespace(theSecret)],
    };
    const included = await run(['--include-secret', 'my-app-staging'], fakeKubectl(local, []));
    const ok = await h.post('/sync?dryRun=true', included);
    expect(ok.status).toBe(200);
    expect(ok.json.status.conditions.find((c: { type: string }) => c.type === 'Ready')).toMatchObject({ status: 'True', reason: 'Synced' });
    expect(ok.json.githubWrites.map((w: { operation: string }) => w.operation)).toEqual(['CreateDeployment']);

    const redacted = await h.post('/sync?dryRun=true', await run(['my-app-staging'], fakeKubectl(local, [])));
    expect(redacted.json.status.conditions.find((c: { type: string }) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'GitHubUnauthorized' });
    expect(h.emulator.counts().writes).toBe(0);
  });
});
