/**
 * Thin GitHub I/O: the ledger read (GraphQL), deployment creation (REST: GraphQL cannot
 * deploy a bare SHA) and status posts (GraphQL, by node id: REST would need the numeric
 * id, which GraphQL only offers as a 32-bit Int). All over one undici connection pool.
 */
import { createHash } from 'node:crypto';
import { graphql, GraphqlResponseError } from '@octokit/graphql';
import { request as octokitRequest } from '@octokit/request';
import { Agent, fetch as undiciFetch } from 'undici';
import { ApiUrlPolicy, graphqlUrlOf, parseApiUrl } from '../core/api-urls.js';
import { identityOf, type GitHubCredentials } from '../core/credentials.js';
import { foreignMessage } from '../core/sanitise.js';
import type { CreateDeploymentBody, StatusWrite } from '../core/plan.js';
import type { Ledger, LedgerStatus } from '../core/types.js';
import { InstallationTokens } from './auth.js';
import { GitHubOperationError, heldProblem, isNotGitHubApi, NotGitHubApiError, rateLimitWaitSeconds } from './errors.js';
import { pinErrors, type GraphQLErrorEntry, type PinnedErrors } from './batch-errors.js';
import { rateLimitResource } from './rate-limit-resource.js';
import { requestStatus } from './request-status.js';
import {
  buildBatchQuery,
  repositoryAlias,
  statusAlias,
  toStatus,
  type RawLedgerResponse,
  type RawRepository,
  type RawStatusPage,
  type RepositoryPart,
} from './ledger-query.js';
import { RateLimitHolds, type GraphQLBudget } from './budget.js';
import { LedgerRead } from './ledger-read.js';
import type { StatusWindow, StatusWindows } from './status-windows.js';

export interface GitHubClientOptions {
  /** REST base: https://api.github.com or https://HOST/api/v3 (GraphQL is derived). */
  apiUrl: string;
  /** Further REST bases a Secret's `apiUrl` may name (ALLOWED_GITHUB_API_URLS); nothing else is ever called. */
  allowedApiUrls?: readonly string[];
  /** Upper bound for any single request. */
  timeoutMs: number;
  userAgent?: string;
  connections?: number;
  /** Observes every request (metrics, logs, tests). */
  onRequest?: (event: GitHubRequestEvent) => void;
  /** Observes the rate-limit headers of every response. */
  onRateLimit?: (event: RateLimitEvent) => void;
  /** Clock of the installation-token cache and of rate-limit holds (tests). */
  now?: () => number;
  /** A token's hold begins: GitHub rate-limited it and nothing is sent with it until `untilMs`. */
  onHold?: (event: HoldEvent) => void;
}

export interface HoldEvent {
  /** The API host's base URL (never the credential). */
  apiUrl: string;
  operation: string;
  untilMs: number;
}

export interface GitHubRequestEvent {
  api: 'graphql' | 'rest';
  operation: string;
  ok: boolean;
  /** HTTP status, or `timeout` / `unreachable` when no answer came. */
  status: string;
  durationMs: number;
}

export interface RateLimitEvent {
  /** `core`, `graphql`, … as GitHub names the bucket; `other` for any name GitHub does not use. */
  resource: string;
  remaining: number;
}

/** GitHub Enterprise Server needs it for GraphQL deployment mutations; github.com ignores it. */
const DEPLOYMENT_MUTATION_MEDIA_TYPE = { previews: ['flash'] };

export interface ReadLedgerArgs {
  specName: string;
  /** Short names worth fetching in the first request (discovery adds the rest). */
  knownEnvironments: readonly string[];
  /**
   * Windows of an earlier read, used where a deployment's latest status still matches.
   * Without them the read is cold and selects every deployment's window inline.
   */
  statusWindows?: StatusWindows;
  /** Deployments the previous read found per environment: environments share a connection only while they fit one page. */
  deploymentCounts?: Readonly<Record<string, number>>;
  /** The oldest creation time the sync needs (core/read-horizon.ts); absent: all of history. */
  since?: string;
  deadline: number;
}

export interface ReadLedgerResult {
  ledger: Ledger;
  /** The windows of this read's deployments, for the next read. */
  statusWindows: Map<string, StatusWindow>;
  /** Deployments GitHub listed per environment, for the next read. */
  deploymentCounts: Record<string, number>;
  requests: number;
  /** Rate-limit points GitHub reported for the read's requests. */
  points: number;
  /** The token's GraphQL budget as the read's last request reported it. */
  budget?: GraphQLBudget;
}

export interface BatchPart {
  owner: string;
  repo: string;
  read: LedgerRead;
}

export interface BatchReadResult {
  requests: number;
  points: number;
  budget?: GraphQLBudget;
  /** By index into the parts: why that repository's read failed (the others completed). */
  failures: Map<number, Error>;
}

/** Repositories per query: each brings about three connections, so a full query costs about 3 points and stays far below GitHub's node limit. */
const MAX_REPOSITORIES_PER_QUERY = 100;

const POST_STATUS = `mutation PostDeploymentStatus($deploymentId: ID!, $state: DeploymentStatusState!, $description: String!, $environmentUrl: String!) {
  createDeploymentStatus(input: {deploymentId: $deploymentId, state: $state, description: $description, environmentUrl: $environmentUrl}) {
    deploymentStatus { state description environmentUrl createdAt }
  }
}`;

export class GitHubClient {
  private readonly agent: Agent;
  private readonly fetch: typeof globalThis.fetch;
  readonly tokens: InstallationTokens;
  /** The API bases Secrets may name: GITHUB_API_URL and ALLOWED_GITHUB_API_URLS. */
  readonly apiUrls: ApiUrlPolicy;
  private readonly defaultApiUrl: string;
  private readonly holds: RateLimitHolds;
  private readonly now: () => number;

  constructor(readonly options: GitHubClientOptions) {
    const parsed = parseApiUrl(options.apiUrl);
    if (!parsed.ok) throw new Error(`GitHub API URL ${parsed.problem}`);
    this.defaultApiUrl = parsed.url;
    this.apiUrls = new ApiUrlPolicy(parsed.url, options.allowedApiUrls);
    this.now = options.now ?? Date.now;
    this.holds = new RateLimitHolds(this.now);
    this.agent = new Agent({ connections: options.connections ?? 32, keepAliveTimeout: 30_000 });
    const agent = this.agent;
    const onRateLimit = options.onRateLimit;
    const apiUrls = this.apiUrls;
    this.fetch = (async (url: string, init: Record<string, unknown>) => {
      // The last line of defence: interpret already refused Secrets naming any other base.
      if (!apiUrls.covers(url)) {
        throw new GitHubOperationError({
          reason: 'ApiUrlNotAllowed',
          message: 'The request was refused: its URL is not under an allowed GitHub API URL',
          transient: false,
        });
      }
      const response = await undiciFetch(url, { ...(init as object), dispatcher: agent });
      if (isNotGitHubApi(response.status, response.headers)) {
        await response.body?.cancel();
        throw new NotGitHubApiError(withoutQuery(url), response.status, response.headers.get('content-type') ?? '');
      }
      const remaining = response.headers.get('x-ratelimit-remaining');
      if (onRateLimit && remaining !== null && /^\d+$/.test(remaining)) {
        onRateLimit({ resource: rateLimitResource(response.headers.get('x-ratelimit-resource')), remaining: Number(remaining) });
      }
      return response;
    }) as unknown as typeof globalThis.fetch;
    this.tokens = new InstallationTokens({
      request: octokitRequest.defaults({ headers: { 'user-agent': options.userAgent ?? 'environment-sync' }, request: { fetch: this.fetch } }),
      timeoutMs: options.timeoutMs,
      ...(options.now ? { now: options.now } : {}),
      onRequest: ({ status, durationMs }) =>
        options.onRequest?.({ api: 'rest', operation: 'CreateInstallationToken', ok: status === '201', status, durationMs }),
    });
  }

  /** REST base URL for these credentials: the Secret's `apiUrl` (GitHub Enterprise Server) or GITHUB_API_URL. */
  apiUrlFor(credentials: GitHubCredentials): string {
    return credentials.apiUrl ?? this.defaultApiUrl;
  }

  /** Whose budget and back-off a request shares: the credentials on their API (a hash, never the credential). */
  budgetKey(credentials: GitHubCredentials): string {
    return `${this.apiUrlFor(credentials)}|${createHash('sha256').update(identityOf(credentials)).digest('hex').slice(0, 16)}`;
  }

  /** Milliseconds until requests with these credentials may be sent again (0 when they are not held). */
  holdRemainingMs(credentials: GitHubCredentials): number {
    return this.holds.remainingMs(this.budgetKey(credentials));
  }

  /** Throws GitHubRateLimited, sending nothing, while the credentials are held. */
  checkHold(credentials: GitHubCredentials): void {
    const remaining = this.holdRemainingMs(credentials);
    if (remaining <= 0) return;
    const now = this.now();
    throw new GitHubOperationError(heldProblem(now + remaining, now));
  }

  /** Starts or extends the hold of the credentials when `error` is GitHub's rate limit. */
  noteRateLimit(credentials: GitHubCredentials, error: unknown, operation: string): void {
    const seconds = rateLimitWaitSeconds(error, this.now());
    if (seconds === undefined) return;
    if (this.holds.hold(this.budgetKey(credentials), seconds)) {
      this.options.onHold?.({ apiUrl: this.apiUrlFor(credentials), operation, untilMs: this.now() + seconds * 1000 });
    }
  }

  session(credentials: GitHubCredentials, owner: string, repo: string): GitHubSession {
    return new GitHubSession(this, credentials, owner, repo, this.fetch);
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}

export class GitHubSession {
  private readonly gql: typeof graphql;
  private readonly rest: typeof octokitRequest;

  private readonly baseUrl: string;

  constructor(
    private readonly client: GitHubClient,
    private readonly credentials: GitHubCredentials,
    readonly owner: string,
    readonly repo: string,
    fetch: typeof globalThis.fetch,
  ) {
    const headers = { 'user-agent': client.options.userAgent ?? 'environment-sync' };
    this.baseUrl = client.apiUrlFor(credentials);
    this.gql = graphql.defaults({ baseUrl: this.baseUrl, headers, request: { fetch } });
    this.rest = octokitRequest.defaults({ baseUrl: this.baseUrl, headers, request: { fetch } });
  }

  /** Per request: an App's installation token may have been refreshed meanwhile. */
  private async authorization(signal: AbortSignal): Promise<{ authorization: string }> {
    return { authorization: await this.client.tokens.authorization(this.credentials, this.baseUrl, signal) };
  }

  get repository(): string {
    return `${this.owner}/${this.repo}`;
  }

  private signal(deadline: number): AbortSignal {
    const remaining = deadline - Date.now();
    if (remaining <= 0) {
      throw new GitHubOperationError({ reason: 'GitHubTimeout', message: 'The sync ran out of time before GitHub answered', transient: true });
    }
    return AbortSignal.timeout(Math.min(this.client.options.timeoutMs, remaining));
  }

  private async observe<T>(api: 'graphql' | 'rest', operation: string, run: () => Promise<T>): Promise<T> {
    const started = performance.now();
    let status = api === 'graphql' ? '200' : 'unreachable';
    let ok = false;
    try {
      const result = await run();
      if (api === 'rest') status = String((result as { status?: number }).status ?? 200);
      ok = true;
      return result;
    } catch (error) {
      status = requestStatus(error);
      if (status === '401') this.client.tokens.forget(this.credentials, this.baseUrl);
      this.client.noteRateLimit(this.credentials, error, operation);
      throw error;
    } finally {
      this.client.options.onRequest?.({ api, operation, ok, status, durationMs: performance.now() - started });
    }
  }

  /**
   * A GraphQL query whose answer is parsed with JSON.parse. @octokit/graphql parses with
   * json-with-bigint, which keeps integers beyond 2^53 but is about 8× slower on a large
   * ledger; the ledger query selects no integers that large. Errors keep octokit's shapes.
   * An answer with errors throws unless `pin` places every one of them in a part of the query
   * (which then fails alone).
   */
  private async query<T>(
    query: string,
    variables: Record<string, unknown>,
    headers: Record<string, string>,
    signal: AbortSignal,
    pin: (errors: GraphQLErrorEntry[]) => PinnedErrors | undefined,
  ): Promise<{ data: T; pinned?: PinnedErrors; fail: (errors: GraphQLErrorEntry[]) => GraphqlResponseError<unknown> }> {
    const url = graphqlUrl(this.baseUrl);
    const response = await this.rest({ method: 'POST', url, query, variables, headers, request: { signal, parseSuccessResponseBody: false } });
    const chunks: Buffer[] = [];
    for await (const chunk of response.data as AsyncIterable<Uint8Array>) chunks.push(Buffer.from(chunk));
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { data?: T; errors?: GraphQLErrorEntry[] };
    const fail = (errors: GraphQLErrorEntry[]) =>
      new GraphqlResponseError({ method: 'POST', url, query, variables } as never, { ...response.headers }, { data: body.data, errors } as never);
    if (!body.errors) return { data: body.data as T, fail };
    const pinned = body.data ? pin(body.errors) : undefined;
    if (!pinned) throw fail(body.errors);
    return { data: body.data as T, pinned, fail };
  }

  async readLedger(args: ReadLedgerArgs): Promise<ReadLedgerResult> {
    const read = new LedgerRead({
      applications: [
        {
          specName: args.specName,
          knownEnvironments: args.knownEnvironments,
          ...(args.deploymentCounts ? { deploymentCounts: args.deploymentCounts } : {}),
          ...(args.since !== undefined ? { since: args.since } : {}),
        },
      ],
      ...(args.statusWindows ? { statusWindows: args.statusWindows } : {}),
    });
    const batch = await this.readLedgers([{ owner: this.owner, repo: this.repo, read }], args.deadline);
    const failure = batch.failures.get(0);
    if (failure !== undefined) throw failure;
    const { ledger, statusWindows, deploymentCounts } = read.results().get(args.specName)!;
    const result: ReadLedgerResult = { ledger, statusWindows, deploymentCounts, requests: batch.requests, points: batch.points };
    if (batch.budget) result.budget = batch.budget;
    return result;
  }

  /**
   * Runs several repositories' reads (on this session's credentials) in lockstep, each step of
   * all of them in one query. A repository that fails (not found, a partial answer) fails alone;
   * an error of the whole query throws.
   */
  async readLedgers(parts: readonly BatchPart[], deadline: number): Promise<BatchReadResult> {
    const result: BatchReadResult = { requests: 0, points: 0, failures: new Map() };
    for (;;) {
      const step: { index: number; part: RepositoryPart }[] = [];
      parts.forEach((p, index) => {
        if (result.failures.has(index)) return;
        const plan = p.read.next();
        if (plan) step.push({ index, part: { owner: p.owner, repo: p.repo, plan } });
      });
      if (step.length === 0) return result;
      for (let i = 0; i < step.length; i += MAX_REPOSITORIES_PER_QUERY) {
        const chunk = step.slice(i, i + MAX_REPOSITORIES_PER_QUERY);
        const { query, variables } = buildBatchQuery(chunk.map((c) => c.part));
        this.client.checkHold(this.credentials);
        const signal = this.signal(deadline);
        const headers = await this.authorization(signal);
        const statusPages = chunk.map((c) => c.part.plan.statusPages);
        const { data, pinned, fail } = await this.observe('graphql', 'ReadLedger', () =>
          this.query<RawLedgerResponse>(query, variables, headers, signal, (errors) => pinErrors(errors, statusPages)),
        );
        result.requests++;
        if (data.rateLimit) {
          result.points += data.rateLimit.cost;
          const resetAtMs = Date.parse(data.rateLimit.resetAt);
          if (Number.isFinite(resetAtMs)) result.budget = { limit: data.rateLimit.limit, remaining: data.rateLimit.remaining, resetAtMs };
        }
        chunk.forEach(({ index, part }, k) => {
          const failed = pinned?.failed.get(k);
          if (failed) {
            result.failures.set(index, fail(failed));
            return;
          }
          for (const id of pinned?.deleted.get(k) ?? []) parts[index]!.read.deleted(id);
          const statusNodes = part.plan.statusPages.map((_, j) => data[statusAlias(k, j)] as RawStatusPage | null | undefined);
          try {
            parts[index]!.read.absorb(part.plan, data[repositoryAlias(k)] as RawRepository | null | undefined, statusNodes, `${part.owner}/${part.repo}`);
          } catch (error) {
            result.failures.set(index, error instanceof Error ? error : new Error(String(error)));
          }
        });
      }
    }
  }

  async createDeployment(body: CreateDeploymentBody, deadline: number): Promise<{ nodeId: string; createdAt: string }> {
    this.client.checkHold(this.credentials);
    const signal = this.signal(deadline);
    const headers = await this.authorization(signal);
    const response = await this.observe('rest', 'CreateDeployment', () =>
      this.rest('POST /repos/{owner}/{repo}/deployments', { owner: this.owner, repo: this.repo, ...body, headers, request: { signal } }),
    );
    const data = response.data as { node_id?: string; created_at?: string; message?: string };
    if (response.status !== 201 || !data.node_id || !data.created_at) {
      throw new GitHubOperationError({
        reason: 'DeploymentNotCreated',
        message: `GitHub answered ${response.status} without creating a deployment${foreignMessage(data.message) ? `: ${foreignMessage(data.message)}` : ''}`,
        transient: false,
      });
    }
    return { nodeId: data.node_id, createdAt: data.created_at };
  }

  async postStatus(deploymentId: string, status: StatusWrite, deadline: number): Promise<LedgerStatus> {
    this.client.checkHold(this.credentials);
    const signal = this.signal(deadline);
    const headers = await this.authorization(signal);
    const data = await this.observe('graphql', 'PostDeploymentStatus', () =>
      this.gql<{
        createDeploymentStatus: {
          deploymentStatus: { state: string; description: string | null; environmentUrl: string | null; createdAt: string } | null;
        } | null;
      }>(POST_STATUS, {
        deploymentId,
        state: status.state.toUpperCase(),
        description: status.description,
        environmentUrl: status.environmentUrl,
        headers,
        mediaType: DEPLOYMENT_MUTATION_MEDIA_TYPE,
        request: { signal },
      }),
    );
    const created = data.createDeploymentStatus?.deploymentStatus;
    if (!created) {
      throw new GitHubOperationError({ reason: 'GitHubPartialResponse', message: 'GitHub did not return the created deployment status', transient: true });
    }
    return toStatus(created);
  }
}

function withoutQuery(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}

/** GraphQL endpoint of a REST base URL, as @octokit/graphql derives it (GHES: /api/v3 → /api/graphql). */
export const graphqlUrl = graphqlUrlOf;
