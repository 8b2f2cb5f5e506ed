/**
 * Two real Kubernetes API servers ("staging" and "production" clusters) that cannot see each
 * other, one GitHub (the emulator) shared by both. Each cluster runs our CRDs and manifests,
 * the service, and the Metacontroller-compatible runner under its own RBAC.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { parseAllDocuments, stringify } from 'yaml';
import { buildApp, createLogger } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { GitHubEmulator } from '../../tools/github-emulator/index.js';
import { startRunner } from '../../src/runner/index.js';
import { REPO_ROOT } from '../../scripts/generate-crd.js';
import { REFERENCE_CRDS_DIR } from '../support/fixtures.js';
import { loadKuberikCrds, startCluster, type Cluster } from './control-plane/cluster.js';
import { defineScenario, REPOSITORY, REVISIONS, type ScenarioTarget, type Site } from './scenario/scenario.js';

const TOKEN = 'ghp_e2eScenarioToken0123456789abcdefABCD';
const RUNNER_NAMESPACE = 'environment-sync';
const RUNNER_SERVICE_ACCOUNT = 'environment-sync-runner';
const SETUP_TIMEOUT_MS = 5 * 60_000;

interface Member {
  cluster: Cluster;
  app: FastifyInstance;
  runner: { stop(): Promise<void> };
}

function withoutKind(rendered: string, kind: string): string {
  return parseAllDocuments(rendered)
    .map((doc) => doc.toJS() as { kind?: string } | null)
    .filter((o) => o !== null && o.kind !== kind)
    .map((o) => stringify(o))
    .join('---\n');
}

/** One cluster as a user would set it up: CRDs, manifests/, the service and the runner. */
async function startMember(name: 'staging' | 'production', github: GitHubEmulator): Promise<Member> {
  const cluster = await startCluster(name);
  try {
    // Our CRD loads unmodified; kuberik's need the 1.20 adjustment; Metacontroller's CRDs make
    // the CompositeController in manifests/ a known kind, as it is where Metacontroller runs.
    await cluster.kubectl(['apply', '-f', join(REPO_ROOT, 'manifests', 'crd', 'environments.kuberik.com_environments.yaml')]);
    await cluster.kubectl(['apply', '-f', join(REFERENCE_CRDS_DIR, 'metacontroller-crds-v1.yaml')]);
    await loadKuberikCrds(cluster);
    await cluster.kubectl([
      'wait',
      '--for=condition=Established',
      '--timeout=60s',
      'crd/environments.environments.kuberik.com',
      'crd/compositecontrollers.metacontroller.k8s.io',
    ]);
    // Kubernetes 1.20 has no policy/v1: everything of manifests/ but the PodDisruptionBudget.
    await cluster.kubectl(['apply', '-f', '-'], withoutKind(await cluster.kubectl(['kustomize', join(REPO_ROOT, 'manifests')]), 'PodDisruptionBudget'));
    await cluster.kubectl(['apply', '-k', join(REPO_ROOT, 'manifests', 'runner')]);

    const config = { ...loadConfig({}), githubApiUrl: github.url, ledgerCacheTtlMs: 1000, logLevel: 'warn' };
    const app = await buildApp(config, { logger: createLogger(process.env.E2E_LOG_LEVEL ?? 'error') });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    const hookBaseUrl = typeof address === 'object' && address ? `http://127.0.0.1:${address.port}` : '';

    const runner = await startRunner({
      kubeconfigPath: await cluster.tokenKubeconfig(RUNNER_NAMESPACE, RUNNER_SERVICE_ACCOUNT),
      manifestPath: join(REPO_ROOT, 'manifests', 'controller', 'compositecontroller.yaml'),
      hookBaseUrl,
      logger: pino({ level: process.env.E2E_LOG_LEVEL ?? 'error', name: `runner-${name}` }),
    });
    return { cluster, app, runner };
  } catch (error) {
    await cluster.stop();
    throw error;
  }
}

async function stopMember(member: Member | undefined): Promise<void> {
  if (!member) return;
  await member.runner.stop();
  await member.app.close();
  await member.cluster.stop();
}

function site(member: Member, environment: Site['environment']): Site {
  return { environment, namespace: 'default', kubectl: member.cluster.kubectl };
}

describe('staging → production across two clusters through GitHub', () => {
  let github: GitHubEmulator;
  let staging: Member | undefined;
  let production: Member | undefined;
  let target: ScenarioTarget;

  beforeAll(async () => {
    github = await GitHubEmulator.start({ tokens: [TOKEN] });
    github.addRepository(REPOSITORY, { commits: Object.values(REVISIONS) });
    const started = await Promise.allSettled([startMember('staging', github), startMember('production', github)]);
    [staging, production] = started.map((result) => (result.status === 'fulfilled' ? result.value : undefined));
    const failure = started.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failure || !staging || !production) throw failure?.reason;
    target = {
      staging: site(staging, 'staging'),
      production: site(production, 'production'),
      github,
      token: TOKEN,
      convergeMs: 60_000,
    };
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await Promise.all([stopMember(staging), stopMember(production)]);
    await github?.close();
  }, 60_000);

  defineScenario(() => target);

  test('6. the runner works with only the permissions its manifest grants', async () => {
    const kubeconfig = await production!.cluster.tokenKubeconfig(RUNNER_NAMESPACE, RUNNER_SERVICE_ACCOUNT);
    // `kubectl auth can-i` prints yes or no, and exits 1 for no.
    const canI = (...args: string[]): Promise<string> =>
      new Promise((resolve) => {
        execFile('kubectl', ['--kubeconfig', kubeconfig, 'auth', 'can-i', ...args], (_error, stdout, stderr) => resolve(stdout.trim() || stderr.trim()));
      });
    expect(await canI('update', 'environments.environments.kuberik.com', '--subresource=status', '-n', 'default')).toBe('yes');
    expect(await canI('patch', 'environments.environments.kuberik.com', '--subresource=status', '-n', 'default')).toBe('no');
    expect(await canI('patch', 'environments.environments.kuberik.com', '-n', 'default')).toBe('no');
    expect(await canI('create', 'rolloutgates.kuberik.com', '-n', 'default')).toBe('yes');
    expect(await canI('delete', 'namespaces')).toBe('no');
    expect(await canI('create', 'deployments.apps', '-n', 'default')).toBe('no');
    expect(await canI('update', 'rollouts.kuberik.com', '-n', 'default')).toBe('no');
  });
});
