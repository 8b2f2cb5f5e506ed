/**
 * Thin GitHub I/O: the ledger read (GraphQL), deployment creation (REST: GraphQL cannot
 * deploy a bare SHA) and status posts (GraphQL, by node id: REST would need the numeric
 * id, which GraphQL only offers as a 32-bit Int). All over one undici connection pool.
 */
import { graphql } from '@octokit/graphql';
import { request as octokitRequest } from '@octokit/request';
import { Agent, fetch as undiciFetch } from 'undici';
import { newestRecognisable } from '../core/bake-status.js';
import { belongsToApplication, githubEnvironment, shortEnvironment } from '../core/naming.js';
import type { CreateDeploymentBody, StatusWrite } from '../core/plan.js';
import type { Ledger, LedgerDeployment, LedgerStatus } from '../core/types.js';
import { GitHubOperationError } from './errors.js';
import {
  buildLedgerQuery,
  sortStatuses,
  toLedgerDeployment,
  toStatus,
  type DeploymentPageRequest,
  type RawDeployment,
  type RawDeploymentPage,
  type RawLedgerResponse,
  type RawStatusPage,
  type StatusPageRequest,
} from './ledger-query.js';

export interface GitHubClientOptions {
  /** REST base: https://api.github.com or https://HOST/api/v3 (GraphQL is derived). */
  apiUrl: string;
  /** Upper bound for any single request. */
  timeoutMs: number;
  userAgent?: string;
  connections?: number;
  /** Observes every request (metrics, logs, tests). */
  onRequest?: (event: GitHubRequestEvent) => void;
}

export interface GitHubRequestEvent {
  api: 'graphql' | 'rest';
  operation: string;
  ok: boolean;
  durationMs: number;
}

export interface ReadLedgerArgs {
  specName: string;
  /** Short names worth fetching in the first request (discovery adds the rest). */
  knownEnvironments: readonly string[];
  deadline: number;
}

export interface ReadLedgerResult {
  ledger: Ledger;
  requests: number;
  rateLimitRemaining?: number;
}

/** Aliased connections per request: 100 × (100 deployments × 11 statuses) stays far below GitHub's node limit. */
const MAX_ALIASES = 100;

const POST_STATUS = `mutation PostDeploymentStatus($deploymentId: ID!, $state: DeploymentStatusState!, $description: String!, $environmentUrl: String!) {
  createDeploymentStatus(input: {deploymentId: $deploymentId, state: $state, description: $description, environmentUrl: $environmentUrl}) {
    deploymentStatus { state description environmentUrl createdAt }
  }
}`;

export class GitHubClient {
  private readonly agent: Agent;
  private readonly fetch: typeof globalThis.fetch;

  constructor(readonly options: GitHubClientOptions) {
    this.agent = new Agent({ connections: options.connections ?? 32, keepAliveTimeout: 30_000 });
    const agent = this.agent;
    this.fetch = ((url: string, init: Record<string, unknown>) =>
      undiciFetch(url, { ...(init as object), dispatcher: agent } as Parameters<typeof undiciFetch>[1])) as unknown as typeof globalThis.fetch;
  }

  session(token: string, owner: string, repo: string): GitHubSession {
    return new GitHubSession(this, token, owner, repo, this.fetch);
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}

export class GitHubSession {
  private readonly gql: typeof graphql;
  private readonly rest: typeof octokitRequest;

  constructor(
    private readonly client: GitHubClient,
    token: string,
    readonly owner: string,
    readonly repo: string,
    fetch: typeof globalThis.fetch,
  ) {
    const headers = {
      authorization: `token ${token}`,
      'user-agent': client.options.userAgent ?? 'environment-sync',
    };
    const baseUrl = client.options.apiUrl.replace(/\/+$/, '');
    this.gql = graphql.defaults({ baseUrl, headers, request: { fetch } });
    this.rest = octokitRequest.defaults({ baseUrl, headers, request: { fetch } });
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
    let ok = false;
    try {
      const result = await run();
      ok = true;
      return result;
    } finally {
      this.client.options.onRequest?.({ api, operation, ok, durationMs: performance.now() - started });
    }
  }

  async readLedger(args: ReadLedgerArgs): Promise<ReadLedgerResult> {
    const wanted = (env: string) => githubEnvironment(args.specName, env);
    const queried = new Set<string>();
    const discovered = new Set<string>();
    let deploymentPages: DeploymentPageRequest[] = [];
    const enqueue = (githubEnv: string) => {
      if (queried.has(githubEnv)) return;
      queried.add(githubEnv);
      deploymentPages.push({ environment: githubEnv });
    };
    for (const env of [...args.knownEnvironments].sort()) enqueue(wanted(env));

    const raw = new Map<string, { deployment: RawDeployment; environment: string }>();
    const deployments = new Map<string, LedgerDeployment>();
    let statusPages: StatusPageRequest[] = [];
    let listEnvironments = true;
    let environmentsAfter: string | undefined;
    let requests = 0;
    let rateLimitRemaining: number | undefined;

    while (listEnvironments || deploymentPages.length > 0 || statusPages.length > 0) {
      const pages = deploymentPages.slice(0, MAX_ALIASES);
      deploymentPages = deploymentPages.slice(pages.length);
      const statusBatch = statusPages.slice(0, MAX_ALIASES);
      statusPages = statusPages.slice(statusBatch.length);
      const plan = { listEnvironments, deployments: pages, statusPages: statusBatch, ...(environmentsAfter ? { environmentsAfter } : {}) };
      const { query, variables } = buildLedgerQuery(plan, this.owner, this.repo);
      const signal = this.signal(args.deadline);
      const data = await this.observe('graphql', 'ReadLedger', () =>
        this.gql<RawLedgerResponse>(query, { ...variables, request: { signal } }),
      );
      requests++;
      if (data.rateLimit) rateLimitRemaining = data.rateLimit.remaining;
      const repository = data.repository;
      if (!repository) {
        throw new GitHubOperationError({ reason: 'RepositoryNotFound', message: `Repository ${this.repository} was not found or the token cannot read it`, transient: false });
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
          if (raw.has(node.id)) continue;
          raw.set(node.id, { deployment: node, environment: page.environment });
          const decoded = toLedgerDeployment(node, page.environment);
          if (!decoded) continue;
          deployments.set(node.id, decoded);
          const window = node.statuses;
          if (!newestRecognisable(decoded.statuses) && window && window.totalCount > window.nodes.length && window.pageInfo.hasPreviousPage && window.pageInfo.startCursor) {
            statusPages.push({ deploymentId: node.id, before: window.pageInfo.startCursor });
          }
        }
        if (connection.pageInfo.hasNextPage && connection.pageInfo.endCursor) {
          deploymentPages.push({ environment: page.environment, after: connection.pageInfo.endCursor });
        }
      });

      statusBatch.forEach((page, i) => {
        const node = data[`s${i}`] as RawStatusPage | null | undefined;
        const deployment = deployments.get(page.deploymentId);
        if (!node?.statuses || !deployment) return;
        const statuses: LedgerStatus[] = sortStatuses([...deployment.statuses, ...node.statuses.nodes.map(toStatus)]);
        deployments.set(page.deploymentId, { ...deployment, statuses });
        const more = node.statuses.pageInfo;
        if (!newestRecognisable(statuses) && more.hasPreviousPage && more.startCursor) {
          statusPages.push({ deploymentId: page.deploymentId, before: more.startCursor });
        }
      });
    }

    const ledgerDeployments = [...deployments.values()];
    const environments = new Set<string>([...discovered].map(shortEnvironment));
    for (const d of ledgerDeployments) environments.add(d.environment);
    const result: ReadLedgerResult = {
      ledger: { environments: [...environments].sort(), deployments: ledgerDeployments },
      requests,
    };
    if (rateLimitRemaining !== undefined) result.rateLimitRemaining = rateLimitRemaining;
    return result;
  }

  async createDeployment(body: CreateDeploymentBody, deadline: number): Promise<{ nodeId: string; createdAt: string }> {
    const signal = this.signal(deadline);
    const response = await this.observe('rest', 'CreateDeployment', () =>
      this.rest('POST /repos/{owner}/{repo}/deployments', { owner: this.owner, repo: this.repo, ...body, request: { signal } }),
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
    const data = await this.observe('graphql', 'PostDeploymentStatus', () =>
      this.gql<{ createDeploymentStatus: { deploymentStatus: { state: string; description: string | null; environmentUrl: string | null; createdAt: string } | null } | null }>(
        POST_STATUS,
        { deploymentId, state: status.state.toUpperCase(), description: status.description, environmentUrl: status.environmentUrl, request: { signal } },
      ),
    );
    const created = data.createDeploymentStatus?.deploymentStatus;
    if (!created) {
      throw new GitHubOperationError({ reason: 'GitHubPartialResponse', message: 'GitHub did not return the created deployment status', transient: true });
    }
    return toStatus(created);
  }
}
