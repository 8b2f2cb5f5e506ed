/**
 * The Authorization header for a set of credentials. Tokens are used as given; GitHub App
 * installations exchange a JWT (signed with the App's private key, via @octokit/auth-app)
 * for an installation token, cached until shortly before it expires. Nothing depends on
 * the cache: losing it costs one token request.
 */
import { createHash } from 'node:crypto';
import { createAppAuth } from '@octokit/auth-app';
import type { request as octokitRequest } from '@octokit/request';
import { RequestError } from '@octokit/request-error';
import type { AppCredentials, GitHubCredentials } from '../core/credentials.js';
import { GitHubOperationError } from './errors.js';
import { requestStatus } from './request-status.js';

export interface InstallationTokensOptions {
  /** Sends the token request; already carries `fetch` and the user agent. */
  request: typeof octokitRequest;
  now?: () => number;
  /** Refresh this long before `expires_at` (default 5 minutes). */
  refreshMarginMs?: number;
  /** Observes each token request (metrics). */
  onRequest?: (outcome: { status: string; durationMs: number }) => void;
}

interface CachedToken {
  token: string;
  expiresAtMs: number;
}

const DEFAULT_REFRESH_MARGIN_MS = 5 * 60_000;
/** Distinct App installations served by one replica; beyond this the oldest entry goes. */
const MAX_ENTRIES = 1000;

export class InstallationTokens {
  private readonly cache = new Map<string, CachedToken>();
  private readonly pending = new Map<string, Promise<string>>();
  private readonly now: () => number;

  constructor(private readonly options: InstallationTokensOptions) {
    this.now = options.now ?? Date.now;
  }

  /** The header value for `credentials` against REST base `baseUrl`. */
  async authorization(credentials: GitHubCredentials, baseUrl: string, signal: AbortSignal): Promise<string> {
    if (credentials.type === 'token') return `token ${credentials.token}`;
    return `token ${await this.token(credentials, baseUrl, signal)}`;
  }

  async token(credentials: AppCredentials, baseUrl: string, signal: AbortSignal): Promise<string> {
    const key = installationKey(credentials, baseUrl);
    const cached = this.cache.get(key);
    const margin = this.options.refreshMarginMs ?? DEFAULT_REFRESH_MARGIN_MS;
    if (cached && cached.expiresAtMs - margin > this.now()) return cached.token;
    let pending = this.pending.get(key);
    if (!pending) {
      pending = this.fetchToken(key, credentials, baseUrl, signal).finally(() => this.pending.delete(key));
      this.pending.set(key, pending);
    }
    return pending;
  }

  /** After GitHub rejected a cached token (the App was reinstalled, the token revoked). */
  forget(credentials: GitHubCredentials, baseUrl: string): void {
    if (credentials.type === 'app') this.cache.delete(installationKey(credentials, baseUrl));
  }

  private async fetchToken(key: string, credentials: AppCredentials, baseUrl: string, signal: AbortSignal): Promise<string> {
    const auth = createAppAuth({
      appId: credentials.appId,
      privateKey: credentials.privateKey,
      installationId: credentials.installationId,
      request: this.options.request.defaults({ baseUrl, request: { signal } }),
    });
    const started = performance.now();
    const observe = (status: string) => this.options.onRequest?.({ status, durationMs: performance.now() - started });
    try {
      const result = await auth({ type: 'installation', refresh: true });
      observe('201');
      this.remember(key, { token: result.token, expiresAtMs: Date.parse(result.expiresAt) });
      return result.token;
    } catch (error) {
      const unsigned = !(error instanceof RequestError) && !isAbort(error);
      if (!unsigned) observe(requestStatus(error)); // a key that cannot sign never reaches GitHub
      throw tokenError(error, credentials);
    }
  }

  private remember(key: string, token: CachedToken): void {
    this.cache.delete(key);
    if (this.cache.size >= MAX_ENTRIES) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(key, token);
  }
}

/** Never the key itself: a digest identifies it. */
function installationKey(credentials: AppCredentials, baseUrl: string): string {
  const keyId = createHash('sha256').update(credentials.privateKey).digest('hex').slice(0, 16);
  return `${baseUrl}|${credentials.appId}|${credentials.installationId}|${keyId}`;
}

/**
 * GitHub's refusals become one reason with a precise message; transport failures and
 * 5xx stay as they are so that they classify like any other GitHub request.
 */
function tokenError(error: unknown, credentials: AppCredentials): unknown {
  const app = `GitHub App ${credentials.appId} (installation ${credentials.installationId})`;
  if (error instanceof RequestError && error.response && error.status >= 400 && error.status < 500 && error.status !== 429) {
    const data = error.response.data as { message?: unknown } | undefined;
    const message = typeof data?.message === 'string' ? `: ${data.message.slice(0, 200)}` : '';
    const hint =
      error.status === 404
        ? '; check installationId and that the App is installed on the repository owner'
        : error.status === 401
          ? '; check appId and privateKey'
          : '';
    return new GitHubOperationError({
      reason: 'GitHubAppAuthFailed',
      message: `${app} could not get an installation token (${error.status}${message})${hint}`,
      transient: false,
    });
  }
  if (!(error instanceof RequestError) && !isAbort(error)) {
    // universal-github-app-jwt rejects keys it cannot sign with; its message never holds the key.
    return new GitHubOperationError({
      reason: 'GitHubAppAuthFailed',
      message: `${app} could not sign its JWT: the privateKey is not a usable RSA private key`,
      transient: false,
    });
  }
  return error;
}

function isAbort(error: unknown): boolean {
  const name = (error as { name?: string } | undefined)?.name;
  return name === 'AbortError' || name === 'TimeoutError';
}
