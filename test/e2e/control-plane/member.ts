/**
 * One cluster as a user would set it up: a real API server with our CRDs and manifests/, the
 * service, and the Metacontroller-compatible runner under its own RBAC. Shared by the e2e suites.
 */
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { parseAllDocuments, stringify } from 'yaml';
import { buildApp, createLogger } from '../../../src/app.js';
import { loadConfig, type Config } from '../../../src/config.js';
import { buildMetricsApp } from '../../../src/metrics-app.js';
import { Metrics } from '../../../src/metrics.js';
import type { GitHubEmulator } from '../../../tools/github-emulator/index.js';
import { startRunner } from '../../../src/runner/index.js';
import { REPO_ROOT } from '../../../scripts/generate-crd.js';
import { REFERENCE_CRDS_DIR } from '../../support/fixtures.js';
import { loadKuberikCrds, startCluster, type Cluster } from './cluster.js';
import type { Site } from '../scenario/scenario.js';

export const RUNNER_NAMESPACE = 'environment-sync';
export const RUNNER_SERVICE_ACCOUNT = 'environment-sync-runner';
export const SETUP_TIMEOUT_MS = 5 * 60_000;

export interface Member {
  cluster: Cluster;
  app: FastifyInstance;
  /** The metrics listener's app (not listening: `inject` it). */
  metricsApp: FastifyInstance;
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
export async function startMember(
  name: 'staging' | 'production',
  github: GitHubEmulator,
  settings: Partial<Config> = { ledgerCacheTtlMs: 1000 },
): Promise<Member> {
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

    const config = { ...loadConfig({}), githubApiUrl: github.url, logLevel: 'warn', ...settings };
    const logger = createLogger(process.env.E2E_LOG_LEVEL ?? 'error');
    const metrics = new Metrics();
    const app = await buildApp(config, { logger, metrics });
    const metricsApp = buildMetricsApp(metrics, logger);
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    const hookBaseUrl = typeof address === 'object' && address ? `http://127.0.0.1:${address.port}` : '';

    const runner = await startRunner({
      kubeconfigPath: await cluster.tokenKubeconfig(RUNNER_NAMESPACE, RUNNER_SERVICE_ACCOUNT),
      manifestPath: join(REPO_ROOT, 'manifests', 'controller', 'compositecontroller.yaml'),
      hookBaseUrl,
      logger: pino({ level: process.env.E2E_LOG_LEVEL ?? 'error', name: `runner-${name}` }),
    });
    return { cluster, app, metricsApp, runner };
  } catch (error) {
    await cluster.stop();
    throw error;
  }
}

export async function stopMember(member: Member | undefined): Promise<void> {
  if (!member) return;
  await member.runner.stop();
  await member.app.close();
  await member.cluster.stop();
}

export function site(member: Member, environment: Site['environment']): Site {
  return { environment, namespace: 'default', kubectl: member.cluster.kubectl };
}
