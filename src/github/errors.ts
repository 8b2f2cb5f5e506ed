/**
 * GitHub failures as condition reasons. Messages are ours (status + GitHub's own message),
 * never the raw error, and any occurrence of a token is scrubbed regardless.
 */
import { GraphqlResponseError } from '@octokit/graphql';
import { RequestError } from '@octokit/request-error';
import type { GitHubProblem } from '../core/problems.js';
import { foreignMessage } from '../core/sanitise.js';

export class GitHubOperationError extends Error {
  constructor(readonly problem: GitHubProblem) {
    super(problem.message);
    this.name = 'GitHubOperationError';
  }
}

/**
 * An answer that is not from GitHub's API: no GitHub headers and not JSON (typically an HTML
 * page from a web server or proxy at a wrong GITHUB_API_URL or Secret `apiUrl`). Raised before
 * octokit reads the body, which would otherwise make it a RepositoryNotFound (a 404) or a
 * parse failure (a 200).
 */
export class NotGitHubApiError extends Error {
  constructor(
    readonly url: string,
    readonly status: number,
    readonly contentType: string,
  ) {
    super(`${url} answered ${status} ${contentType || 'without a content type'}: not GitHub's API`);
    this.name = 'NotGitHubApiError';
  }
}

/** Headers GitHub's API sets on every answer, errors included. */
const GITHUB_HEADERS = ['x-github-request-id', 'x-github-media-type', 'x-ratelimit-limit', 'x-ratelimit-resource'];

/** Whether an answer (its status and headers) shows it is not from GitHub's API. */
export function isNotGitHubApi(status: number, headers: { get(name: string): string | null }): boolean {
  if (status === 204 || status === 304) return false;
  if (GITHUB_HEADERS.some((name) => headers.get(name) !== null)) return false;
  return !/\bjson\b/i.test(headers.get('content-type') ?? '');
}

export interface ClassifyContext {
  operation: string;
  repository: string;
  nowMs: number;
  secrets: readonly string[];
}

const DEFAULT_RATE_LIMIT_WAIT = 60;
const MAX_WAIT = 3600;

export function classifyGitHubError(error: unknown, ctx: ClassifyContext): GitHubProblem {
  // Our own errors may quote GitHub's answer too, so they are scrubbed like the rest.
  // octokit wraps what its fetch throws (our allow-list refusal) as the cause of a RequestError.
  const own = error instanceof GitHubOperationError ? error : (error as { cause?: unknown } | undefined)?.cause;
  const problem = own instanceof GitHubOperationError ? own.problem : classify(error, ctx);
  return { ...problem, message: scrub(problem.message, ctx.secrets) };
}

function classify(error: unknown, ctx: ClassifyContext): GitHubProblem {
  const { operation, repository } = ctx;
  const notGitHub = causeOf(error, NotGitHubApiError);
  if (notGitHub) return notGitHubApi(notGitHub, operation);
  if (error instanceof GraphqlResponseError) {
    const errors = (error.errors ?? []) as { type?: string; message?: string; path?: readonly (string | number)[] }[];
    const types = errors.map((e) => e.type ?? '');
    if (types.some((t) => t === 'RATE_LIMITED' || t === 'RATE_LIMIT')) {
      return {
        reason: 'GitHubRateLimited',
        message: `GitHub GraphQL rate limit exceeded during ${operation}`,
        transient: true,
        retryAfterSeconds: waitFromHeaders(error.headers, ctx.nowMs) ?? DEFAULT_RATE_LIMIT_WAIT,
      };
    }
    const notFound = errors.filter((e) => e.type === 'NOT_FOUND');
    // By the field that failed: a deployment looked up by id (a status lookup, a status post) that is gone is not a missing repository.
    if (notFound.length > 0) return notFound.every((e) => isDeploymentField(e.path)) ? deploymentNotFound(operation) : repositoryNotFound(repository);
    const first = foreignMessage(errors[0]?.message) || 'unknown error';
    // GitHub refused the input itself (e.g. a too-long description): retrying the same write cannot help.
    if (types.includes('UNPROCESSABLE')) {
      return { reason: 'GitHubRejected', message: `GitHub rejected ${operation}: ${messageFor(errors, 'UNPROCESSABLE')}`, transient: false };
    }
    if (types.includes('FORBIDDEN') || types.includes('INSUFFICIENT_SCOPES')) {
      return {
        reason: 'GitHubForbidden',
        message: `GitHub refused ${operation} (${messageFor(errors, 'FORBIDDEN', 'INSUFFICIENT_SCOPES')}); the token needs deployments write access to ${repository}`,
        transient: false,
      };
    }
    return { reason: 'GitHubPartialResponse', message: `GitHub GraphQL returned errors during ${operation}: ${first}`, transient: true };
  }
  if (isAbort(error)) {
    return { reason: 'GitHubTimeout', message: `GitHub did not answer in time during ${operation}`, transient: true };
  }
  if (error instanceof RequestError) {
    const status = error.status;
    const headers = (error.response?.headers ?? {}) as Record<string, string | number | undefined>;
    const githubMessage = messageOf(error.response?.data);
    if (status === 401)
      return {
        reason: 'GitHubUnauthorized',
        message: `GitHub rejected the token (401${githubMessage ? ` ${githubMessage}` : ''}) during ${operation}`,
        transient: false,
      };
    if (status === 403 || status === 429) {
      const wait = waitFromHeaders(headers, ctx.nowMs);
      // GitHub: a secondary limit without retry-after means waiting at least a minute.
      if (wait !== undefined || String(headers['x-ratelimit-remaining']) === '0' || /secondary rate limit/i.test(githubMessage)) {
        return {
          reason: 'GitHubRateLimited',
          message: `GitHub rate limit exceeded (${status}) during ${operation}`,
          transient: true,
          retryAfterSeconds: wait ?? DEFAULT_RATE_LIMIT_WAIT,
        };
      }
      return {
        reason: 'GitHubForbidden',
        message: `GitHub refused ${operation} (${status}${githubMessage ? ` ${githubMessage}` : ''}); the token needs deployments write access to ${repository}`,
        transient: false,
      };
    }
    if (status === 404) return repositoryNotFound(repository);
    if (status === 422 && /no ref found/i.test(githubMessage)) {
      return { reason: 'RevisionNotFound', message: `${githubMessage} in ${repository}: the revision was never pushed there`, transient: false };
    }
    if (status >= 400 && status < 500) {
      return { reason: 'GitHubRejected', message: `GitHub rejected ${operation} (${status}${githubMessage ? ` ${githubMessage}` : ''})`, transient: false };
    }
    if (error.response === undefined) return unreachable(error, operation);
    return { reason: 'GitHubUnavailable', message: `GitHub answered ${status} during ${operation}`, transient: true };
  }
  return unreachable(error, operation);
}

function notGitHubApi(error: NotGitHubApiError, operation: string): GitHubProblem {
  const { host } = new URL(error.url);
  return {
    reason: 'NotGitHubApi',
    message: `${host} answered ${error.status} ${error.contentType || 'without a content type'} during ${operation}, not as GitHub's API does (${error.url}): check GITHUB_API_URL or the Secret's apiUrl (GitHub Enterprise Server: https://HOST/api/v3)`,
    // A proxy's 5xx page may be passing; a wrong URL is not.
    transient: error.status >= 500,
  };
}

/** What the connection errors that point at a wrong API URL mean. */
const CONNECTION_HINTS: Record<string, string> = {
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'the host name does not resolve',
  ECONNREFUSED: 'nothing listens there',
};

/** The connection failed: which host, and why (refused, no such name, reset), from the request and its causes. */
function unreachable(error: unknown, operation: string): GitHubProblem {
  const url = error instanceof RequestError ? error.request?.url : undefined;
  let host = '';
  try {
    if (url) host = new URL(url).host;
  } catch {
    host = '';
  }
  let code: string | undefined;
  for (let e: unknown = error, depth = 0; e && depth < 5 && !code; e = (e as { cause?: unknown }).cause, depth++) {
    const c = (e as { code?: unknown }).code;
    if (typeof c === 'string' && /^E[A-Z_]+$/.test(c)) code = c;
  }
  const hint = code ? CONNECTION_HINTS[code] : undefined;
  const why = code ? ` (${hint ? `${code}: ${hint}` : code})` : '';
  return {
    reason: 'GitHubUnreachable',
    message: `GitHub${host ? ` at ${host}` : ''} could not be reached during ${operation}${why}`,
    transient: true,
  };
}

function causeOf<T>(error: unknown, type: abstract new (...args: never[]) => T): T | undefined {
  for (let e: unknown = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) if (e instanceof type) return e;
  return undefined;
}

/** Reasons that belong to one repository (missing, unreadable, refused), not to the token or to GitHub as a whole. */
const REPOSITORY_REASONS = new Set(['RepositoryNotFound', 'GitHubForbidden', 'GitHubRejected']);

/** Whether a failed batched read failed over one repository, so that reading the others alone can succeed. */
export function failsOneRepository(error: unknown): boolean {
  const { reason } = classifyGitHubError(error, { operation: '', repository: '', nowMs: 0, secrets: [] });
  return REPOSITORY_REASONS.has(reason);
}

/** Seconds GitHub asked to wait before any further request on the token, when `error` is a rate limit. */
export function rateLimitWaitSeconds(error: unknown, nowMs: number): number | undefined {
  if (error instanceof GitHubOperationError) return undefined; // ours, never GitHub's answer
  const problem = classify(error, { operation: '', repository: '', nowMs, secrets: [] });
  return problem.reason === 'GitHubRateLimited' ? problem.retryAfterSeconds : undefined;
}

/** A request not sent: GitHub rate-limited its token, which is held until `untilMs`. */
export function heldProblem(untilMs: number, nowMs: number): GitHubProblem {
  const until = Math.ceil(untilMs / 1000) * 1000;
  return {
    reason: 'GitHubRateLimited',
    message: `GitHub rate-limited this token: nothing is sent with it until ${new Date(until).toISOString().replace('.000Z', 'Z')}`,
    transient: true,
    retryAfterSeconds: clampWait((until - nowMs) / 1000),
  };
}

/** No answer came back (timeout, lost connection): GitHub may still perform the request. */
export function isUnanswered(error: unknown): boolean {
  if (error instanceof GitHubOperationError) return error.problem.reason === 'GitHubTimeout';
  if (error instanceof GraphqlResponseError) return false;
  if (isAbort(error)) return true;
  if (error instanceof RequestError) return error.response === undefined;
  return true;
}

/**
 * Fields that name a deployment by node id: a batched read's status lookups (`r<k>s<i>`,
 * ledger-query.ts) and the status mutation. A repository field (`r<k>`, `repository`) or no
 * path at all stays a repository problem.
 */
function isDeploymentField(path: readonly (string | number)[] | undefined): boolean {
  const field = path?.[0];
  return typeof field === 'string' && (/^r\d+s\d+$/.test(field) || field === 'createDeploymentStatus' || field === 'node');
}

function deploymentNotFound(operation: string): GitHubProblem {
  return {
    reason: 'DeploymentNotFound',
    message: `A deployment was deleted on GitHub during ${operation}; the next sync reads the ledger again`,
    transient: true,
  };
}

function repositoryNotFound(repository: string): GitHubProblem {
  return { reason: 'RepositoryNotFound', message: `Repository ${repository} was not found or the token cannot read it`, transient: false };
}

function isAbort(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const name = (e as { name?: string }).name;
    if (name === 'AbortError' || name === 'TimeoutError') return true;
  }
  return false;
}

/** GitHub's message, with the field errors of a 422 "Validation Failed" (which alone says nothing). */
function messageOf(data: unknown): string {
  if (!data || typeof data !== 'object') return '';
  const { message, errors } = data as { message?: unknown; errors?: unknown };
  if (typeof message !== 'string') return '';
  const details = Array.isArray(errors)
    ? errors
        .map((e) => (e && typeof e === 'object' && typeof (e as { message?: unknown }).message === 'string' ? (e as { message: string }).message : ''))
        .filter(Boolean)
    : [];
  return foreignMessage(details.length > 0 ? `${message}: ${details.join('; ')}` : message);
}

function messageFor(errors: readonly { type?: string; message?: string }[], ...types: string[]): string {
  return foreignMessage(errors.find((e) => types.includes(e.type ?? ''))?.message) || 'unknown error';
}

/** Seconds to wait from retry-after, else from the rate-limit reset (epoch seconds). */
export function waitFromHeaders(headers: Record<string, string | number | undefined> | undefined, nowMs: number): number | undefined {
  if (!headers) return undefined;
  const retryAfter = headers['retry-after'];
  if (retryAfter !== undefined && retryAfter !== '') {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds)) return clampWait(seconds);
    const date = Date.parse(String(retryAfter));
    if (Number.isFinite(date)) return clampWait((date - nowMs) / 1000);
  }
  if (String(headers['x-ratelimit-remaining']) === '0') {
    const reset = Number(headers['x-ratelimit-reset']);
    if (Number.isFinite(reset) && reset > 0) return clampWait(reset - nowMs / 1000);
  }
  return undefined;
}

function clampWait(seconds: number): number {
  return Math.min(Math.max(Math.ceil(seconds), 1), MAX_WAIT);
}

export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join('[REDACTED]');
  return out;
}
