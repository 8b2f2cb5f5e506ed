/**
 * One cluster with the real Metacontroller: a real API server with our CRD, kuberik's and
 * Metacontroller's, the CompositeController of manifests/controller/ with `url:` webhooks,
 * Metacontroller out of cluster under the ClusterRole of manifests/components/metacontroller-rbac/,
 * and the service behind a HookProxy (one URL, instances replaceable: restarts, other settings).
 */
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp, createLogger } from '../../../src/app.js';
import { loadConfig, type Config } from '../../../src/config.js';
import { buildMetricsApp } from '../../../src/metrics-app.js';
import { Metrics } from '../../../src/metrics.js';
import type { GitHubEmulator } from '../../../tools/github-emulator/index.js';
import { REPO_ROOT } from '../../../scripts/generate-crd.js';
import { loadKuberikCrds, startCluster, type Cluster } from './cluster.js';
import { HookProxy } from './hook-proxy.js';
import { installMetacontrollerResources, metacontrollerKubeconfig, startMetacontroller, type RunningMetacontroller } from './metacontroller.js';
import type { Site } from '../scenario/scenario.js';

export type HookName = 'customize' | 'sync' | 'finalize';

export interface MetacontrollerMember {
  name: string;
  cluster: Cluster;
  proxy: HookProxy;
  metacontroller: RunningMetacontroller;
  /** The service instance answering now (undefined while stopped). */
  service(): FastifyInstance | undefined;
  /** The metrics app (METRICS_PORT's routes) of the instance answering now. */
  metricsApp(): FastifyInstance | undefined;
  /** Stops the service instance (it finishes what it is answering); the proxy answers 502 meanwhile. */
  stopService(): Promise<void>;
  /** Starts a new service instance with these settings and points the proxy at it. */
  startService(settings?: Partial<Config>): Promise<void>;
  /** Hook requests the service has answered, per hook, over every instance so far (its own metric). */
  hookRequests(): Promise<Record<HookName, number>>;
  stop(): Promise<void>;
}

async function hookRequestsOf(metricsApp: FastifyInstance): Promise<Record<HookName, number>> {
  const text = (await metricsApp.inject({ method: 'GET', url: '/metrics' })).body;
  const counts: Record<HookName, number> = { customize: 0, sync: 0, finalize: 0 };
  for (const m of text.matchAll(/^environment_sync_hook_requests_total\{hook="(customize|sync|finalize)"[^}]*\} (\d+)$/gm)) {
    counts[m[1] as HookName] += Number(m[2]);
  }
  return counts;
}

export async function startMetacontrollerMember(
  name: 'staging' | 'production',
  github: GitHubEmulator,
  settings: Partial<Config> = { ledgerCacheTtlMs: 1000 },
): Promise<MetacontrollerMember> {
  const cluster = await startCluster(name);
  const proxy = new HookProxy();
  let app: FastifyInstance | undefined;
  let metricsApp: FastifyInstance | undefined;
  let metacontroller: RunningMetacontroller | undefined;
  const counted: Record<HookName, number> = { customize: 0, sync: 0, finalize: 0 };

  const startService = async (overrides: Partial<Config> = settings): Promise<void> => {
    const config = { ...loadConfig({}), githubApiUrl: github.url, logLevel: 'warn', ...overrides };
    const logger = createLogger(process.env.E2E_LOG_LEVEL ?? 'error');
    const metrics = new Metrics();
    const started = await buildApp(config, { logger, metrics });
    await started.listen({ port: 0, host: '127.0.0.1' });
    const address = started.server.address();
    app = started;
    metricsApp = buildMetricsApp(metrics, logger);
    proxy.upstream = typeof address === 'object' && address ? `http://127.0.0.1:${address.port}` : undefined;
  };
  const stopService = async (): Promise<void> => {
    if (!app || !metricsApp) return;
    const stopping = app;
    const stoppingMetrics = metricsApp;
    proxy.upstream = undefined;
    app = undefined;
    metricsApp = undefined;
    // Count once what was forwarded has been answered; a closed instance answers nothing.
    while (proxy.forwarding > 0) await new Promise((resolve) => setTimeout(resolve, 20));
    const counts = await hookRequestsOf(stoppingMetrics);
    await stopping.close();
    await stoppingMetrics.close();
    for (const hook of Object.keys(counted) as HookName[]) counted[hook] += counts[hook];
  };
  const stop = async (): Promise<void> => {
    try {
      await metacontroller?.stop();
      await stopService();
      await proxy.close();
    } finally {
      await cluster.stop();
    }
  };

  try {
    await cluster.kubectl(['apply', '-f', join(REPO_ROOT, 'manifests', 'crd', 'environments.kuberik.com_environments.yaml')]);
    await loadKuberikCrds(cluster);
    await cluster.kubectl(['wait', '--for=condition=Established', '--timeout=60s', 'crd/environments.environments.kuberik.com']);
    await startService();
    await installMetacontrollerResources(cluster, await proxy.listen());
    metacontroller = await startMetacontroller(cluster, await metacontrollerKubeconfig(cluster));
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    name,
    cluster,
    proxy,
    metacontroller,
    service: () => app,
    metricsApp: () => metricsApp,
    stopService,
    startService,
    async hookRequests() {
      const current = metricsApp ? await hookRequestsOf(metricsApp) : { customize: 0, sync: 0, finalize: 0 };
      return { customize: counted.customize + current.customize, sync: counted.sync + current.sync, finalize: counted.finalize + current.finalize };
    },
    stop,
  };
}

export function metacontrollerSite(member: MetacontrollerMember, environment: Site['environment'], namespace = 'default'): Site {
  return { environment, namespace, kubectl: member.cluster.kubectl };
}
