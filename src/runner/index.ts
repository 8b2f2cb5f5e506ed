/** startRunner: the Metacontroller-compatible runner in-process (used by main.ts and the e2e suites). */
import { pino, type Logger } from 'pino';
import type { BackoffPolicy } from '../kube/backoff.js';
import { CompositeRunner } from './controller.js';
import { KubeApi } from '../kube/api.js';
import { loadKubeConfig } from '../kube/config.js';
import { loadControllerManifest } from './manifest.js';

export interface StartRunnerOptions {
  /** CompositeController manifest (YAML; the one CompositeController in it is used). */
  manifestPath: string;
  /** Without it: KUBECONFIG, ~/.kube/config or the in-cluster service account. */
  kubeconfigPath?: string;
  hookBaseUrl?: string;
  logger?: Logger;
  workers?: number;
  backoff?: BackoffPolicy;
  /** How long to wait for the first list of parents and children. */
  startTimeoutMs?: number;
}

export interface RunningRunner {
  stop(): Promise<void>;
}

export async function startRunner(options: StartRunnerOptions): Promise<RunningRunner> {
  const settings = await loadControllerManifest(options.manifestPath, options.hookBaseUrl ? { hookBaseUrl: options.hookBaseUrl } : {});
  const config = loadKubeConfig(options.kubeconfigPath);
  const logger = (options.logger ?? pino({ level: 'info' })).child({ component: 'runner', controller: settings.name });
  const runner = new CompositeRunner({
    api: new KubeApi(config),
    settings,
    logger,
    workers: options.workers ?? 5,
    backoff: options.backoff ?? { baseMs: 500, maxMs: 300_000 },
    startTimeoutMs: options.startTimeoutMs ?? 60_000,
  });
  try {
    await runner.start();
  } catch (error) {
    await runner.stop(0);
    throw error;
  }
  return { stop: () => runner.stop() };
}

export { ManifestError } from './manifest.js';
