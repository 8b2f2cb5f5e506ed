/** Calls one hook over HTTP the way Metacontroller does: POST JSON, 200 only, bounded by the hook's timeout. */
import { request } from 'undici';
import { retryAfterMs } from '../kube/backoff.js';
import type { HookTarget } from './types.js';

export class HookCallError extends Error {
  override name = 'HookCallError';
}

/** HTTP 429: retry after the server's Retry-After, without counting as a failure. */
export class HookTooManyRequestsError extends HookCallError {
  override name = 'HookTooManyRequestsError';
  constructor(readonly retryAfterMs: number) {
    super(`hook answered 429 Too Many Requests; retrying in ${retryAfterMs} ms`);
  }
}

const MAX_ERROR_BODY = 500;

export async function callHook(target: HookTarget, body: unknown, now: () => Date = () => new Date()): Promise<string> {
  const signal = AbortSignal.timeout(target.timeoutMs);
  let response;
  try {
    response = await request(target.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal,
    });
  } catch (error) {
    const reason = signal.aborted ? `no answer within ${target.timeoutMs} ms` : error instanceof Error ? error.message : String(error);
    throw new HookCallError(`http error: POST ${target.url}: ${reason}`);
  }
  let text: string;
  try {
    text = await response.body.text();
  } catch (error) {
    throw new HookCallError(`http error: POST ${target.url}: reading the response failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (response.statusCode === 200) return text;
  if (response.statusCode === 429) {
    const header = response.headers['retry-after'];
    throw new HookTooManyRequestsError(retryAfterMs(Array.isArray(header) ? header[0] : header, now()));
  }
  throw new HookCallError(`unsupported status code: ${response.statusCode} body: ${text.slice(0, MAX_ERROR_BODY)}`);
}
