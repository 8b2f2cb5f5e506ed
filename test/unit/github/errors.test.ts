import { GraphqlResponseError } from '@octokit/graphql';
import { RequestError } from '@octokit/request-error';
import {
  classifyGitHubError,
  GitHubOperationError,
  isNotGitHubApi,
  isUnanswered,
  NotGitHubApiError,
  scrub,
  waitFromHeaders,
} from '../../../src/github/errors.js';

const NOW_MS = Date.parse('2026-11-26T12:00:00Z');
const ctx = { operation: 'reading deployments', repository: 'my-org/my-repo', nowMs: NOW_MS, secrets: ['ghp_secretToken123'] };
const request = { method: 'POST' as const, url: 'https://api.github.com/graphql', headers: {} };

function httpError(status: number, headers: Record<string, string> = {}, message = 'Oops'): RequestError {
  return new RequestError(message, status, { request, response: { status, url: request.url, headers, data: { message } } });
}

function graphqlError(errors: { type?: string; message: string }[], headers: Record<string, string> = {}) {
  return new GraphqlResponseError(request, headers, { data: null, errors } as never);
}

describe('classifyGitHubError', () => {
  test.each([
    [
      httpError(401, {}, 'Bad credentials'),
      { reason: 'GitHubUnauthorized', message: 'GitHub rejected the token (401 Bad credentials) during reading deployments', transient: false },
    ],
    [
      httpError(403, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(NOW_MS / 1000 + 90) }),
      { reason: 'GitHubRateLimited', message: 'GitHub rate limit exceeded (403) during reading deployments', transient: true, retryAfterSeconds: 90 },
    ],
    [
      httpError(429, { 'retry-after': '30' }),
      { reason: 'GitHubRateLimited', message: 'GitHub rate limit exceeded (429) during reading deployments', transient: true, retryAfterSeconds: 30 },
    ],
    [
      httpError(403, {}, 'Resource not accessible by integration'),
      {
        reason: 'GitHubForbidden',
        message: 'GitHub refused reading deployments (403 Resource not accessible by integration); the token needs deployments write access to my-org/my-repo',
        transient: false,
      },
    ],
    [
      httpError(404, {}, 'Not Found'),
      { reason: 'RepositoryNotFound', message: 'Repository my-org/my-repo was not found or the token cannot read it', transient: false },
    ],
    [
      httpError(422, {}, 'No ref found for: abc'),
      { reason: 'RevisionNotFound', message: 'No ref found for: abc in my-org/my-repo: the revision was never pushed there', transient: false },
    ],
    [httpError(409, {}, 'Conflict'), { reason: 'GitHubRejected', message: 'GitHub rejected reading deployments (409 Conflict)', transient: false }],
    [httpError(503), { reason: 'GitHubUnavailable', message: 'GitHub answered 503 during reading deployments', transient: true }],
    [
      graphqlError([{ type: 'RATE_LIMITED', message: 'API rate limit exceeded' }], {
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': String(NOW_MS / 1000 + 600),
      }),
      { reason: 'GitHubRateLimited', message: 'GitHub GraphQL rate limit exceeded during reading deployments', transient: true, retryAfterSeconds: 600 },
    ],
    [
      graphqlError([{ type: 'RATE_LIMIT', message: 'API rate limit already exceeded' }]),
      { reason: 'GitHubRateLimited', message: 'GitHub GraphQL rate limit exceeded during reading deployments', transient: true, retryAfterSeconds: 60 },
    ],
    [
      graphqlError([{ type: 'NOT_FOUND', message: "Could not resolve to a Repository with the name 'my-org/my-repo'." }]),
      { reason: 'RepositoryNotFound', message: 'Repository my-org/my-repo was not found or the token cannot read it', transient: false },
    ],
    [
      Object.assign(new Error('This operation was aborted'), { name: 'AbortError' }),
      { reason: 'GitHubTimeout', message: 'GitHub did not answer in time during reading deployments', transient: true },
    ],
    [new TypeError('fetch failed'), { reason: 'GitHubUnreachable', message: 'GitHub could not be reached during reading deployments', transient: true }],
  ])('%s', (error, expected) => {
    expect(classifyGitHubError(error, ctx)).toEqual(expected);
  });

  test('a token that somehow reaches a message is scrubbed', () => {
    const problem = classifyGitHubError(graphqlError([{ message: 'bad credentials ghp_secretToken123' }]), ctx);
    expect(problem.message).toBe('GitHub GraphQL returned errors during reading deployments: bad credentials [REDACTED]');
  });
});

describe('answers that are not GitHub API answers, and connections that fail', () => {
  /** As @octokit/request wraps a failure of its fetch: a RequestError 500 without a response. */
  const fetchFailure = (url: string, cause: Error) =>
    Object.assign(new RequestError(cause.message, 500, { request: { method: 'POST', url, headers: {} } }), { cause });

  test('a web page (no GitHub headers, HTML) is NotGitHubApi with host, status and content type; a proxy 5xx page is transient', () => {
    const page = new NotGitHubApiError('https://intranet.example.com/api/graphql', 404, 'text/html');
    expect(classifyGitHubError(fetchFailure(page.url, page), ctx)).toEqual({
      reason: 'NotGitHubApi',
      message:
        "intranet.example.com answered 404 text/html during reading deployments, not as GitHub's API does (https://intranet.example.com/api/graphql): check GITHUB_API_URL or the Secret's apiUrl (GitHub Enterprise Server: https://HOST/api/v3)",
      transient: false,
    });
    const gateway = new NotGitHubApiError('https://ghe.example.com/api/graphql', 502, 'text/html');
    expect(classifyGitHubError(fetchFailure(gateway.url, gateway), ctx)).toMatchObject({ reason: 'NotGitHubApi', transient: true });
  });

  test.each([
    ['ENOTFOUND', 'GitHub at ghe.example.com could not be reached during reading deployments (ENOTFOUND: the host name does not resolve)'],
    ['ECONNREFUSED', 'GitHub at ghe.example.com could not be reached during reading deployments (ECONNREFUSED: nothing listens there)'],
    ['ECONNRESET', 'GitHub at ghe.example.com could not be reached during reading deployments (ECONNRESET)'],
  ])('a failed connection (%s) names the host and the cause', (code, message) => {
    const cause = Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error(`getaddrinfo ${code}`), { code }) });
    expect(classifyGitHubError(fetchFailure('https://ghe.example.com/api/graphql', cause), ctx)).toEqual({
      reason: 'GitHubUnreachable',
      message,
      transient: true,
    });
  });

  test.each([
    [404, { 'content-type': 'text/html' }, true],
    [200, { 'content-type': 'text/html; charset=utf-8' }, true],
    [200, {}, true],
    [404, { 'content-type': 'application/json; charset=utf-8' }, false],
    [502, { 'content-type': 'text/html', 'x-github-request-id': 'C0DE:1234' }, false],
    [403, { 'content-type': 'text/plain', 'x-ratelimit-limit': '5000' }, false],
    [204, {}, false],
  ])('isNotGitHubApi(%i, %j) = %s', (status, headers, expected) => {
    expect(isNotGitHubApi(status, new Headers(headers))).toBe(expected);
  });
});

describe('waitFromHeaders', () => {
  test('retry-after seconds and HTTP date, reset epoch, clamped to [1, 3600]', () => {
    expect(waitFromHeaders({ 'retry-after': '12' }, NOW_MS)).toBe(12);
    expect(waitFromHeaders({ 'retry-after': 'Thu, 26 Nov 2026 12:02:00 GMT' }, NOW_MS)).toBe(120);
    expect(waitFromHeaders({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(NOW_MS / 1000 - 5) }, NOW_MS)).toBe(1);
    expect(waitFromHeaders({ 'retry-after': '86400' }, NOW_MS)).toBe(3600);
    expect(waitFromHeaders({ 'x-ratelimit-remaining': '10', 'x-ratelimit-reset': '1' }, NOW_MS)).toBeUndefined();
  });

  test('scrub ignores secrets too short to be tokens', () => {
    expect(scrub('abc token-xyz abc', ['abc', 'token-xyz'])).toBe('abc [REDACTED] abc');
  });
});

describe('refusals, secondary limits and unanswered requests', () => {
  test.each([
    [
      graphqlError([{ type: 'UNPROCESSABLE', message: 'Description description is too long (maximum is 140 characters)' }]),
      {
        reason: 'GitHubRejected',
        message: 'GitHub rejected reading deployments: Description description is too long (maximum is 140 characters)',
        transient: false,
      },
    ],
    [
      graphqlError([{ type: 'FORBIDDEN', message: 'Resource not accessible by integration' }]),
      {
        reason: 'GitHubForbidden',
        message: 'GitHub refused reading deployments (Resource not accessible by integration); the token needs deployments write access to my-org/my-repo',
        transient: false,
      },
    ],
    [
      httpError(403, { 'x-ratelimit-remaining': '4000' }, 'You have exceeded a secondary rate limit.'),
      { reason: 'GitHubRateLimited', message: 'GitHub rate limit exceeded (403) during reading deployments', transient: true, retryAfterSeconds: 60 },
    ],
  ])('%s', (error, expected) => {
    expect(classifyGitHubError(error, ctx)).toEqual(expected);
  });

  test('a 422 Validation Failed names its field errors', () => {
    const error = new RequestError('Validation Failed', 422, {
      request,
      response: {
        status: 422,
        url: request.url,
        headers: {},
        data: { message: 'Validation Failed', errors: [{ field: 'description', message: 'description is too long (maximum is 140 characters)' }] },
      },
    });
    expect(classifyGitHubError(error, ctx)).toEqual({
      reason: 'GitHubRejected',
      message: 'GitHub rejected reading deployments (422 Validation Failed: description is too long (maximum is 140 characters))',
      transient: false,
    });
  });

  test('our own errors are scrubbed too', () => {
    const error = new GitHubOperationError({ reason: 'DeploymentNotCreated', message: 'GitHub answered 202: merged ghp_secretToken123', transient: false });
    expect(classifyGitHubError(error, ctx).message).toBe('GitHub answered 202: merged [REDACTED]');
  });

  test('unanswered: timeouts and lost connections, not answers', () => {
    expect(isUnanswered(Object.assign(new Error('aborted'), { name: 'AbortError' }))).toBe(true);
    expect(isUnanswered(new RequestError('fetch failed', 500, { request }))).toBe(true);
    expect(isUnanswered(new TypeError('fetch failed'))).toBe(true);
    expect(isUnanswered(httpError(503))).toBe(false);
    expect(isUnanswered(graphqlError([{ message: 'x' }]))).toBe(false);
    expect(isUnanswered(new GitHubOperationError({ reason: 'GitHubTimeout', message: 'late', transient: true }))).toBe(true);
    expect(isUnanswered(new GitHubOperationError({ reason: 'DeploymentNotCreated', message: '202', transient: false }))).toBe(false);
  });
});

describe('GraphQL NOT_FOUND by its path (issue 18)', () => {
  const notFound = (path?: (string | number)[]) =>
    new GraphqlResponseError(request, {}, { data: null, errors: [{ type: 'NOT_FOUND', message: 'Could not resolve', ...(path ? { path } : {}) }] } as never);
  const repositoryMissing = { reason: 'RepositoryNotFound', message: 'Repository my-org/my-repo was not found or the token cannot read it', transient: false };
  const deploymentGone = {
    reason: 'DeploymentNotFound',
    message: 'A deployment was deleted on GitHub during reading deployments; the next sync reads the ledger again',
    transient: true,
  };

  test.each([
    ['a status lookup of a batched read (a deployment deleted mid-read)', ['r2s0'], deploymentGone],
    ['a status post to a deleted deployment', ['createDeploymentStatus'], deploymentGone],
    ['a node lookup', ['node'], deploymentGone],
    ['a repository of a batched read', ['r0'], repositoryMissing],
    ['a field inside a repository', ['r1', 'd0'], repositoryMissing],
    ['no path at all', undefined, repositoryMissing],
  ])('%s', (_name, path, expected) => {
    expect(classifyGitHubError(notFound(path), ctx)).toEqual(expected);
  });
});
