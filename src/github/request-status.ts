/** The status label of a GitHub request that failed: GitHub's HTTP status, or why there was none. */
import { GraphqlResponseError } from '@octokit/graphql';
import { RequestError } from '@octokit/request-error';
import { NotGitHubApiError } from './errors.js';

export function requestStatus(error: unknown): string {
  if (error instanceof GraphqlResponseError) return '200';
  for (let e: unknown = error, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const name = (e as { name?: string }).name;
    if (name === 'AbortError' || name === 'TimeoutError') return 'timeout';
    if (e instanceof NotGitHubApiError) return String(e.status);
  }
  if (error instanceof RequestError && error.response) return String(error.status);
  return 'unreachable';
}
