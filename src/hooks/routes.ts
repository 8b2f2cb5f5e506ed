/** Fastify routes: validate the request, hand it to the core, answer in Metacontroller's v2 shape. */
import type { FastifyInstance } from 'fastify';
import type { CustomizeRequest, SyncRequest, SyncResponse } from '../generated/hooks.js';
import type { Validator, Validators } from '../validation.js';
import { relatedResources, type DashboardDiscovery } from './customize.js';
import { HookRequestError } from './errors.js';
import type { Reconciler } from './reconciler.js';

export interface HookRoutesOptions {
  validators: Validators;
  reconciler: Reconciler;
  /** Set when the dashboard URL is discovered rather than configured. */
  dashboard?: DashboardDiscovery;
  /** Called with the Ready reason of every answered sync and finalize (metrics). */
  onAnswered?: (hook: 'sync' | 'finalize', reason: string) => void;
}

export function registerHookRoutes(app: FastifyInstance, { validators, reconciler, dashboard, onAnswered }: HookRoutesOptions): void {
  app.post('/customize', async (request) => {
    const body = validated(validators.customizeRequest, request.body, 'CustomizeRequest');
    const response = relatedResources(body, dashboard);
    assertValidResponse(validators.customizeResponse, response, '/customize');
    return response;
  });

  const sync = async (body: SyncRequest, finalizing: boolean): Promise<SyncResponse> => {
    const started = performance.now();
    const target = `${body.parent.metadata.namespace}/${body.parent.metadata.name}`;
    let response: SyncResponse;
    if (finalizing) {
      const decision = await reconciler.finalize(body);
      response = { status: decision.status, children: decision.children, resyncAfterSeconds: decision.resyncAfterSeconds, finalized: decision.finalized };
      app.log.info({ environment: target, hook: 'finalize', reason: decision.reason, finalized: decision.finalized, ms: Math.round(performance.now() - started) }, 'finalize');
      onAnswered?.('finalize', decision.reason);
    } else {
      const report = await reconciler.sync(body);
      response = { status: report.status, children: report.children, resyncAfterSeconds: report.resyncAfterSeconds };
      // Quiet steady state: at one sync per Environment per minute, only changes and problems are news.
      const level = report.writes.length > 0 || report.reason !== 'Synced' ? 'info' : 'debug';
      app.log[level]({ environment: target, hook: 'sync', reason: report.reason, writes: report.writesDone, ms: Math.round(performance.now() - started) }, 'sync');
      onAnswered?.('sync', report.reason);
    }
    assertValidResponse(validators.syncResponse, response, finalizing ? '/finalize' : '/sync');
    return response;
  };

  app.post('/sync', async (request) => {
    const body = validated(validators.syncRequest, request.body, 'SyncRequest');
    return sync(body, body.finalizing === true);
  });

  app.post('/finalize', async (request) => {
    const body = validated(validators.syncRequest, request.body, 'SyncRequest');
    return sync(body, true);
  });
}

function validated<T>(validator: Validator<T>, body: unknown, schema: string): T {
  if (body === undefined || body === null) throw new HookRequestError(400, 'EmptyBody', 'The request body must be a JSON object');
  if (validator(body)) return body;
  const details = validator.problems(body);
  const summary = details.slice(0, 5).map((d) => `${d.field} ${d.problem}`).join('; ');
  throw new HookRequestError(400, 'InvalidRequest', `Request does not match the ${schema} schema: ${summary}`, details);
}

/** A 200 with a malformed body would make Metacontroller delete children: fail loudly instead. */
function assertValidResponse<T>(validator: Validator<T>, response: unknown, route: string): void {
  if (!validator(response)) {
    const details = validator.problems(response);
    throw new Error(`${route} built a response that violates its schema: ${JSON.stringify(details)}`);
  }
}
