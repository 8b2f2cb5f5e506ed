/** Every error answer is JSON `{error, message, details}` with a stable `error` code. */
import type { ErrorResponse } from '../generated/hooks.js';
import type { FieldProblem } from '../validation.js';

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

export function errorBody(code: string, message: string, details: FieldProblem[] = []): ErrorResponse {
  return { error: code, message, details };
}
