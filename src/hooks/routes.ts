/** Fastify routes: the request (validated by its route schema) to the core, the answer in Metacontroller's v2 shape. */
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { CustomizeRequest, DryRunResponse, GitHubWrite, SyncRequest, SyncResponse } from '../generated/hooks.js';
import type { Validator, Validators } from '../validation.js';
import { relatedResources, type DashboardDiscovery } from './customize.js';
import { HookRequestError } from './errors.js';
import { hookBody } from './request-validation.js';
import type { Reconciler } from '../sync/reconciler.js';

export interface HookRoutesOptions {
  validators: Validators;
  reconciler: Reconciler;
  /** Set when the dashboard URL is discovered rather than configured. */
  dashboard?: DashboardDiscovery;
  /** The Ready reason of every answered sync or finalize that was not a dry run (metrics). */
  onSynced?: (hook: 'sync' | 'finalize', reason: string) => void;
}

export function registerHookRoutes(app: FastifyInstance, { validators, reconciler, dashboard, onSynced }: HookRoutesOptions): void {
  app.post<{ Body: CustomizeRequest }>('/customize', { schema: hookBody('CustomizeRequest') }, async (request) => {
    const response = relatedResources(request.body, dashboard);
    assertValidResponse(validators.customizeResponse, response, '/customize');
    return response;
  });

  const sync = async (log: FastifyBaseLogger, body: SyncRequest, finalizing: boolean, dryRun: boolean): Promise<SyncResponse | DryRunResponse> => {
    const started = performance.now();
    const target = `${body.parent.metadata.namespace}/${body.parent.metadata.name}`;
    const hook = finalizing ? 'finalize' : 'sync';
    let response: SyncResponse;
    let reason: string;
    let githubWrites: GitHubWrite[] | undefined;
    if (finalizing) {
      const decision = await reconciler.finalize(body, { dryRun, logger: log });
      response = { status: decision.status, children: decision.children, resyncAfterSeconds: decision.resyncAfterSeconds, finalized: decision.finalized };
      ({ reason, githubWrites } = decision);
      log.info(
        { environment: target, hook, reason, finalized: decision.finalized, ms: Math.round(performance.now() - started), ...(dryRun ? { dryRun } : {}) },
        'finalize',
      );
    } else {
      const report = await reconciler.sync(body, { dryRun, logger: log });
      response = { status: report.status, children: report.children, resyncAfterSeconds: report.resyncAfterSeconds };
      ({ reason, githubWrites } = report);
      // Quiet steady state: at one sync per Environment per minute, only changes and problems are news.
      const level = report.writes.length > 0 || reason !== 'Synced' || dryRun ? 'info' : 'debug';
      log[level](
        { environment: target, hook, reason, writes: report.writesDone, ms: Math.round(performance.now() - started), ...(dryRun ? { dryRun } : {}) },
        'sync',
      );
    }
    assertValidResponse(validators.syncResponse, response, `/${hook}`);
    if (dryRun) return { ...response, githubWrites: githubWrites ?? [] };
    onSynced?.(hook, reason);
    return response;
  };

  app.post<{ Body: SyncRequest }>('/sync', { schema: hookBody('SyncRequest') }, async (request) => {
    const dryRun = dryRunOf(request.query);
    return sync(request.log, request.body, request.body.finalizing === true, dryRun);
  });

  app.post<{ Body: SyncRequest }>('/finalize', { schema: hookBody('SyncRequest') }, async (request) => {
    const dryRun = dryRunOf(request.query);
    return sync(request.log, request.body, true, dryRun);
  });
}

/** `?dryRun=true` describes the GitHub writes instead of making them (curl debugging). */
function dryRunOf(query: unknown): boolean {
  const value = (query as Record<string, unknown> | undefined)?.dryRun;
  if (value === undefined || value === 'false') return false;
  if (value === 'true' || value === '') return true;
  throw new HookRequestError(400, 'InvalidRequest', 'Query parameter dryRun must be true or false', [{ field: '?dryRun', problem: 'must be true or false' }]);
}

/** A 200 with a malformed body would make Metacontroller delete children: fail loudly instead. */
function assertValidResponse<T>(validator: Validator<T>, response: unknown, route: string): void {
  if (!validator(response)) {
    const details = validator.problems(response);
    throw new Error(`${route} built a response that violates its schema: ${JSON.stringify(details)}`);
  }
}
