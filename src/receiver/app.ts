/**
 * The receiver's two listeners: the webhook route GitHub delivers to (exposed through an
 * Ingress), and /metrics, /healthz, /readyz on a port that stays inside the cluster.
 * Every answer is quick: the route only verifies, parses and queues; patches are the Nudger's.
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import type { KubeObject } from '../kube/types.js';
import { isHandledEvent, parseEvent } from './events.js';
import type { DeliveryOutcome, ReceiverMetrics } from './metrics.js';
import type { Nudger } from './nudger.js';
import { signatureMatches } from './signature.js';
import { concernedEnvironments, type EnvironmentRef } from './targets.js';

export const WEBHOOK_PATH = '/github/webhook';
const DELIVERY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const EVENT_NAME = /^[a-z_]{1,64}$/;

export interface ReceiverDeps {
  logger: Logger;
  metrics: ReceiverMetrics;
  nudger: Nudger;
  /** The accepted secrets, two at once during a rotation. */
  secrets: () => Buffer[];
  /** The Environments of the namespaces this cluster serves, from a list+watch cache. */
  environments: () => readonly KubeObject[];
  bodyLimitBytes: number;
  dedupSize: number;
  now?: () => number;
}

export async function buildReceiverApp(deps: ReceiverDeps): Promise<FastifyInstance> {
  const now = deps.now ?? Date.now;
  const seen = new LRUCache<string, true>({ max: deps.dedupSize });
  const loggerInstance: FastifyBaseLogger = deps.logger;
  const app = Fastify({
    loggerInstance,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: deps.bodyLimitBytes,
    return503OnClosing: true,
  });
  // The signature covers the raw bytes: keep them as a Buffer, whatever the content type says.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  const answer = (event: string, delivery: string | undefined, outcome: DeliveryOutcome, extra: Record<string, unknown> = {}) => {
    deps.metrics.delivery(event, outcome);
    const level = outcome === 'bad_signature' || outcome === 'malformed' || outcome === 'too_large' ? 'warn' : 'info';
    deps.logger[level]({ delivery, event, outcome, ...extra }, 'webhook delivery');
  };

  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    const event = headerOf(request.headers['x-github-event']) ?? '';
    const delivery = safeDelivery(headerOf(request.headers['x-github-delivery']));
    if (error.statusCode === 413 || error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      answer(event, delivery, 'too_large');
      return reply.code(413).send({ error: 'PayloadTooLarge', message: `body exceeds ${deps.bodyLimitBytes} bytes` });
    }
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400;
    answer(event, delivery, 'malformed', { reason: error.code });
    return reply.code(status).send({ error: 'BadRequest', message: 'the request could not be read' });
  });

  app.post(WEBHOOK_PATH, async (request, reply) => {
    const acceptedMs = now();
    const rawEvent = headerOf(request.headers['x-github-event']) ?? '';
    const event = EVENT_NAME.test(rawEvent) ? rawEvent : '';
    const rawDelivery = headerOf(request.headers['x-github-delivery']);
    const delivery = safeDelivery(rawDelivery);
    const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    if (!signatureMatches(body, headerOf(request.headers['x-hub-signature-256']), deps.secrets())) {
      answer(event, delivery, 'bad_signature');
      return reply.code(401).send({ error: 'Unauthorized', message: 'missing or invalid X-Hub-Signature-256' });
    }
    if (!event || !delivery || delivery !== rawDelivery) {
      answer(event, delivery, 'malformed', { reason: 'X-GitHub-Event or X-GitHub-Delivery missing or invalid' });
      return reply.code(400).send({ error: 'BadRequest', message: 'X-GitHub-Event and X-GitHub-Delivery are required' });
    }
    if (seen.has(delivery)) {
      answer(event, delivery, 'duplicate');
      return reply.code(200).send({ duplicate: true });
    }
    seen.set(delivery, true);
    if (event === 'ping') {
      answer(event, delivery, 'ping');
      return reply.code(200).send({ pong: true });
    }
    if (!isHandledEvent(event)) {
      answer(event, delivery, 'ignored', { reason: 'event not subscribed to' });
      return reply.code(200).send({ ignored: 'event' });
    }
    let payload: unknown;
    try {
      payload = JSON.parse(body.toString('utf8'));
    } catch {
      answer(event, delivery, 'malformed', { reason: 'body is not JSON (set the webhook content type to application/json)' });
      return reply.code(400).send({ error: 'BadRequest', message: 'the body must be JSON (content type application/json)' });
    }
    const parsed = parseEvent(event, payload);
    if ('ignored' in parsed) {
      answer(event, delivery, 'ignored', { reason: parsed.ignored });
      return reply.code(200).send({ ignored: 'subject' });
    }
    const targets = new Map<string, EnvironmentRef>();
    const environments = deps.environments();
    for (const subject of parsed.subjects) {
      for (const target of concernedEnvironments(subject, environments)) targets.set(`${target.namespace}/${target.name}`, target);
    }
    const subject = parsed.subjects[0]!;
    const about = { repository: subject.repository, application: subject.application, environment: subject.environment };
    if (targets.size === 0) {
      answer(event, delivery, 'ignored', { ...about, reason: 'no Environment here depends on it' });
      return reply.code(200).send({ ignored: 'no Environment' });
    }
    deps.nudger.submit([...targets.values()], delivery, acceptedMs);
    answer(event, delivery, 'accepted', { ...about, environments: [...targets.keys()] });
    return reply.code(202).send({ accepted: targets.size });
  });

  return app;
}

/** /metrics, /healthz and /readyz (ready once the Environment cache has its first list). */
export async function buildReceiverMetricsApp(metrics: ReceiverMetrics, ready: () => boolean, logger: Logger): Promise<FastifyInstance> {
  const loggerInstance: FastifyBaseLogger = logger;
  const app = Fastify({ loggerInstance, logController: new LogController({ disableRequestLogging: true }) });
  app.get('/metrics', async (_request, reply) => reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()));
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => (ready() ? { status: 'ready' } : reply.code(503).send({ status: 'waiting for the Environment cache' })));
  return app;
}

function headerOf(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function safeDelivery(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  return DELIVERY_ID.test(value) ? value : value.replace(/[^A-Za-z0-9._-]/g, '').slice(0, 64) || undefined;
}
