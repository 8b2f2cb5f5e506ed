/** Fastify routes: validate the request, hand it to the core, answer in Metacontroller's v2 shape. */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import type { DryRunResponse, GitHubWrite, SyncRequest, SyncResponse } from '../generated/hooks.js';
import type { Validator, Validators } from '../validation.js';
import { relatedResources, type DashboardDiscovery } from './customize.js';
import { HookRequestError } from './errors.js';
import { bodyValue, JsonBody } from './json-body.js';
import { MAX_NESTING, tooDeep } from './nesting.js';
import type { Reconciler } from '../sync/reconciler.js';
import { observeStatus, renderAnswer, steadyAnswer, type MemoisedAnswer, type ObservedStatus, type ResponseMemo } from './response-memo.js';

export interface HookRoutesOptions {
  validators: Validators;
  reconciler: Reconciler;
  /** Set when the dashboard URL is discovered rather than configured. */
  dashboard?: DashboardDiscovery;
  logger: Logger;
  /**
   * Called for every successful answer (metrics): its hook, seconds since the request
   * arrived, and the Ready reason of a sync or finalize that was not a dry run.
   */
  onAnswered?: (hook: 'customize' | 'sync' | 'finalize', seconds: number, reason?: string) => void;
  /** Answers to repeated identical /sync requests; absent = always compute. */
  memo?: ResponseMemo;
}

export function registerHookRoutes(app: FastifyInstance, { validators, reconciler, dashboard, logger, onAnswered, memo }: HookRoutesOptions): void {
  const elapsedSeconds = (reply: FastifyReply) => reply.elapsedTime / 1000;

  app.post('/customize', async (request, reply) => {
    const body = validated(validators.customizeRequest, bodyValue(request.body), 'CustomizeRequest');
    const response = relatedResources(body, dashboard);
    assertValidResponse(validators.customizeResponse, response, '/customize');
    onAnswered?.('customize', elapsedSeconds(reply));
    return response;
  });

  const sync = async (
    reply: FastifyReply,
    body: SyncRequest,
    finalizing: boolean,
    dryRun: boolean,
    repeatable?: { digest: string; observed: ObservedStatus },
  ): Promise<SyncResponse | DryRunResponse> => {
    const started = performance.now();
    const target = `${body.parent.metadata.namespace}/${body.parent.metadata.name}`;
    const hook = finalizing ? 'finalize' : 'sync';
    let response: SyncResponse;
    let reason: string;
    let githubWrites: GitHubWrite[] | undefined;
    let keep: { digest: string; answer: MemoisedAnswer } | undefined;
    if (finalizing) {
      const decision = await reconciler.finalize(body, { dryRun });
      response = { status: decision.status, children: decision.children, resyncAfterSeconds: decision.resyncAfterSeconds, finalized: decision.finalized };
      ({ reason, githubWrites } = decision);
      logger.info(
        { environment: target, hook, reason, finalized: decision.finalized, ms: Math.round(performance.now() - started), ...(dryRun ? { dryRun } : {}) },
        'finalize',
      );
    } else {
      const report = await reconciler.sync(body, { dryRun });
      response = { status: report.status, children: report.children, resyncAfterSeconds: report.resyncAfterSeconds };
      ({ reason, githubWrites } = report);
      // Quiet steady state: at one sync per Environment per minute, only changes and problems are news.
      const level = report.writes.length > 0 || reason !== 'Synced' || dryRun ? 'info' : 'debug';
      logger[level](
        { environment: target, hook, reason, writes: report.writesDone, ms: Math.round(performance.now() - started), ...(dryRun ? { dryRun } : {}) },
        'sync',
      );
      const stillValid = report.reusableWhile;
      const steady = repeatable && stillValid && !dryRun ? steadyAnswer(repeatable.observed, response) : undefined;
      if (repeatable && stillValid && steady) keep = { digest: repeatable.digest, answer: { ...steady, reason, environment: target, stillValid } };
    }
    assertValidResponse(validators.syncResponse, response, `/${hook}`);
    if (keep) memo?.set(keep.digest, keep.answer);
    if (dryRun) {
      onAnswered?.(hook, elapsedSeconds(reply));
      return { ...response, githubWrites: githubWrites ?? [] };
    }
    onAnswered?.(hook, elapsedSeconds(reply), reason);
    return response;
  };

  app.post('/sync', async (request, reply) => {
    const started = performance.now();
    const dryRun = dryRunOf(request.query);
    const raw = request.body instanceof JsonBody ? request.body : undefined;
    const repeated = memo && raw && !dryRun ? memo.get(raw.digest) : undefined;
    if (repeated) {
      if (logger.isLevelEnabled('debug')) {
        logger.debug(
          { environment: repeated.environment, hook: 'sync', reason: repeated.reason, writes: 0, reused: true, ms: Math.round(performance.now() - started) },
          'sync',
        );
      }
      onAnswered?.('sync', elapsedSeconds(reply), repeated.reason);
      return reply.type(JSON_TYPE).send(renderAnswer(repeated, raw!.bytes));
    }
    // Located before parsing releases the bytes.
    const observed = memo && raw && !dryRun ? observeStatusSafely(raw) : undefined;
    const repeatable = raw && observed ? { digest: raw.digest, observed } : undefined;
    const body = validated(validators.syncRequest, bodyValue(request.body), 'SyncRequest');
    return sync(reply, body, body.finalizing === true, dryRun, repeatable);
  });

  app.post('/finalize', async (request, reply) => {
    const dryRun = dryRunOf(request.query);
    const body = validated(validators.syncRequest, bodyValue(request.body), 'SyncRequest');
    return sync(reply, body, true, dryRun);
  });
}

const JSON_TYPE = 'application/json; charset=utf-8';

/** Malformed bodies are left to the parser, which answers them with its 400s. */
function observeStatusSafely(raw: JsonBody): ObservedStatus | undefined {
  try {
    return observeStatus(raw.bytes);
  } catch {
    return undefined;
  }
}

/** `?dryRun=true` describes the GitHub writes instead of making them (curl debugging). */
function dryRunOf(query: unknown): boolean {
  const value = (query as Record<string, unknown> | undefined)?.dryRun;
  if (value === undefined || value === 'false') return false;
  if (value === 'true' || value === '') return true;
  throw new HookRequestError(400, 'InvalidRequest', 'Query parameter dryRun must be true or false', [{ field: '?dryRun', problem: 'must be true or false' }]);
}

function validated<T>(validator: Validator<T>, body: unknown, schema: string): T {
  if (body === undefined || body === null) throw new HookRequestError(400, 'EmptyBody', 'The request body must be a JSON object');
  const deep = tooDeep(body);
  if (deep !== undefined) {
    const problem = `nests deeper than ${MAX_NESTING} levels`;
    throw new HookRequestError(400, 'InvalidRequest', `Request rejected before schema validation: ${deep} ${problem}`, [{ field: deep, problem }]);
  }
  if (validator(body)) return body;
  const details = validator.problems(body);
  const summary = details
    .slice(0, 5)
    .map((d) => `${d.field} ${d.problem}`)
    .join('; ');
  throw new HookRequestError(400, 'InvalidRequest', `Request does not match the ${schema} schema: ${summary}`, details);
}

/** A 200 with a malformed body would make Metacontroller delete children: fail loudly instead. */
function assertValidResponse<T>(validator: Validator<T>, response: unknown, route: string): void {
  if (!validator(response)) {
    const details = validator.problems(response);
    throw new Error(`${route} built a response that violates its schema: ${JSON.stringify(details)}`);
  }
}
