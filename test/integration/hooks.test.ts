/** /customize, /finalize and malformed requests through real HTTP. */
import { startHarness, REPOSITORY, type Harness } from '../support/harness.js';
import { environment, rollout, sha, syncRequest } from '../support/requests.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

describe('customize', () => {
  test('asks for the Rollout and Secret by name and the sibling Environments', async () => {
    h = await startHarness();
    const parent = environment({ environment: 'production', secret: 'gh-creds' });
    const res = await h.post('/customize', { controller: {}, parent });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      relatedResources: [
        { apiVersion: 'kuberik.com/v1alpha1', resource: 'rollouts', namespace: 'default', names: ['my-app'] },
        { apiVersion: 'v1', resource: 'secrets', namespace: 'default', names: ['gh-creds'] },
        { apiVersion: 'environments.kuberik.com/v1alpha1', resource: 'environments', namespace: 'default' },
      ],
    });
  });
});

describe('malformed requests get a 4xx naming the problem', () => {
  beforeEach(async () => {
    h = await startHarness({ config: { bodyLimitBytes: 4096 } });
  });

  test('not JSON', async () => {
    const res = await h.post('/sync', '{"parent": ');
    expect(res.status).toBe(400);
    expect(res.json.error).toBe('InvalidJSON');
  });

  test('missing parent', async () => {
    const res = await h.post('/sync', { children: {} });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({
      error: 'InvalidRequest',
      message: 'Request does not match the SyncRequest schema: /parent is required',
      details: [{ field: '/parent', problem: 'is required' }],
    });
  });

  test('wrong kind and missing namespace', async () => {
    const res = await h.post('/sync', { parent: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' } } });
    expect(res.status).toBe(400);
    expect(res.json.details).toEqual([
      { field: '/parent/apiVersion', problem: 'must be one of "environments.kuberik.com/v1alpha1"' },
      { field: '/parent/kind', problem: 'must be one of "Environment"' },
      { field: '/parent/metadata/namespace', problem: 'is required' },
    ]);
  });

  test('prototype keys', async () => {
    const res = await h.post('/sync', '{"parent": {"__proto__": {"polluted": true}}}');
    expect(res.status).toBe(400);
    expect(res.json.error).toBe('InvalidJSON');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test('too large', async () => {
    const res = await h.post('/sync', { parent: { pad: 'x'.repeat(5000) } });
    expect(res.status).toBe(413);
    expect(res.json.error).toBe('PayloadTooLarge');
  });

  test('unknown route', async () => {
    const res = await h.post('/nope', {});
    expect(res.status).toBe(404);
    expect(res.json.error).toBe('NotFound');
  });
});

describe('finalize', () => {
  const R1 = sha('f1');
  const R2 = sha('f2');
  const history = rollout([
    { id: 2, tag: 'v2', revision: R2, bakeStatus: 'InProgress' },
    { id: 1, tag: 'v1', revision: R1, bakeStatus: 'Succeeded' },
  ]);

  test('marks the environment inactive (its newest deployment, and v2 is also unfinished), then finalizes', async () => {
    h = await startHarness();
    const parent = environment({ environment: 'staging' });
    await h.post('/sync', syncRequest({ parent, rollout: history }));
    const deleting = environment({ environment: 'staging', deletionTimestamp: '2026-11-26T11:59:00Z' });
    h.emulator.resetRequests();
    const res = await h.post('/finalize', syncRequest({ parent: deleting, rollout: history, finalizing: true }));
    expect(res.status).toBe(200);
    expect(res.json.finalized).toBe(true);
    // v1 finished before v2: GitHub shows only the newest deployment of an environment as active, so it needs no write.
    expect(h.emulator.deployments(REPOSITORY).map((d) => d.statuses.at(-1)!.state + ':' + d.statuses.at(-1)!.description)).toEqual([
      'success:Bake succeeded',
      'inactive:Environment deleted',
    ]);
    expect(h.emulator.counts().writes).toBe(1);
    h.emulator.resetRequests();
    const again = await h.post('/finalize', syncRequest({ parent: deleting, rollout: history, finalizing: true }));
    expect(again.json.finalized).toBe(true);
    expect(h.emulator.counts().writes).toBe(0);
  });

  test('without the Secret it finalizes at once', async () => {
    h = await startHarness();
    const res = await h.post(
      '/finalize',
      syncRequest({ parent: environment({ environment: 'staging', deletionTimestamp: '2026-11-26T11:59:00Z' }), secret: null, finalizing: true }),
    );
    expect(res.status).toBe(200);
    expect(res.json.finalized).toBe(true);
    expect(h.emulator.counts().total).toBe(0);
  });

  test('GitHub down: retries, then gives up after the window', async () => {
    h = await startHarness({ config: { finalizeGiveUpSeconds: 300 } });
    h.emulator.injectFault({ match: {}, times: Infinity, action: { kind: 'respond', status: 503 } });
    const request = (deletionTimestamp: string) => syncRequest({ parent: environment({ environment: 'staging', deletionTimestamp }), finalizing: true });
    const early = await h.post('/finalize', request('2026-11-26T11:59:00Z'));
    expect([early.json.finalized, early.json.resyncAfterSeconds]).toEqual([false, 5]);
    const late = await h.post('/finalize', request('2026-11-26T11:50:00Z'));
    expect(late.json.finalized).toBe(true);
  });
});

describe('dashboard discovery', () => {
  test('customize asks for Ingresses in the dashboard namespace; statuses carry the environment URL', async () => {
    h = await startHarness({ config: { dashboardNamespace: 'kuberik', dashboardRouteKinds: ['ingress'] } });
    const parent = environment({ environment: 'staging' });
    const customize = await h.post('/customize', { parent });
    expect(customize.json.relatedResources.at(-1)).toEqual({ apiVersion: 'networking.k8s.io/v1', resource: 'ingresses', namespace: 'kuberik' });

    const request = syncRequest({ parent, rollout: rollout([{ id: 1, tag: 'v1', revision: sha('d1'), bakeStatus: 'Succeeded' }]) });
    request.related!['Ingress.networking.k8s.io/v1'] = {
      'kuberik/rollout-dashboard': {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'Ingress',
        metadata: { name: 'rollout-dashboard', namespace: 'kuberik' },
        spec: {
          tls: [{ hosts: ['rollouts.example.com'] }],
          rules: [
            {
              host: 'rollouts.example.com',
              http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'rollout-dashboard', port: { number: 80 } } } }] },
            },
          ],
        },
      } as never,
    };
    const res = await h.post('/sync', request);
    expect(res.json.status.environmentInfos[0].environmentUrl).toBe('https://rollouts.example.com/rollouts/default/my-app');
    expect(h.emulator.deployments(REPOSITORY)[0]!.statuses[0]!.environment_url).toBe('https://rollouts.example.com/rollouts/default/my-app');
  });
});

describe('dashboard discovery through an HTTPRoute', () => {
  test('customize asks for HTTPRoutes and Gateways; the Gateway listener gives the scheme', async () => {
    h = await startHarness({ config: { dashboardNamespace: 'kuberik', dashboardRouteKinds: ['httproute'] } });
    const parent = environment({ environment: 'staging' });
    const customize = await h.post('/customize', { parent });
    expect(customize.json.relatedResources.slice(-2)).toEqual([
      { apiVersion: 'gateway.networking.k8s.io/v1', resource: 'httproutes', namespace: 'kuberik' },
      { apiVersion: 'gateway.networking.k8s.io/v1', resource: 'gateways', namespace: 'kuberik' },
    ]);

    const request = syncRequest({ parent, rollout: rollout([{ id: 1, tag: 'v1', revision: sha('d1'), bakeStatus: 'Succeeded' }]) });
    request.related!['HTTPRoute.gateway.networking.k8s.io/v1'] = {
      'kuberik/rollout-dashboard': {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'HTTPRoute',
        metadata: { name: 'rollout-dashboard', namespace: 'kuberik' },
        spec: { parentRefs: [{ name: 'internal' }], hostnames: ['rollouts.internal'], rules: [{ backendRefs: [{ name: 'rollout-dashboard', port: 80 }] }] },
      } as never,
    };
    request.related!['Gateway.gateway.networking.k8s.io/v1'] = {
      'kuberik/internal': {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'Gateway',
        metadata: { name: 'internal', namespace: 'kuberik' },
        spec: { gatewayClassName: 'cilium', listeners: [{ name: 'http', protocol: 'HTTP', port: 80 }] },
      } as never,
    };
    const res = await h.post('/sync', request);
    expect(res.json.status.environmentInfos[0].environmentUrl).toBe('http://rollouts.internal/rollouts/default/my-app');
  });
});

describe('ill-typed objects inside a valid envelope never cause a 5xx', () => {
  test('garbage Rollout status, observed status and gate child give a 200 with sane output', async () => {
    h = await startHarness();
    const parent = environment({
      environment: 'production',
      relationship: { environment: 'staging', type: 'After' },
      status: { conditions: 'yes', environmentInfos: [{ environment: 5 }, { environment: 'staging', history: [] }], currentVersion: 7 },
    });
    const bad = rollout([]);
    (bad.status as Record<string, unknown>).releaseCandidates = 0;
    (bad.status as Record<string, unknown>).history = [{ id: '1', version: { tag: 'v1', revision: 42 } }, 'nope'];
    const gate = { apiVersion: 'kuberik.com/v1alpha1', kind: 'RolloutGate', metadata: { name: 'my-app-production-gate', namespace: 'default' }, spec: 'x' };
    const res = await h.post('/sync', syncRequest({ parent, rollout: bad, gate }));
    expect(res.status).toBe(200);
    expect(res.json.children.map((g: any) => [g.metadata.name, g.spec.allowedVersions])).toEqual([['my-app-production-gate', []]]);
    expect(res.json.status.environmentInfos.map((e: any) => e.environment)).toEqual(['staging', 'production']);
    expect(h.emulator.counts().writes).toBe(0);
  });
});
