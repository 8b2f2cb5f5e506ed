/**
 * startReceiver: the webhook receiver in-process (used by main.ts and the e2e suites): a
 * list+watch cache of Environments in the served namespaces, the two listeners, the Nudger
 * patching through the shared Kubernetes client.
 */
import type { AddressInfo } from 'node:net';
import { pino, type Logger } from 'pino';
import { isNotFound, KubeApi } from '../kube/api.js';
import { loadKubeConfig } from '../kube/config.js';
import { Informer } from '../kube/informer.js';
import { buildReceiverApp, buildReceiverMetricsApp, WEBHOOK_PATH } from './app.js';
import type { ReceiverConfig } from './config.js';
import { ReceiverMetrics } from './metrics.js';
import { Nudger } from './nudger.js';

export const ENVIRONMENTS = { apiVersion: 'environments.kuberik.com/v1alpha1', resource: 'environments' } as const;

export interface StartReceiverOptions {
  config: ReceiverConfig;
  /** Without it: KUBECONFIG, ~/.kube/config or the in-cluster service account. */
  kubeconfigPath?: string;
  logger?: Logger;
  /** prom-client's process metrics (off in tests that run several receivers in one process). */
  defaultMetrics?: boolean;
}

export interface RunningReceiver {
  /** Where GitHub delivers: `http://host:port/github/webhook`. */
  webhookUrl: string;
  metricsUrl: string;
  metrics: ReceiverMetrics;
  stop(): Promise<void>;
}

export async function startReceiver(options: StartReceiverOptions): Promise<RunningReceiver> {
  const { config } = options;
  const logger = (options.logger ?? pino({ level: config.logLevel })).child({ component: 'receiver' });
  const api = new KubeApi(loadKubeConfig(options.kubeconfigPath));
  const info = await api.resourceInfo(ENVIRONMENTS);
  const scopes = config.namespaces.length > 0 ? config.namespaces : [''];
  const informers = scopes.map(
    (namespace) =>
      new Informer(
        api.listWatch(info, { namespace, fieldSelector: '', labelSelector: '' }),
        `environments ${namespace || '(all namespaces)'}`,
        logger,
        () => {},
      ),
  );
  const metrics = new ReceiverMetrics(options.defaultMetrics ?? false);
  const nudger = new Nudger({
    metrics,
    logger,
    windowMs: config.coalesceMs,
    writer: {
      patch: async (target, patch) => {
        await api.mergePatch(info, target.namespace, target.name, patch);
      },
      isGone: isNotFound,
    },
  });
  const app = await buildReceiverApp({
    logger,
    metrics,
    nudger,
    secrets: () => config.secrets.current(),
    environments: () => informers.flatMap((i) => i.list()),
    bodyLimitBytes: config.bodyLimitBytes,
    dedupSize: config.dedupSize,
  });
  const metricsApp = await buildReceiverMetricsApp(metrics, () => informers.every((i) => i.synced), logger);
  const stop = async () => {
    await app.close();
    await metricsApp.close();
    await nudger.close();
    await Promise.all(informers.map((i) => i.stop()));
  };
  try {
    await Promise.all(informers.map((i) => i.start()));
    await app.listen({ port: config.port, host: config.host });
    await metricsApp.listen({ port: config.metricsPort, host: config.host });
  } catch (error) {
    await stop();
    throw error;
  }
  const url = (server: { address(): AddressInfo | string | null }) => {
    const address = server.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return `http://${host}:${address.port}`;
  };
  return { webhookUrl: url(app.server) + WEBHOOK_PATH, metricsUrl: url(metricsApp.server) + '/metrics', metrics, stop };
}
