/** Every error answer is JSON `{error, message, details}` with a stable `error` code. */
import type { FastifyError, FastifyRequest } from 'fastify';
import type { ErrorResponse } from '../generated/hooks.js';
import { describeErrors, type FieldProblem } from '../validation.js';

export class HookRequestError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details: FieldProblem[] = [],
  ) {
    super(message);
    this.name = 'HookRequestError';
  }

  toResponse(): ErrorResponse {
    return { error: this.code, message: this.message, details: this.details };
  }
}

/** The `error` codes of 4xx answers: the fixed label values of the `outcome="rejected"` metric. */
export const REJECTION_CODES = [
  'InvalidJSON',
  'EmptyBody',
  'InvalidRequest',
  'BadRequest',
  'NotFound',
  'MethodNotAllowed',
  'PayloadTooLarge',
  'UnsupportedMediaType',
] as const;
export type RejectionCode = (typeof REJECTION_CODES)[number];

/** A 4xx answer's code as a metric label: one of REJECTION_CODES (anything else counts as BadRequest). */
export function rejectionCode(code: string | undefined): RejectionCode {
  return (REJECTION_CODES as readonly string[]).includes(code ?? '') ? (code as RejectionCode) : 'BadRequest';
}

export function errorBody(code: string, message: string, details: FieldProblem[] = []): ErrorResponse {
  return { error: code, message, details };
}

/** The status and body of an error answer: the hooks' own errors, schema and body-parsing errors, else a 500. */
export function errorAnswer(error: FastifyError, request: FastifyRequest, bodyLimitBytes: number): { statusCode: number; body: ErrorResponse } {
  const rejection = error instanceof HookRequestError ? error : schemaRejection(error, request);
  if (rejection) return { statusCode: rejection.statusCode, body: rejection.toResponse() };
  const { code, statusCode: status } = error;
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') return { statusCode: 413, body: errorBody('PayloadTooLarge', `Request body exceeds ${bodyLimitBytes} bytes`) };
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
    return { statusCode: 415, body: errorBody('UnsupportedMediaType', 'Send the hook request as application/json') };
  if (code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return { statusCode: 400, body: errorBody('EmptyBody', 'The request body must be a JSON object') };
  if (code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError || (status === 400 && /JSON|prototype|constructor/i.test(error.message))) {
    return { statusCode: 400, body: errorBody('InvalidJSON', 'The request body is not valid JSON (or uses forbidden keys such as __proto__)') };
  }
  if (status !== undefined && status >= 400 && status < 500) return { statusCode: status, body: errorBody('BadRequest', 'The request could not be processed') };
  return { statusCode: 500, body: errorBody('InternalError', `Internal error while handling ${request.url}; nothing was changed. See the service log.`) };
}

/** A fastify validation error as the hook's 400: every field's problem, the first five in the message. */
function schemaRejection(error: FastifyError, request: FastifyRequest): HookRequestError | undefined {
  if (!error.validation) return undefined;
  const ref = (request.routeOptions.schema?.body as { $ref?: string } | undefined)?.$ref ?? '';
  const schema = ref.slice(ref.lastIndexOf('/') + 1);
  const details = describeErrors(error.validation as Parameters<typeof describeErrors>[0]);
  const summary = details
    .slice(0, 5)
    .map((d) => `${d.field} ${d.problem}`)
    .join('; ');
  return new HookRequestError(400, 'InvalidRequest', `Request does not match the ${schema} schema: ${summary}`, details);
}
