/**
 * The webhook receiver (src/receiver) for one cluster, as manifests/receiver installs it: its
 * own ServiceAccount with only that kustomization's RBAC (list, watch and patch Environments),
 * run in-process on loopback, and registered as the emulator's webhook target.
 */
import { join } from 'node:path';
import { pino } from 'pino';
import { stringify } from 'yaml';
import { REPO_ROOT } from '../../../scripts/generate-crd.js';
import { loadReceiverConfig } from '../../../src/receiver/config.js';
import { startReceiver, type RunningReceiver } from '../../../src/receiver/index.js';
import type { GitHubEmulator } from '../../../tools/github-emulator/index.js';
import type { Cluster } from './cluster.js';

const RECEIVER_NAMESPACE = 'environment-sync';
const RECEIVER_SERVICE_ACCOUNT = 'environment-sync-receiver';
const WEBHOOK_SECRET = 'e2e-webhook-secret-0123456789abcdef';

export async function startClusterReceiver(cluster: Cluster, github: GitHubEmulator): Promise<RunningReceiver> {
  // The kustomization names the namespace but does not create it (manifests/ does, where applied).
  await cluster.kubectl(['apply', '-f', '-'], stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: RECEIVER_NAMESPACE } }));
  await cluster.kubectl(['apply', '-k', join(REPO_ROOT, 'manifests', 'receiver')]);
  const receiver = await startReceiver({
    config: loadReceiverConfig({ WEBHOOK_SECRET, RECEIVER_HOST: '127.0.0.1', RECEIVER_PORT: '0', RECEIVER_METRICS_PORT: '0', LOG_LEVEL: 'warn' }),
    kubeconfigPath: await cluster.tokenKubeconfig(RECEIVER_NAMESPACE, RECEIVER_SERVICE_ACCOUNT),
    logger: pino({ level: process.env.E2E_LOG_LEVEL ?? 'error', name: `receiver-${cluster.name}` }),
  });
  github.addWebhook({ url: receiver.webhookUrl, secret: WEBHOOK_SECRET });
  return receiver;
}
