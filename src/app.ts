/** buildApp(config): the whole HTTP service, creatable in tests without a port. */
import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import { pino, type Logger } from 'pino';
import { roundIntervalWithin, type Config } from './config.js';
import { GitHubClient } from './github/client.js';
import { FleetReads, type RoundReport, type RoundScheduler } from './github/fleet-reads.js';
import { LedgerCache } from './github/ledger-cache.js';
import { errorAnswer, errorBody, rejectionCode } from './hooks/errors.js';
import { LogBudget } from './hooks/log-budget.js';
import { Shutdown } from './hooks/shutdown.js';
import { Reconciler } from './sync/reconciler.js';
import { drain } from './hooks/drain.js';
import { registerRequestValidation } from './hooks/request-validation.js';
import { registerHookRoutes } from './hooks/routes.js';
import { Metrics, type Hook } from './metrics.js';
import { getValidators } from './validation.js';

export interface AppDeps {
  logger?: Logger;
  now?: () => Date;
  /** Observes GitHub requests (tests, metrics). */
  onGitHubRequest?: ConstructorParameters<typeof GitHubClient>[0]['onRequest'];
  /** Clock of the shared reads and their batching (tests compress time with it). */
  nowMs?: () => number;
  /** Observes each batched read round (tests, benchmarks). */
  onFleetRound?: (round: RoundReport) => void;
  /** Where the hook app counts; main serves them on METRICS_PORT (buildMetricsApp). A set of its own when absent. */
  metrics?: Metrics;
  /** Rolling-restart state: while it drains, /readyz fails and every answer closes its connection. */
  shutdown?: Shutdown;
  /** When a batched read round starts (tests start them themselves); a timer of FLEET_BATCH_WINDOW_MS by default. */
  fleetScheduler?: RoundScheduler;
  /** A sync's read joined a batched round already in flight (tests). */
  onFleetJoin?: () => void;
}

/** Paths of anything secret that could ever reach a log line. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'headers.authorization',
  'authorization',
  'token',
  '*.token',
  'data.token',
  '*.data.token',
  'privateKey',
  '*.privateKey',
  'data.privateKey',
  '*.data.privateKey',
];

const HOOK_ROUTES: Record<string, Hook> = { '/customize': 'customize', '/sync': 'sync', '/finalize': 'finalize' };
/** The methods each path of the hook port answers: any other method there is a 405. */
const ALLOWED_METHODS: Record<string, string> = { '/customize': 'POST', '/sync': 'POST', '/finalize': 'POST', '/healthz': 'GET, HEAD', '/readyz': 'GET, HEAD' };
/** Rejected calls logged at once, then one per second: a flood of bad requests cannot fill the disk. */
const REJECTED_LOG_BURST = 20;
const REJECTED_LOG_PER_SECOND = 1;

/** Time to receive a request's headers, and the whole request (hook bodies are at most BODY_LIMIT_BYTES). */
const HEADERS_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 30_000;
/** How much of a too-large body is read and dropped, at most, before the 413 is sent. */
const DRAIN_MAX_BYTES = 64 * 1024 * 1024;
const DRAIN_MAX_MS = 5_000;

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  const options = { level, redact: { paths: REDACT_PATHS, censor: '[REDACTED]' }, base: { service: 'environment-sync' } };
  return destination ? pino(options, destination as pino.DestinationStream) : pino(options);
}

export async function buildApp(config: Config, deps: AppDeps = {}): Promise<FastifyInstance> {
  const logger = deps.logger ?? createLogger(config.logLevel);
  const validators = getValidators();
  const metrics = deps.metrics ?? new Metrics();
  const shutdown = deps.shutdown ?? new Shutdown();
  const github = new GitHubClient({
    apiUrl: config.githubApiUrl,
    allowedApiUrls: config.allowedGithubApiUrls,
    timeoutMs: config.githubTimeoutMs,
    userAgent: 'environment-sync/0.1.0',
    onRequest: (event) => {
      metrics.githubRequest(event);
      deps.onGitHubRequest?.(event);
    },
    onRateLimit: (event) => metrics.rateLimit(event),
    onHold: ({ apiUrl, operation, untilMs }) =>
      logger.warn(
        { apiHost: new URL(apiUrl).host, operation, until: new Date(untilMs).toISOString() },
        'GitHub rate-limited a token: nothing is sent with it until then, and its Environments answer from what they know',
      ),
    ...(deps.now ? { now: () => deps.now!().getTime() } : {}),
  });
  const nowMs = deps.nowMs ?? Date.now;
  const cache = new LedgerCache(config.ledgerCacheTtlMs, nowMs, config.ledgerCacheMaxTtlMs, config.eventsFlowingTtlMs);
  metrics.observeSharedReadLifetime(() => cache.longestLifetimeMs() / 1000);
  // Batching shares reads, so it needs sharing on (a TTL); without one every sync reads alone.
  const fleet =
    config.ledgerCacheTtlMs > 0
      ? new FleetReads(cache, {
          windowMs: config.fleetBatchWindowMs,
          // loadConfig refuses more; a Config built another way (tests, embedders) gets the same bound.
          roundIntervalMs: roundIntervalWithin(config.fleetRoundIntervalMs, config.syncBudgetMs),
          ttlMs: config.ledgerCacheTtlMs,
          maxTtlMs: config.ledgerCacheMaxTtlMs,
          now: nowMs,
          ...(deps.onFleetRound ? { onRound: deps.onFleetRound } : {}),
          ...(deps.fleetScheduler ? { scheduler: deps.fleetScheduler } : {}),
        })
      : undefined;
  const reconciler = new Reconciler({
    github,
    cache,
    ...(fleet ? { fleet } : {}),
    ...(deps.onFleetJoin ? { onJoinedRound: deps.onFleetJoin } : {}),
    onDataAge: (seconds) => metrics.dataAge(seconds),
    checkSpec: (spec) => validators.environmentSpec.problems(spec),
    logger,
    dashboardUrl: config.dashboardUrl,
    syncBudgetMs: config.syncBudgetMs,
    finalizeGiveUpSeconds: config.finalizeGiveUpSeconds,
    maxWritesPerSync: config.maxWritesPerSync,
    nearChangeResyncSeconds: config.nearChangeResyncSeconds,
    eventsFlowingWindowSeconds: config.eventsFlowingWindowSeconds,
    ...(deps.now ? { now: deps.now } : {}),
  });

  // Typed as fastify's logger, so the instance's type is the one routes and plugins take.
  const loggerInstance: FastifyBaseLogger = logger;
  const app = Fastify({
    loggerInstance,
    // Every log line of a request carries its id: the caller's x-request-id, else a fresh UUID.
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    // The hooks log one line per answer themselves (steady syncs at debug); fastify's own per-request lines would double that.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.bodyLimitBytes,
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    return503OnClosing: true,
    // Metacontroller's Go client keeps idle connections up to 90 s: close ours later, so a request never meets a closing connection.
    keepAliveTimeout: config.keepAliveTimeoutMs,
    requestTimeout: REQUEST_TIMEOUT_MS,
  });
  app.server.headersTimeout = HEADERS_TIMEOUT_MS;
  registerRequestValidation(app);
  let ready = false;
  const rejectedLog = new LogBudget(REJECTED_LOG_BURST, REJECTED_LOG_PER_SECOND, nowMs);
  // The `error` code of each 4xx answer, for its log line and metric.
  const rejections = new WeakMap<object, string>();

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  // At answer time, so that a call already in progress when the drain began closes its connection too.
  app.addHook('onSend', async (_request, reply) => {
    if (shutdown.draining) reply.header('connection', 'close');
  });

  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    const { statusCode, body } = errorAnswer(error, request, config.bodyLimitBytes);
    if (statusCode < 500) rejections.set(request, body.error);
    if (statusCode === 500) request.log.error({ err: error, url: request.url }, 'hook failed');
    // The rest of a body too large to read, so the client reads this answer instead of a reset connection.
    if (statusCode === 413) await drain(request.raw, DRAIN_MAX_BYTES, DRAIN_MAX_MS);
    return reply.code(statusCode).send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    const allow = ALLOWED_METHODS[path];
    if (allow) {
      rejections.set(request, 'MethodNotAllowed');
      return reply
        .code(405)
        .header('allow', allow)
        .send(errorBody('MethodNotAllowed', `${request.method} ${path} is not served; use ${allow}`));
    }
    rejections.set(request, 'NotFound');
    return reply.code(404).send(errorBody('NotFound', `No route ${request.method} ${path}; hooks are POST /customize, /sync, /finalize`));
  });
  app.addHook('onResponse', async (request, reply) => {
    const hook = HOOK_ROUTES[request.routeOptions.url ?? ''];
    const rejected = reply.statusCode >= 400 && reply.statusCode < 500 ? rejectionCode(rejections.get(request)) : undefined;
    if (hook) metrics.hookAnswered(hook, reply.statusCode, reply.elapsedTime / 1000, rejected);
    if (rejected === undefined) return;
    const budget = rejectedLog.take();
    if (!budget) return;
    const declared = Number(request.headers['content-length']);
    request.log.info(
      {
        path: request.url.split('?')[0],
        method: request.method,
        status: reply.statusCode,
        error: rejected,
        bytes: Number.isSafeInteger(declared) ? declared : null,
        ...(budget.suppressed > 0 ? { suppressed: budget.suppressed } : {}),
      },
      'rejected',
    );
  });

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    if (shutdown.draining) return reply.code(503).send(errorBody('NotReady', 'Shutting down: finishing the calls in progress'));
    return ready ? { status: 'ready' } : reply.code(503).send(errorBody('NotReady', 'Starting up'));
  });
  const dashboard = !config.dashboardUrl && config.dashboardNamespace ? { namespace: config.dashboardNamespace, kinds: config.dashboardRouteKinds } : undefined;
  registerHookRoutes(app, {
    validators,
    reconciler,
    onSynced: (hook, reason) => metrics.syncAnswered(hook, reason),
    ...(dashboard ? { dashboard } : {}),
  });

  app.addHook('onReady', async () => {
    ready = true;
  });
  app.addHook('onClose', async () => {
    ready = false;
    await github.close();
  });
  return app;
}
