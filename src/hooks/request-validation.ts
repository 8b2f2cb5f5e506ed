/**
 * Hook request validation as fastify does it: each route declares its body schema (a `$ref`
 * into schemas/), compiled once by the shared ajv, and checked before the handler runs.
 * Only JSON bodies are parsed; anything else is a 415.
 */
import type { FastifyInstance, FastifySchema } from 'fastify';
import { SCHEMA_BASE, sharedAjv } from '../validation.js';
import { HookRequestError } from './errors.js';
import { MAX_NESTING, tooDeep } from './nesting.js';

/** The route schema for a body that must match `hooks.schema.json#/$defs/<name>`. */
export function hookBody(name: 'SyncRequest' | 'CustomizeRequest'): FastifySchema {
  return { body: { $ref: `${SCHEMA_BASE}hooks.schema.json#/$defs/${name}` } };
}

export function registerRequestValidation(app: FastifyInstance): void {
  // fastify also parses text/plain by default: such a body would reach validation as a string.
  app.removeContentTypeParser('text/plain');
  app.setValidatorCompiler(({ schema }) => sharedAjv().compile(schema));
  // Before the schema: an empty body gets its own answer, and a deep one would overflow the validator's stack.
  app.addHook('preValidation', async (request) => {
    if (!request.routeOptions.schema?.body) return;
    if (request.body === undefined || request.body === null) throw new HookRequestError(400, 'EmptyBody', 'The request body must be a JSON object');
    const deep = tooDeep(request.body);
    if (deep !== undefined) {
      const problem = `nests deeper than ${MAX_NESTING} levels`;
      throw new HookRequestError(400, 'InvalidRequest', `Request rejected before schema validation: ${deep} ${problem}`, [{ field: deep, problem }]);
    }
  });
}
