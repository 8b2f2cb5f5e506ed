/**
 * Thin GitHub I/O: the ledger read (GraphQL), deployment creation (REST: GraphQL cannot
 * deploy a bare SHA) and status posts (GraphQL, by node id: REST would need the numeric
 * id, which GraphQL only offers as a 32-bit Int). All over one undici connection pool.
 */
import { graphql, GraphqlResponseError } from '@octokit/graphql';
import { request as octokitRequest } from '@octokit/request';
import { Agent, fetch as undiciFetch } from 'undici';
import { newestRecognisable } from '../core/bake-status.js';
import type { GitHubCredentials } from '../core/credentials.js';
import { belongsToApplication, deploymentTask, githubEnvironment, shortEnvironment } from '../core/naming.js';
import type { CreateDeploymentBody, StatusWrite } from '../core/plan.js';
import type { Ledger, LedgerDeployment, LedgerStatus } from '../core/types.js';
import { InstallationTokens } from './auth.js';
import { GitHubOperationError } from './errors.js';
import { requestStatus } from './request-status.js';
import {
  buildLedgerQuery,
  sortStatuses,
  toLedgerDeployment,
  toStatus,
  type DeploymentPageRequest,
  type RawDeployment,
  type RawDeploymentPage,
  type RawLedgerResponse,
  type RawStatusConnection,
  type RawStatusPage,
  type StatusPageRequest,
} from './ledger-query.js';
import type { GraphQLBudget } from './budget.js';
import { latestFingerprint, type StatusWindow, type StatusWindows } from './status-windows.js';

export interface GitHubClientOptions {
  /** REST base: https://api.github.com or https://HOST/api/v3 (GraphQL is derived). */
  apiUrl: string;
  /** Upper bound for any single request. */
  timeoutMs: number;
  userAgent?: string;
  connections?: number;
  /** Observes every request (metrics, logs, tests). */
  onRequest?: (event: GitHubRequestEvent) => void;
  /** Observes the rate-limit headers of every response. */
  onRateLimit?: (event: RateLimitEvent) => void;
  /** Clock of the installation-token cache (tests). */
  now?: () => number;
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
  /** `core`, `graphql`, … as GitHub names the bucket. */
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
  deadline: number;
}

export interface ReadLedgerResult {
  ledger: Ledger;
  /** The windows of this read's deployments, for the next read. */
  statusWindows: Map<string, StatusWindow>;
  requests: number;
  /** Rate-limit points GitHub reported for the read's requests. */
  points: number;
  /** The token's GraphQL budget as the read's last request reported it. */
  budget?: GraphQLBudget;
}

/** Aliased connections per request: 100 × 100 deployments, or 100 status windows, stay far below GitHub's node limit. */
const MAX_ALIASES = 100;

const POST_STATUS = `mutation PostDeploymentStatus($deploymentId: ID!, $state: DeploymentStatusState!, $description: String!, $environmentUrl: String!) {
  createDeploymentStatus(input: {deploymentId: $deploymentId, state: $state, description: $description, environmentUrl: $environmentUrl}) {
    deploymentStatus { state description environmentUrl createdAt }
  }
}`;

export class GitHubClient {
  private readonly agent: Agent;
  private readonly fetch: typeof globalThis.fetch;
  readonly tokens: InstallationTokens;

  constructor(readonly options: GitHubClientOptions) {
    this.agent = new Agent({ connections: options.connections ?? 32, keepAliveTimeout: 30_000 });
    const agent = this.agent;
    const onRateLimit = options.onRateLimit;
    this.fetch = (async (url: string, init: Record<string, unknown>) => {
      const response = await undiciFetch(url, { ...(init as object), dispatcher: agent });
      const remaining = response.headers.get('x-ratelimit-remaining');
      if (onRateLimit && remaining !== null && /^\d+$/.test(remaining)) {
        onRateLimit({ resource: response.headers.get('x-ratelimit-resource') ?? 'unknown', remaining: Number(remaining) });
      }
      return response;
    }) as unknown as typeof globalThis.fetch;
    this.tokens = new InstallationTokens({
      request: octokitRequest.defaults({ headers: { 'user-agent': options.userAgent ?? 'environment-sync' }, request: { fetch: this.fetch } }),
      ...(options.now ? { now: options.now } : {}),
      onRequest: ({ status, durationMs }) =>
        options.onRequest?.({ api: 'rest', operation: 'CreateInstallationToken', ok: status === '201', status, durationMs }),
    });
  }

  /** REST base URL for these credentials: the Secret's `apiUrl` (GitHub Enterprise Server) or GITHUB_API_URL. */
  apiUrlFor(credentials: GitHubCredentials): string {
    return (credentials.apiUrl ?? this.options.apiUrl).replace(/\/+$/, '');
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
      throw error;
    } finally {
      this.client.options.onRequest?.({ api, operation, ok, status, durationMs: performance.now() - started });
    }
  }

  /**
   * A GraphQL query whose answer is parsed with JSON.parse. @octokit/graphql parses with
   * json-with-bigint, which keeps integers beyond 2^53 but is about 8× slower on a large
   * ledger; the ledger query selects no integers that large. Errors keep octokit's shapes.
   */
  private async query<T>(query: string, variables: Record<string, unknown>, headers: Record<string, string>, signal: AbortSignal): Promise<T> {
    const url = graphqlUrl(this.baseUrl);
    const response = await this.rest({ method: 'POST', url, query, variables, headers, request: { signal, parseSuccessResponseBody: false } });
    const chunks: Buffer[] = [];
    for await (const chunk of response.data as AsyncIterable<Uint8Array>) chunks.push(Buffer.from(chunk));
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { data?: T; errors?: unknown[] };
    if (body.errors) throw new GraphqlResponseError({ method: 'POST', url, query, variables } as never, { ...response.headers }, body as never);
    return body.data as T;
  }

  async readLedger(args: ReadLedgerArgs): Promise<ReadLedgerResult> {
    const wanted = (env: string) => githubEnvironment(args.specName, env);
    const task = deploymentTask(args.specName);
    const queried = new Set<string>();
    const discovered = new Set<string>();
    let deploymentPages: DeploymentPageRequest[] = [];
    const enqueue = (githubEnv: string) => {
      if (queried.has(githubEnv)) return;
      queried.add(githubEnv);
      deploymentPages.push({ environment: githubEnv });
    };
    for (const env of [...args.knownEnvironments].sort()) enqueue(wanted(env));

    const seen = new Set<string>();
    const deployments = new Map<string, LedgerDeployment>();
    /** Latest-status fingerprint per deployment that has statuses. */
    const latest = new Map<string, string>();
    const awaitingWindow = new Map<string, { deployment: RawDeployment; environment: string }>();
    const keptWindows = args.statusWindows ?? new Map<string, StatusWindow>();
    // Cold: fetching windows by node id would add a request per 100 deployments to every
    // first read; inline they cost about a point per environment instead, once.
    const inlineWindows = args.statusWindows === undefined;
    let statusPages: StatusPageRequest[] = [];
    let listEnvironments = true;
    let environmentsAfter: string | undefined;
    let requests = 0;
    let points = 0;
    let budget: GraphQLBudget | undefined;
    /** Pages older statuses only when none of the window's is ours, as the window alone cannot decide. */
    const pageBeyondWindow = (id: string, statuses: readonly LedgerStatus[], window: RawStatusConnection) => {
      if (!newestRecognisable(statuses) && (window.totalCount ?? 0) > window.nodes.length && window.pageInfo.hasPreviousPage && window.pageInfo.startCursor) {
        statusPages.push({ deploymentId: id, before: window.pageInfo.startCursor });
      }
    };

    while (listEnvironments || deploymentPages.length > 0 || statusPages.length > 0) {
      const pages = deploymentPages.slice(0, MAX_ALIASES);
      deploymentPages = deploymentPages.slice(pages.length);
      const statusBatch = statusPages.slice(0, MAX_ALIASES);
      statusPages = statusPages.slice(statusBatch.length);
      const plan = { listEnvironments, deployments: pages, statusPages: statusBatch, inlineWindows, ...(environmentsAfter ? { environmentsAfter } : {}) };
      const { query, variables } = buildLedgerQuery(plan, this.owner, this.repo);
      const signal = this.signal(args.deadline);
      const headers = await this.authorization(signal);
      const data = await this.observe('graphql', 'ReadLedger', () => this.query<RawLedgerResponse>(query, variables, headers, signal));
      requests++;
      if (data.rateLimit) {
        points += data.rateLimit.cost;
        const resetAtMs = Date.parse(data.rateLimit.resetAt);
        if (Number.isFinite(resetAtMs)) budget = { limit: data.rateLimit.limit, remaining: data.rateLimit.remaining, resetAtMs };
      }
      const repository = data.repository;
      if (!repository) {
        throw new GitHubOperationError({
          reason: 'RepositoryNotFound',
          message: `Repository ${this.repository} was not found or the token cannot read it`,
          transient: false,
        });
      }

      if (listEnvironments) {
        const envs = repository.environments;
        const names = [...(envs?.nodes ?? []).map((n) => n.name), ...(repository.recent?.nodes ?? []).map((n) => n.environment ?? '')];
        for (const name of names) {
          if (!belongsToApplication(args.specName, name)) continue;
          discovered.add(name);
          enqueue(name);
        }
        listEnvironments = envs?.pageInfo.hasNextPage === true;
        environmentsAfter = envs?.pageInfo.endCursor ?? undefined;
      }

      pages.forEach((page, i) => {
        const connection = repository[`d${i}`] as RawDeploymentPage | null | undefined;
        if (!connection) return;
        for (const node of connection.nodes) {
          if (seen.has(node.id)) continue;
          seen.add(node.id);
          const decoded = toLedgerDeployment(node, page.environment, task);
          if (!decoded) continue;
          deployments.set(node.id, decoded);
          if (!node.latestStatus) continue; // no statuses at all
          const fingerprint = latestFingerprint(node.latestStatus);
          latest.set(node.id, fingerprint);
          const kept = keptWindows.get(node.id);
          if (kept?.latest === fingerprint) {
            deployments.set(node.id, { ...decoded, statuses: [...kept.statuses] });
          } else if (node.statuses) {
            pageBeyondWindow(node.id, decoded.statuses, node.statuses);
          } else {
            awaitingWindow.set(node.id, { deployment: node, environment: page.environment });
            statusPages.push({ deploymentId: node.id });
          }
        }
        if (connection.pageInfo.hasNextPage && connection.pageInfo.endCursor) {
          deploymentPages.push({ environment: page.environment, after: connection.pageInfo.endCursor });
        }
      });

      statusBatch.forEach((page, i) => {
        const node = data[`s${i}`] as RawStatusPage | null | undefined;
        const id = page.deploymentId;
        const deployment = deployments.get(id);
        if (!deployment) return;
        if (page.before === undefined) {
          const first = awaitingWindow.get(id);
          awaitingWindow.delete(id);
          if (!node?.statuses || !first) {
            // Deleted since the main read, or GitHub could not say: no decision on a deployment without its statuses.
            throw new GitHubOperationError({
              reason: 'GitHubPartialResponse',
              message: 'GitHub did not return the statuses of a deployment it had just listed',
              transient: true,
            });
          }
          const window = node.statuses;
          const decoded = toLedgerDeployment({ ...first.deployment, statuses: window }, first.environment, task)!;
          deployments.set(id, decoded);
          pageBeyondWindow(id, decoded.statuses, window);
          return;
        }
        if (!node?.statuses) return;
        const statuses: LedgerStatus[] = sortStatuses([...deployment.statuses, ...node.statuses.nodes.map(toStatus)]);
        deployments.set(id, { ...deployment, statuses });
        const more = node.statuses.pageInfo;
        if (!newestRecognisable(statuses) && more.hasPreviousPage && more.startCursor) {
          statusPages.push({ deploymentId: id, before: more.startCursor });
        }
      });
    }

    const ledgerDeployments = [...deployments.values()];
    const environments = new Set<string>([...discovered].map(shortEnvironment));
    for (const d of ledgerDeployments) environments.add(d.environment);
    const statusWindows = new Map<string, StatusWindow>();
    for (const d of ledgerDeployments) {
      const fingerprint = latest.get(d.nodeId);
      if (fingerprint !== undefined) statusWindows.set(d.nodeId, { latest: fingerprint, statuses: [...d.statuses] });
    }
    const result: ReadLedgerResult = {
      ledger: { environments: [...environments].sort(), deployments: ledgerDeployments },
      statusWindows,
      requests,
      points,
    };
    if (budget) result.budget = budget;
    return result;
  }

  async createDeployment(body: CreateDeploymentBody, deadline: number): Promise<{ nodeId: string; createdAt: string }> {
    const signal = this.signal(deadline);
    const headers = await this.authorization(signal);
    const response = await this.observe('rest', 'CreateDeployment', () =>
      this.rest('POST /repos/{owner}/{repo}/deployments', { owner: this.owner, repo: this.repo, ...body, headers, request: { signal } }),
    );
    const data = response.data as { node_id?: string; created_at?: string; message?: string };
    if (response.status !== 201 || !data.node_id || !data.created_at) {
      throw new GitHubOperationError({
        reason: 'DeploymentNotCreated',
        message: `GitHub answered ${response.status} without creating a deployment${data.message ? `: ${data.message.slice(0, 200)}` : ''}`,
        transient: false,
      });
    }
    return { nodeId: data.node_id, createdAt: data.created_at };
  }

  async postStatus(deploymentId: string, status: StatusWrite, deadline: number): Promise<LedgerStatus> {
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

/** GraphQL endpoint of a REST base URL, as @octokit/graphql derives it (GHES: /api/v3 → /api/graphql). */
export function graphqlUrl(restBaseUrl: string): string {
  return /\/api\/v3\/?$/.test(restBaseUrl) ? restBaseUrl.replace(/\/api\/v3\/?$/, '/api/graphql') : `${restBaseUrl.replace(/\/+$/, '')}/graphql`;
}
