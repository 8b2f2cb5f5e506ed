/**
 * The Authorization header for a set of credentials. Tokens are used as given; GitHub App
 * installations exchange a JWT (signed with the App's private key) for an installation
 * token. One @octokit/auth-app instance per installation does that and caches the token
 * (concurrent requests share one exchange); its cache store here only adds the service's
 * clock and a refresh margin before `expires_at`. Nothing depends on the cache: losing it
 * costs one token request.
 */
import { createHash } from 'node:crypto';
import { createAppAuth } from '@octokit/auth-app';
import type { request as octokitRequest } from '@octokit/request';
import { RequestError } from '@octokit/request-error';
import { LRUCache } from 'lru-cache';
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

interface Installation {
  auth: ReturnType<typeof createAppAuth>;
  /** auth-app's token cache for this installation (its store: `token|createdAt|expiresAt|…`). */
  tokens: Map<string, string>;
}

const DEFAULT_REFRESH_MARGIN_MS = 5 * 60_000;
/** Distinct App installations served by one replica; beyond this the least recently used goes. */
const MAX_ENTRIES = 1000;

export class InstallationTokens {
  private readonly installations = new LRUCache<string, Installation>({ max: MAX_ENTRIES });
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
    const installation = this.installation(credentials, baseUrl);
    try {
      // The exchange is shared by concurrent callers, so one caller's deadline does not abort it: each stops waiting at its own.
      const result = await untilAborted(installation.auth({ type: 'installation' }), signal);
      return result.token;
    } catch (error) {
      throw tokenError(error, credentials);
    }
  }

  /** After GitHub rejected a cached token (the App was reinstalled, the token revoked). */
  forget(credentials: GitHubCredentials, baseUrl: string): void {
    if (credentials.type === 'app') this.installations.get(installationKey(credentials, baseUrl))?.tokens.clear();
  }

  private installation(credentials: AppCredentials, baseUrl: string): Installation {
    const key = installationKey(credentials, baseUrl);
    const existing = this.installations.get(key);
    if (existing) return existing;
    const tokens = new Map<string, string>();
    const margin = this.options.refreshMarginMs ?? DEFAULT_REFRESH_MARGIN_MS;
    const onRequest = this.options.onRequest;
    const installation: Installation = {
      tokens,
      auth: createAppAuth({
        appId: credentials.appId,
        privateKey: credentials.privateKey,
        installationId: credentials.installationId,
        cache: {
          get: (cacheKey: string) => {
            const value = tokens.get(cacheKey);
            const expiresAtMs = value === undefined ? Number.NaN : Date.parse(value.split('|')[2] ?? '');
            // auth-app's store returns a string; an empty one is its miss.
            return value !== undefined && expiresAtMs - margin > this.now() ? value : '';
          },
          set: (cacheKey: string, value: string) => {
            tokens.clear();
            tokens.set(cacheKey, value);
          },
        },
        request: this.options.request.defaults({
          baseUrl,
          request: {
            hook: async (send: typeof octokitRequest, options: Parameters<typeof octokitRequest>[0]) => {
              const started = performance.now();
              try {
                const response = await send(options);
                onRequest?.({ status: String(response.status), durationMs: performance.now() - started });
                return response;
              } catch (error) {
                if (error instanceof RequestError || isAbort(error)) onRequest?.({ status: requestStatus(error), durationMs: performance.now() - started });
                throw error;
              }
            },
          },
        }),
      }),
    };
    this.installations.set(key, installation);
    return installation;
  }
}

/** `promise`, or the signal's reason once it aborts first. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
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
