/**
 * The GraphQL read of an application's ledger: one `deployments` connection filtered by all
 * of its environments plus the repository's environment list, so a steady-state sync costs
 * one request (and one rate-limit point) however many environments exist; several
 * repositories' reads share one query (buildBatchQuery). Deployments carry
 * only `latestStatus`: a nested statuses connection per deployment would cost about a
 * point per environment, so status windows are fetched by node id in a follow-up request,
 * and only for deployments whose latest status changed since they were last read. A cold
 * read (no windows kept yet) selects the windows inline instead: one request, paid in
 * points once. Values only ever travel as variables.
 */
import { decodePayload } from '../core/payload.js';
import { shortEnvironment } from '../core/naming.js';
import type { GitHubState, LedgerDeployment, LedgerStatus } from '../core/types.js';

export const PAGE_SIZE = 100;
/** Statuses fetched per deployment (its window); more are paged only when none of these is ours. */
export const STATUS_WINDOW = 10;
/** Newest deployments of the repository whose environment names are used for discovery. */
export const RECENT_DEPLOYMENTS = 100;

const STATUS_FIELDS = 'state description environmentUrl createdAt';
/** The node id makes a latest status identifiable even when a newer one repeats its fields within a second. */
const LATEST_STATUS_FIELDS = `id ${STATUS_FIELDS}`;
const WINDOW = `statuses(last: ${STATUS_WINDOW}) { totalCount pageInfo { hasPreviousPage startCursor } nodes { ${STATUS_FIELDS} } }`;

export interface DeploymentPageRequest {
  /** Full GitHub environment names, e.g. kuberik/my-app/staging: one connection reads them all. */
  environments: string[];
  after?: string;
}

export interface StatusPageRequest {
  deploymentId: string;
  /** Without it: the deployment's window, its newest STATUS_WINDOW statuses. */
  before?: string;
}

export interface LedgerQueryPlan {
  listEnvironments: boolean;
  environmentsAfter?: string;
  deployments: DeploymentPageRequest[];
  statusPages: StatusPageRequest[];
  /** Each deployment with its window (a cold read); otherwise only its latest status. */
  inlineWindows?: boolean;
}

/** One repository's share of a query. */
export interface RepositoryPart {
  owner: string;
  repo: string;
  plan: LedgerQueryPlan;
}

/** Response keys of part `k`: the repository is `r<k>`, its deployment pages `d<i>` inside it, its status pages `r<k>s<i>`. */
export const repositoryAlias = (k: number): string => `r${k}`;
export const statusAlias = (k: number, i: number): string => `r${k}s${i}`;

/** A single repository's query (part 0). */
export function buildLedgerQuery(plan: LedgerQueryPlan, owner: string, repo: string): { query: string; variables: Record<string, unknown> } {
  return buildBatchQuery([{ owner, repo, plan }]);
}

/**
 * One query for several repositories' steps: GitHub prices a query by the connections it asks
 * for (minimum 1 point), so reads of many applications cost about as much together as one alone.
 */
export function buildBatchQuery(parts: readonly RepositoryPart[]): { query: string; variables: Record<string, unknown> } {
  const declarations: string[] = [];
  const variables: Record<string, unknown> = {};
  const rootFields: string[] = [];
  const fragments = new Set<string>();
  parts.forEach(({ owner, repo, plan }, k) => {
    const v = repositoryAlias(k);
    declarations.push(`$${v}owner: String!`, `$${v}name: String!`);
    variables[`${v}owner`] = owner;
    variables[`${v}name`] = repo;
    const repoFields: string[] = [];
    if (plan.listEnvironments) {
      declarations.push(`$${v}environmentsAfter: String`);
      variables[`${v}environmentsAfter`] = plan.environmentsAfter ?? null;
      repoFields.push(`environments(first: ${PAGE_SIZE}, after: $${v}environmentsAfter) { pageInfo { hasNextPage endCursor } nodes { name } }`);
      // GitHub documents no guarantee that an API deployment creates a repository environment:
      // the environments of recent deployments are a second, cheap source of names.
      if (!plan.environmentsAfter) {
        repoFields.push(`recent: deployments(first: ${RECENT_DEPLOYMENTS}, orderBy: {field: CREATED_AT, direction: DESC}) { nodes { environment } }`);
      }
    }
    // graphql-tag (GitHub's schema validation) caches fragments by name: each shape has its own.
    const fragmentName = plan.inlineWindows ? 'LedgerPageWithWindows' : 'LedgerPage';
    plan.deployments.forEach((page, i) => {
      declarations.push(`$${v}env${i}: [String!]`, `$${v}after${i}: String`);
      variables[`${v}env${i}`] = [...page.environments];
      variables[`${v}after${i}`] = page.after ?? null;
      repoFields.push(
        `d${i}: deployments(environments: $${v}env${i}, first: ${PAGE_SIZE}, after: $${v}after${i}, orderBy: {field: CREATED_AT, direction: DESC}) { ...${fragmentName} }`,
      );
      fragments.add(fragmentName);
    });
    rootFields.push(`${v}: repository(owner: $${v}owner, name: $${v}name) { id${repoFields.length > 0 ? ` ${repoFields.join(' ')}` : ''} }`);
    plan.statusPages.forEach((page, i) => {
      declarations.push(`$${v}deployment${i}: ID!`);
      variables[`${v}deployment${i}`] = page.deploymentId;
      let statuses = WINDOW;
      if (page.before !== undefined) {
        declarations.push(`$${v}before${i}: String`);
        variables[`${v}before${i}`] = page.before;
        statuses = `statuses(last: ${PAGE_SIZE}, before: $${v}before${i}) { pageInfo { hasPreviousPage startCursor } nodes { ${STATUS_FIELDS} } }`;
      }
      rootFields.push(`${statusAlias(k, i)}: node(id: $${v}deployment${i}) { ... on Deployment { ${statuses} } }`);
    });
  });
  rootFields.push('rateLimit { cost limit remaining resetAt }');
  const fragmentText = [...fragments]
    .sort()
    .map(
      (name) =>
        ` fragment ${name} on DeploymentConnection { pageInfo { hasNextPage endCursor } nodes { id environment task payload description createdAt latestStatus { ${LATEST_STATUS_FIELDS} }${name === 'LedgerPageWithWindows' ? ` ${WINDOW}` : ''} } }`,
    )
    .join('');
  const query = `query ReadLedger(${declarations.join(', ')}) { ${rootFields.join(' ')} }${fragmentText}`;
  return { query, variables };
}

/**
 * Requests GitHub's cost formula counts for a plan: each connection once per parent node it may
 * be asked for, every page assumed full (a cold page's inline windows are 100 more).
 */
export function plannedRequests(plan: LedgerQueryPlan): number {
  const listing = plan.listEnvironments ? (plan.environmentsAfter ? 1 : 2) : 0;
  return listing + plan.deployments.length * (plan.inlineWindows ? 1 + PAGE_SIZE : 1) + plan.statusPages.length;
}

export interface RawStatus {
  /** Selected for latest statuses only. */
  id?: string;
  state: string;
  description: string | null;
  environmentUrl: string | null;
  createdAt: string;
}

export interface RawDeployment {
  id: string;
  environment: string | null;
  /** Selected so only this application's task is read (GitHub's `task` is nullable). */
  task: string | null;
  payload: string | null;
  description: string | null;
  createdAt: string;
  latestStatus: RawStatus | null;
  /** The window: selected here by a cold read only, otherwise fetched by node id (RawStatusPage). */
  statuses?: RawStatusConnection | null;
}

export interface RawStatusConnection {
  /** Selected for windows only. */
  totalCount?: number;
  pageInfo: { hasPreviousPage: boolean; startCursor: string | null };
  nodes: RawStatus[];
}

export interface RawDeploymentPage {
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  nodes: RawDeployment[];
}

export interface RawStatusPage {
  statuses: RawStatusConnection | null;
}

export type RawRepository = {
  id: string;
  environments?: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: { name: string }[] };
  recent?: { nodes: { environment: string | null }[] };
} & Record<string, unknown>;

export interface RawLedgerResponse {
  rateLimit?: { cost: number; limit: number; remaining: number; resetAt: string };
  /** `r<k>` repositories and `r<k>s<i>` status pages. */
  [alias: string]: unknown;
}

export function toStatus(raw: RawStatus): LedgerStatus {
  return {
    state: raw.state.toLowerCase() as GitHubState,
    description: raw.description ?? '',
    environmentUrl: raw.environmentUrl ?? '',
    createdAt: raw.createdAt,
  };
}

/** Newest first by creation time; GitHub documents no order for a deployment's statuses. */
export function sortStatuses(statuses: LedgerStatus[]): LedgerStatus[] {
  const unique = new Map<string, LedgerStatus>();
  for (const s of statuses) unique.set(`${s.createdAt}\u0000${s.state}\u0000${s.description}\u0000${s.environmentUrl}`, s);
  return [...unique.values()].sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
}

/**
 * Decodes one deployment, with its window when given; null for deployments that are not
 * ours: another task (spec §4 "ours = task and environment"; kuberik's Go controller lists
 * by task everywhere, environment-controller githubenvironment_controller.go:805-811,
 * :1349-1352, :1542-1547) or a foreign payload.
 */
export function toLedgerDeployment(raw: RawDeployment, githubEnvironment: string, task: string): LedgerDeployment | null {
  if (raw.task !== task) return null;
  const payload = decodePayload(raw.payload);
  if (!payload) return null;
  // createdAt has second precision: statuses of one second keep the connection's order (newest
  // last, which is why the read asks for `last`), so they go in newest first and the stable sort keeps that.
  const newestFirst = [...(raw.statuses?.nodes ?? [])].reverse().map(toStatus);
  const statuses = raw.latestStatus ? [toStatus(raw.latestStatus), ...newestFirst] : newestFirst;
  return {
    nodeId: raw.id,
    environment: shortEnvironment(githubEnvironment),
    payload,
    createdAt: raw.createdAt,
    description: raw.description ?? '',
    statuses: sortStatuses(statuses),
  };
}
