/**
 * The Authorization header for a set of credentials. Tokens are used as given; GitHub App
 * installations exchange a JWT (signed with the App's private key) for an installation
 * token. @octokit/auth-app only signs the JWT here: its own installation-token exchange
 * shares in-flight exchanges across all instances by installation id alone
 * (getInstallationAuthenticationConcurrently and its module-level pendingPromises in
 * @octokit/auth-app dist-node/index.js), so one tenant's Secret naming another's
 * installation id would receive that tenant's token, or hand it a fake one. The exchange,
 * its sharing and its cache are therefore keyed by the whole installation: API URL, App
 * id, installation id and a digest of the private key. Nothing depends on the cache:
 * losing it costs one token request.
 */
import { createHash } from 'node:crypto';
import { createAppAuth } from '@octokit/auth-app';
import type { request as octokitRequest } from '@octokit/request';
import { RequestError } from '@octokit/request-error';
import { LRUCache } from 'lru-cache';
import type { AppCredentials, GitHubCredentials } from '../core/credentials.js';
import { foreignMessage } from '../core/sanitise.js';
import { GitHubOperationError } from './errors.js';
import { requestStatus } from './request-status.js';

export interface InstallationTokensOptions {
  /** Sends the token request; already carries `fetch` and the user agent. */
  request: typeof octokitRequest;
  /** Upper bound for one token exchange (it is shared, so no caller's deadline ends it). */
  timeoutMs: number;
  now?: () => number;
  /** Refresh this long before `expires_at` (default 5 minutes). */
  refreshMarginMs?: number;
  /** Observes each token request (metrics). */
  onRequest?: (outcome: { status: string; durationMs: number }) => void;
}

interface InstallationToken {
  token: string;
  expiresAtMs: number;
}

const DEFAULT_REFRESH_MARGIN_MS = 5 * 60_000;
/** Distinct App installations served by one replica; beyond this the least recently used goes. */
const MAX_ENTRIES = 1000;
/** What GitHub issues (ghs_…); anything else from an API host is not sent back as a header. */
const TOKEN_SHAPE = /^[\x21-\x7e]{1,512}$/;

export class InstallationTokens {
  private readonly tokens = new LRUCache<string, InstallationToken>({ max: MAX_ENTRIES });
  /** Exchanges in flight, shared only by callers with the same installation key. */
  private readonly exchanges = new LRUCache<string, Promise<InstallationToken>>({ max: MAX_ENTRIES });
  /** JWT signers by App and key; they hold no token. */
  private readonly signers = new LRUCache<string, ReturnType<typeof createAppAuth>>({ max: MAX_ENTRIES });
  private readonly now: () => number;
  private readonly margin: number;

  constructor(private readonly options: InstallationTokensOptions) {
    this.now = options.now ?? Date.now;
    this.margin = options.refreshMarginMs ?? DEFAULT_REFRESH_MARGIN_MS;
  }

  /** The header value for `credentials` against REST base `baseUrl`. */
  async authorization(credentials: GitHubCredentials, baseUrl: string, signal: AbortSignal): Promise<string> {
    if (credentials.type === 'token') return `token ${credentials.token}`;
    return `token ${await this.token(credentials, baseUrl, signal)}`;
  }

  async token(credentials: AppCredentials, baseUrl: string, signal: AbortSignal): Promise<string> {
    const key = installationKey(credentials, baseUrl);
    const cached = this.tokens.get(key);
    if (cached && cached.expiresAtMs - this.margin > this.now()) return cached.token;
    let exchange = this.exchanges.get(key);
    if (!exchange) {
      exchange = this.exchange(credentials, baseUrl).then(
        (token) => {
          this.tokens.set(key, token);
          return token;
        },
        (error: unknown) => {
          throw tokenError(error, credentials);
        },
      );
      const shared = exchange;
      void shared
        .finally(() => {
          if (this.exchanges.get(key) === shared) this.exchanges.delete(key);
        })
        .catch(() => undefined);
      this.exchanges.set(key, shared);
    }
    // The exchange is shared by concurrent callers, so one caller's deadline does not abort it: each stops waiting at its own.
    return (await untilAborted(exchange, signal)).token;
  }

  /** After GitHub rejected a cached token (the App was reinstalled, the token revoked). */
  forget(credentials: GitHubCredentials, baseUrl: string): void {
    if (credentials.type === 'app') this.tokens.delete(installationKey(credentials, baseUrl));
  }

  private async exchange(credentials: AppCredentials, baseUrl: string): Promise<InstallationToken> {
    const { token: jwt } = await this.signer(credentials)({ type: 'app' });
    const started = performance.now();
    const observe = (status: string) => this.options.onRequest?.({ status, durationMs: performance.now() - started });
    let response;
    try {
      response = await this.options.request({
        method: 'POST',
        url: '/app/installations/{installation_id}/access_tokens',
        baseUrl,
        // A string: installation ids may exceed 2^53.
        installation_id: credentials.installationId,
        headers: { authorization: `bearer ${jwt}` },
        request: { signal: AbortSignal.timeout(this.options.timeoutMs) },
      });
    } catch (error) {
      if (error instanceof RequestError || isAbort(error)) observe(requestStatus(error));
      throw error;
    }
    observe(String(response.status));
    const data = response.data as { token?: unknown; expires_at?: unknown };
    const expiresAtMs = typeof data.expires_at === 'string' ? Date.parse(data.expires_at) : Number.NaN;
    if (typeof data.token !== 'string' || !TOKEN_SHAPE.test(data.token) || !Number.isFinite(expiresAtMs)) {
      throw new GitHubOperationError({
        reason: 'GitHubAppAuthFailed',
        message: `${appName(credentials)} could not get an installation token (${response.status} without a token and its expiry)`,
        transient: true,
      });
    }
    return { token: data.token, expiresAtMs };
  }

  private signer(credentials: AppCredentials): ReturnType<typeof createAppAuth> {
    const key = `${credentials.appId}|${keyDigest(credentials.privateKey)}`;
    let signer = this.signers.get(key);
    if (!signer) {
      signer = createAppAuth({ appId: credentials.appId, privateKey: credentials.privateKey });
      this.signers.set(key, signer);
    }
    return signer;
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
  return `${baseUrl}|${credentials.appId}|${credentials.installationId}|${keyDigest(credentials.privateKey)}`;
}

function keyDigest(privateKey: string): string {
  return createHash('sha256').update(privateKey).digest('hex');
}

function appName(credentials: AppCredentials): string {
  return `GitHub App ${credentials.appId} (installation ${credentials.installationId})`;
}

/**
 * GitHub's refusals become one reason with a precise message; transport failures and
 * 5xx stay as they are so that they classify like any other GitHub request.
 */
function tokenError(error: unknown, credentials: AppCredentials): unknown {
  if (error instanceof GitHubOperationError) return error;
  const app = appName(credentials);
  if (error instanceof RequestError && error.response && error.status >= 400 && error.status < 500 && error.status !== 429) {
    const data = error.response.data as { message?: unknown } | undefined;
    const text = foreignMessage(data?.message);
    const message = text ? `: ${text}` : '';
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
