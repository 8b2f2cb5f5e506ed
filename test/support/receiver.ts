/** A receiver app for tests: a recording Kubernetes writer, an injected clock and captured logs. */
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import type { KubeObject } from '../../src/kube/types.js';
import { buildReceiverApp } from '../../src/receiver/app.js';
import { ReceiverMetrics } from '../../src/receiver/metrics.js';
import { Nudger, type AnnotationWriter } from '../../src/receiver/nudger.js';
import { REDACT_PATHS } from '../../src/receiver/redact.js';
import type { EnvironmentRef } from '../../src/receiver/targets.js';

export const SECRET = 'webhook-secret-under-test';

export class RecordingWriter implements AnnotationWriter {
  readonly patches: { target: EnvironmentRef; patch: Record<string, unknown> }[] = [];
  gone = new Set<string>();
  failing = new Set<string>();
  async patch(target: EnvironmentRef, patch: Record<string, unknown>): Promise<void> {
    const key = `${target.namespace}/${target.name}`;
    if (this.gone.has(key)) throw Object.assign(new Error('not found'), { status: 404 });
    if (this.failing.has(key)) throw new Error('connection refused');
    this.patches.push({ target, patch });
  }
  isGone(error: unknown): boolean {
    return (error as { status?: number }).status === 404;
  }
}

export function captureLogs(): { logger: Logger; lines: () => any[]; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  const logger: Logger = pino({ level: 'info', redact: { paths: REDACT_PATHS, censor: '[REDACTED]' } }, stream);
  const text = () => chunks.join('');
  return {
    logger,
    text,
    lines: () =>
      text()
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l)),
  };
}

export async function receiverUnderTest(environments: KubeObject[], options: { secrets?: string[]; bodyLimitBytes?: number; now?: () => number } = {}) {
  const writer = new RecordingWriter();
  const metrics = new ReceiverMetrics();
  const logs = captureLogs();
  let clock = 1_000_000;
  const now = options.now ?? (() => clock);
  const nudger = new Nudger({ writer, metrics, logger: logs.logger, windowMs: 60_000, now });
  const app = await buildReceiverApp({
    logger: logs.logger,
    metrics,
    nudger,
    secrets: () => (options.secrets ?? [SECRET]).map((s) => Buffer.from(s)),
    environments: () => environments,
    bodyLimitBytes: options.bodyLimitBytes ?? 65_536,
    dedupSize: 100,
    now,
  });
  return {
    app,
    writer,
    metrics,
    logs,
    nudger,
    advance: (ms: number) => {
      clock += ms;
    },
  };
}

export function environment(namespace: string, name: string, environment: string, upstream?: string): KubeObject {
  return {
    apiVersion: 'environments.kuberik.com/v1alpha1',
    kind: 'Environment',
    metadata: { namespace, name },
    spec: {
      name: 'my-app',
      environment,
      rolloutRef: { name: 'my-app' },
      backend: { type: 'github', project: 'acme/shop' },
      ...(upstream ? { relationship: { environment: upstream, type: 'After' } } : {}),
    },
  };
}

/** The sample lines of one metric in the Prometheus text format, e.g. `name{labels} value`, sorted. */
export async function metricLines(metrics: ReceiverMetrics, name: string): Promise<string[]> {
  const text = await metrics.registry.metrics();
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
    .sort();
}
