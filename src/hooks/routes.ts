/** Fastify routes: validate the request, hand it to the core, answer in Metacontroller's v2 shape. */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import type { DryRunResponse, GitHubWrite, SyncRequest, SyncResponse } from '../generated/hooks.js';
import type { Validator, Validators } from '../validation.js';
import { relatedResources, type DashboardDiscovery } from './customize.js';
import { HookRequestError } from './errors.js';
import { MAX_NESTING, tooDeep } from './nesting.js';
import type { Reconciler } from '../sync/reconciler.js';

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
}

export function registerHookRoutes(app: FastifyInstance, { validators, reconciler, dashboard, logger, onAnswered }: HookRoutesOptions): void {
  const elapsedSeconds = (reply: FastifyReply) => reply.elapsedTime / 1000;

  app.post('/customize', async (request, reply) => {
    const body = validated(validators.customizeRequest, request.body, 'CustomizeRequest');
    const response = relatedResources(body, dashboard);
    assertValidResponse(validators.customizeResponse, response, '/customize');
    onAnswered?.('customize', elapsedSeconds(reply));
    return response;
  });

  const sync = async (reply: FastifyReply, body: SyncRequest, finalizing: boolean, dryRun: boolean): Promise<SyncResponse | DryRunResponse> => {
    const started = performance.now();
    const target = `${body.parent.metadata.namespace}/${body.parent.metadata.name}`;
    const hook = finalizing ? 'finalize' : 'sync';
    let response: SyncResponse;
    let reason: string;
    let githubWrites: GitHubWrite[] | undefined;
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
    }
    assertValidResponse(validators.syncResponse, response, `/${hook}`);
    if (dryRun) {
      onAnswered?.(hook, elapsedSeconds(reply));
      return { ...response, githubWrites: githubWrites ?? [] };
    }
    onAnswered?.(hook, elapsedSeconds(reply), reason);
    return response;
  };

  app.post('/sync', async (request, reply) => {
    const dryRun = dryRunOf(request.query);
    const body = validated(validators.syncRequest, request.body, 'SyncRequest');
    return sync(reply, body, body.finalizing === true, dryRun);
  });

  app.post('/finalize', async (request, reply) => {
    const dryRun = dryRunOf(request.query);
    const body = validated(validators.syncRequest, request.body, 'SyncRequest');
    return sync(reply, body, true, dryRun);
  });
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
