/**
 * The webhook receiver in `npm run dev`, where there is no cluster. Dev mode stands in for
 * Kubernetes and Metacontroller: the Environments are the parents of examples/sync-*.json,
 * a nudge merges the annotation into those objects and re-syncs the nudged Environment
 * through the hook app at once, as Metacontroller does when a parent changes. The
 * emulator delivers its signed webhooks to it. Development only.
 */
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { buildReceiverApp, buildReceiverMetricsApp, WEBHOOK_PATH } from '../src/receiver/app.js';
import { ReceiverMetrics } from '../src/receiver/metrics.js';
import { Nudger } from '../src/receiver/nudger.js';
import type { EnvironmentRef } from '../src/receiver/targets.js';
import type { KubeObject } from '../src/kube/types.js';
import type { GitHubEmulator } from './github-emulator/index.js';

export const DEV_WEBHOOK_SECRET = 'dev-webhook-secret';
const EXAMPLES = ['sync-production.json', 'sync-staging-baked.json'];

export interface EventDrivenSync {
  environment: string;
  delivery: string;
  allowedVersions: string[] | undefined;
}

export interface DevReceiver {
  webhookUrl: string;
  metricsUrl: string;
  /** The re-syncs nudges caused, oldest first. */
  syncs: EventDrivenSync[];
  /** Patches what is pending now and waits for the re-syncs. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

type HookRequest = { parent: KubeObject; related?: Record<string, Record<string, KubeObject>> };

export async function startDevReceiver(options: {
  emulator: GitHubEmulator;
  hookApp: FastifyInstance;
  logger: Logger;
  host?: string;
  port?: number;
  metricsPort?: number;
}): Promise<DevReceiver> {
  const requests = new Map<string, HookRequest>();
  for (const file of EXAMPLES) {
    const request = JSON.parse(readFileSync(new URL(`../examples/${file}`, import.meta.url), 'utf8')) as HookRequest;
    requests.set(`${request.parent.metadata.namespace}/${request.parent.metadata.name}`, request);
  }
  const syncs: EventDrivenSync[] = [];
  const pendingSyncs = new Set<Promise<void>>();
  const logger = options.logger.child({ component: 'dev-receiver' });

  const resync = async (key: string, delivery: string): Promise<void> => {
    const response = await options.hookApp.inject({ method: 'POST', url: '/sync', payload: requests.get(key)! });
    const gate = response.json<{ children?: { spec?: { allowedVersions?: string[] } }[] }>().children?.[0];
    const sync = { environment: key, delivery, allowedVersions: gate?.spec?.allowedVersions };
    syncs.push(sync);
    logger.info(sync, 'event-driven sync (dev mode stands in for Metacontroller)');
  };

  const writer = {
    patch: async (target: EnvironmentRef, patch: Record<string, unknown>) => {
      const key = `${target.namespace}/${target.name}`;
      if (!requests.has(key)) throw Object.assign(new Error(`${key} not found`), { status: 404 });
      const annotations = (patch.metadata as { annotations: Record<string, string> }).annotations;
      // The parent and every copy of it other requests carry as a related Environment.
      for (const request of requests.values()) {
        for (const object of [request.parent, ...Object.values(request.related?.['Environment.environments.kuberik.com/v1alpha1'] ?? {})]) {
          if (`${object.metadata.namespace}/${object.metadata.name}` !== key) continue;
          object.metadata.annotations = { ...(object.metadata.annotations ?? {}), ...annotations };
        }
      }
      const delivery = Object.values(annotations)[0]!.split('@')[0]!;
      const done = resync(key, delivery).finally(() => pendingSyncs.delete(done));
      pendingSyncs.add(done);
    },
    isGone: (error: unknown) => (error as { status?: number }).status === 404,
  };

  const metrics = new ReceiverMetrics();
  const nudger = new Nudger({ writer, metrics, logger, windowMs: 250 });
  const app = await buildReceiverApp({
    logger,
    metrics,
    nudger,
    secrets: () => [Buffer.from(DEV_WEBHOOK_SECRET)],
    environments: () => [...requests.values()].map((r) => r.parent),
    bodyLimitBytes: 1_048_576,
    dedupSize: 1000,
  });
  const metricsApp = await buildReceiverMetricsApp(metrics, () => true, logger);
  const host = options.host ?? '127.0.0.1';
  await app.listen({ host, port: options.port ?? 0 });
  await metricsApp.listen({ host, port: options.metricsPort ?? 0 });
  const base = (server: { address(): AddressInfo | string | null }) => `http://${host}:${(server.address() as AddressInfo).port}`;
  const webhookUrl = base(app.server) + WEBHOOK_PATH;
  options.emulator.addWebhook({ url: webhookUrl, secret: DEV_WEBHOOK_SECRET });
  return {
    webhookUrl,
    metricsUrl: base(metricsApp.server) + '/metrics',
    syncs,
    flush: async () => {
      await nudger.flush();
      while (pendingSyncs.size > 0) await Promise.all([...pendingSyncs]);
    },
    close: async () => {
      await nudger.close();
      await app.close();
      await metricsApp.close();
    },
  };
}
