/**
 * The Metacontroller-compatible runner against a real API server (one cluster, staging and
 * production as two namespaces), authenticated with its own service account's token and
 * RBAC from manifests/runner. A recording proxy between runner and service shows exactly
 * what the runner sends, and can fail calls to exercise retries.
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { request } from 'undici';
import { buildApp, createLogger } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { GitHubEmulator } from '../../tools/github-emulator/index.js';
import { startRunner, type RunningRunner } from '../../src/runner/index.js';
import { REPO_ROOT } from '../../scripts/generate-crd.js';
import { loadKuberikCrds, startCluster, type Cluster } from './control-plane/cluster.js';
import {
  allowedVersions,
  ENVIRONMENTS,
  eventually,
  GATE,
  getJson,
  githubDeployments,
  REPOSITORY,
  REVISIONS,
  setRolloutStatus,
  siteManifests,
  type ScenarioTarget,
  type Site,
} from './scenario/scenario.js';

const TOKEN = 'ghp_e2eRunnerToken0123456789abcdefABCDEF';
const CONVERGE_MS = 60_000;
const FINALIZER = 'metacontroller.io/compositecontroller-environment-sync';

interface RecordedCall {
  path: string;
  body: any;
  status: number;
}

/**
 * Forwards hook calls to the service, records them, and answers 503 to the next `failSyncs`
 * /sync calls for the parent named `failParent` (other parents keep resyncing meanwhile).
 */
class RecordingProxy {
  readonly calls: RecordedCall[] = [];
  failSyncs = 0;
  failParent = '';
  private readonly server = http.createServer((req, res) => void this.handle(req, res));

  constructor(private readonly target: string) {}

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const path = req.url ?? '';
    if (path === '/sync' && this.failSyncs > 0 && JSON.parse(text)?.parent?.metadata?.name === this.failParent) {
      this.failSyncs--;
      this.calls.push({ path, body: JSON.parse(text), status: 503 });
      res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"Unavailable","message":"injected by the test","details":[]}');
      return;
    }
    const answer = await request(`${this.target}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: text });
    const body = await answer.body.text();
    this.calls.push({ path, body: JSON.parse(text), status: answer.statusCode });
    res.writeHead(answer.statusCode, { 'content-type': 'application/json' }).end(body);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

describe('the runner on a real API server', () => {
  let github: GitHubEmulator;
  let cluster: Cluster;
  let app: FastifyInstance;
  let proxy: RecordingProxy;
  let runner: RunningRunner | undefined;
  let staging: Site;
  let production: Site;
  let target: ScenarioTarget;

  const environment = () => getJson(production, 'environments.environments.kuberik.com', ENVIRONMENTS.production);
  const gate = () => getJson(production, 'rolloutgates.kuberik.com', GATE);

  beforeAll(async () => {
    github = await GitHubEmulator.start({ tokens: [TOKEN] });
    github.addRepository(REPOSITORY, { commits: Object.values(REVISIONS) });
    cluster = await startCluster('runner');
    await cluster.kubectl(['apply', '-f', join(REPO_ROOT, 'manifests', 'crd', 'environments.kuberik.com_environments.yaml')]);
    await loadKuberikCrds(cluster);
    await cluster.kubectl(['wait', '--for=condition=Established', '--timeout=60s', 'crd/environments.environments.kuberik.com']);
    for (const namespace of ['environment-sync', 'staging', 'production']) await cluster.kubectl(['create', 'namespace', namespace]);
    await cluster.kubectl(['apply', '-k', join(REPO_ROOT, 'manifests', 'runner')]);

    app = await buildApp({ ...loadConfig({}), githubApiUrl: github.url, ledgerCacheTtlMs: 0 }, { logger: createLogger(process.env.E2E_LOG_LEVEL ?? 'error') });
    await app.listen({ port: 0, host: '127.0.0.1' });
    proxy = new RecordingProxy(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}`);
    const hookBaseUrl = await proxy.listen();

    runner = await startRunner({
      kubeconfigPath: await cluster.tokenKubeconfig('environment-sync', 'environment-sync-runner'),
      manifestPath: join(REPO_ROOT, 'manifests', 'controller', 'compositecontroller.yaml'),
      hookBaseUrl,
      logger: pino({ level: process.env.E2E_LOG_LEVEL ?? 'error', name: 'runner' }),
      backoff: { baseMs: 200, maxMs: 2000 },
    });

    staging = { environment: 'staging', namespace: 'staging', kubectl: cluster.kubectl };
    production = { environment: 'production', namespace: 'production', kubectl: cluster.kubectl };
    target = { staging, production, github, token: TOKEN, convergeMs: CONVERGE_MS };
    for (const site of [staging, production]) await cluster.kubectl(['apply', '-f', '-'], await siteManifests(site, TOKEN));
    await setRolloutStatus(staging, [{ id: 1, tag: 'v1.2.0', bakeStatus: 'Deploying', at: '2026-11-26T10:00:00Z' }], []);
    await setRolloutStatus(production, [{ id: 1, tag: 'v1.2.0', bakeStatus: 'Deploying', at: '2026-11-26T10:05:00Z' }], ['v1.2.0', 'v1.3.0']);
  }, 5 * 60_000);

  afterAll(async () => {
    await runner?.stop();
    await proxy?.close();
    await app?.close();
    await cluster?.stop();
    await github?.close();
  }, 60_000);

  test('adds the finalizer, writes the status with observedGeneration and creates the gate it owns', async () => {
    const synced = await eventually('production status written', CONVERGE_MS, async () => {
      const env = await environment();
      return env?.status?.observedGeneration === 1 && env.status.rolloutGateRef ? env : undefined;
    });
    expect(synced.metadata.generation).toBe(1);
    expect(synced.metadata.finalizers).toEqual([FINALIZER]);
    expect(synced.status.rolloutGateRef).toEqual({ name: GATE });

    const child = await eventually('the production gate', CONVERGE_MS, gate);
    expect(child.metadata.labels).toEqual({ 'controller-uid': synced.metadata.uid });
    expect(child.metadata.ownerReferences).toEqual([
      {
        apiVersion: 'environments.kuberik.com/v1alpha1',
        kind: 'Environment',
        name: ENVIRONMENTS.production,
        uid: synced.metadata.uid,
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
    expect(child.spec.allowedVersions).toEqual([]);
    expect(JSON.parse(child.metadata.annotations['metacontroller.k8s.io/last-applied-configuration']).spec.allowedVersions).toEqual([]);
  });

  test("sends Metacontroller's v2 requests: customize first, then sync with children and related keyed by kind and namespace/name", async () => {
    const customize = proxy.calls.find((c) => c.path === '/customize' && c.body.parent.metadata.namespace === 'production');
    expect(Object.keys(customize!.body).sort()).toEqual(['controller', 'parent']);
    expect(customize!.body.controller.metadata.name).toBe('environment-sync');

    const sync = await eventually('a production sync that saw its gate', CONVERGE_MS, async () =>
      [...proxy.calls]
        .reverse()
        .find(
          (c) =>
            c.path === '/sync' &&
            c.status === 200 &&
            c.body.parent.metadata.namespace === 'production' &&
            Object.keys(c.body.children['RolloutGate.kuberik.com/v1alpha1']).length > 0,
        ),
    );
    expect(Object.keys(sync.body).sort()).toEqual(['children', 'controller', 'finalizing', 'parent', 'related']);
    expect(sync.body.finalizing).toBe(false);
    expect(sync.body.controller.kind).toBe('CompositeController');
    expect(Object.keys(sync.body.children)).toEqual(['RolloutGate.kuberik.com/v1alpha1']);
    expect(Object.keys(sync.body.children['RolloutGate.kuberik.com/v1alpha1'])).toEqual([`production/${GATE}`]);
    expect(Object.keys(sync.body.related).sort()).toEqual(['Environment.environments.kuberik.com/v1alpha1', 'Rollout.kuberik.com/v1alpha1', 'Secret.v1']);
    expect(Object.keys(sync.body.related['Rollout.kuberik.com/v1alpha1'])).toEqual(['production/my-app']);
    expect(Object.keys(sync.body.related['Secret.v1'])).toEqual(['production/github-token']);
    expect(Object.keys(sync.body.related['Environment.environments.kuberik.com/v1alpha1'])).toEqual([`production/${ENVIRONMENTS.production}`]);
    expect(sync.body.related['Secret.v1']['production/github-token'].kind).toBe('Secret');
  });

  test('updates the gate in place when the hook changes it, keeping what other writers set', async () => {
    const before = await gate();
    await cluster.kubectl(['annotate', 'rolloutgates.kuberik.com', GATE, '-n', 'production', 'example.com/owner=someone-else']);
    await setRolloutStatus(staging, [{ id: 1, tag: 'v1.2.0', bakeStatus: 'Succeeded', at: '2026-11-26T10:00:00Z' }], []);

    const opened = await eventually('production gate allowing v1.2.0', CONVERGE_MS, async () => {
      const versions = await allowedVersions(production);
      return versions?.length === 1 && versions[0] === 'v1.2.0' ? gate() : undefined;
    });
    expect(opened.metadata.uid).toBe(before.metadata.uid);
    expect(opened.metadata.annotations['example.com/owner']).toBe('someone-else');
    expect(opened.spec.allowedVersions).toEqual(['v1.2.0']);
  });

  test('a spec change is reported through observedGeneration', async () => {
    await cluster.kubectl([
      'patch',
      'environments.environments.kuberik.com',
      ENVIRONMENTS.production,
      '-n',
      'production',
      '--type=merge',
      '-p',
      '{"spec":{"requeueInterval":"3s"}}',
    ]);
    const updated = await eventually('observedGeneration 2', CONVERGE_MS, async () => {
      const env = await environment();
      return env?.status?.observedGeneration === 2 ? env : undefined;
    });
    expect(updated.metadata.generation).toBe(2);
  });

  test('retries a failing hook with backoff until it answers', async () => {
    proxy.failParent = ENVIRONMENTS.production;
    proxy.failSyncs = 3;
    await cluster.kubectl([
      'patch',
      'environments.environments.kuberik.com',
      ENVIRONMENTS.production,
      '-n',
      'production',
      '--type=merge',
      '-p',
      '{"spec":{"requeueInterval":"4s"}}',
    ]);
    await eventually('observedGeneration 3', CONVERGE_MS, async () => ((await environment())?.status?.observedGeneration === 3 ? true : undefined));
    expect(proxy.failSyncs).toBe(0);
    expect(proxy.calls.filter((c) => c.status === 503)).toHaveLength(3);
    // Events are written without waiting for them: the last may land after the sync that succeeded.
    const injected = await eventually('three SyncError events', CONVERGE_MS, async () => {
      const events = JSON.parse(await cluster.kubectl(['get', 'events', '-n', 'production', '--field-selector', 'reason=SyncError', '-o', 'json'])).items;
      const matching = events.filter((e: any) => e.message.includes('injected by the test'));
      return matching.length >= 3 ? matching : undefined;
    });
    expect(injected).toHaveLength(3);
    expect(injected[0]).toMatchObject({
      type: 'Warning',
      involvedObject: { kind: 'Environment', name: ENVIRONMENTS.production, namespace: 'production' },
      source: { component: 'environment-sync-runner' },
    });
    expect(injected[0].message).toMatch(/^Sync error: unsupported status code: 503 body: /);
  });

  test('deleting the Environment calls /finalize, then the finalizer goes and the gate is garbage-collected', async () => {
    await eventually('production deployment recorded', CONVERGE_MS, async () => githubDeployments(target, 'production')[0]);
    await cluster.kubectl(['delete', 'environments.environments.kuberik.com', ENVIRONMENTS.production, '-n', 'production', '--wait=false']);

    await eventually('the Environment gone', CONVERGE_MS, async () => ((await environment()) === undefined ? true : undefined));
    const finalize = proxy.calls.filter((c) => c.path === '/finalize');
    expect(finalize.length).toBeGreaterThan(0);
    expect(finalize.every((c) => c.body.finalizing === true && c.body.parent.metadata.deletionTimestamp)).toBe(true);
    const deployments = githubDeployments(target, 'production');
    expect(deployments.map((d) => d.statuses.at(-1))).toEqual([expect.objectContaining({ state: 'inactive', description: 'Environment deleted' })]);

    await eventually('the gate garbage-collected', CONVERGE_MS, async () => ((await gate()) === undefined ? true : undefined));
  });

  test('as a process (npm run runner), it is configured by flags and exits cleanly on SIGTERM', async () => {
    // No Environment is left, so this second runner cannot interfere with the first.
    const child = spawn(
      join(REPO_ROOT, 'node_modules', '.bin', 'tsx'),
      [
        join(REPO_ROOT, 'src', 'runner', 'main.ts'),
        '--kubeconfig',
        await cluster.tokenKubeconfig('environment-sync', 'environment-sync-runner'),
        '--manifest',
        join(REPO_ROOT, 'manifests', 'controller', 'compositecontroller.yaml'),
        '--hook-base-url',
        'http://127.0.0.1:9',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const lines: string[] = [];
    child.stdout.on('data', (chunk: Buffer) => lines.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const messages = () => lines.map((line) => (JSON.parse(line) as { msg: string }).msg);

    await eventually('the runner process started', CONVERGE_MS, async () => (messages().includes('runner started') ? true : undefined));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(messages().slice(-2)).toEqual(['shutting down', 'runner stopped']);
  });
});
