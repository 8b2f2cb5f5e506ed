/**
 * Resolvers over the in-memory store for the part of GitHub's GraphQL schema the emulator implements.
 * Any other field of an emulated type fails with an explicit NOT_EMULATED error instead of inventing data.
 */
import type { GraphQLResolveInfo } from 'graphql';
import { decodeCursor, encodeCursor, nodeId } from './ids.js';
import {
  latestStatus,
  sameEnvironment,
  StoreError,
  type ActorRecord,
  type CommitRecord,
  type DeploymentRecord,
  type EnvironmentRecord,
  type RefRecord,
  type RepoRecord,
  type StatusRecord,
  type Store,
} from './store.js';
import type { StatusState } from './types.js';

export class GitHubGraphQLError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
    this.name = 'GitHubGraphQLError';
  }
}

export interface RateLimitView {
  cost: number;
  limit: number;
  nodeCount: number;
  remaining: number;
  resetAt: string;
  used: number;
}

export interface GraphQLContext {
  store: Store;
  actor: ActorRecord;
  /** e.g. http://127.0.0.1:4000 — used for `url` fields. */
  webBase: string;
  rateLimit: RateLimitView;
}

type Args = Record<string, unknown>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each resolver knows the shape its parent type resolves to
type Resolver = (source: any, args: Args, ctx: GraphQLContext, info: GraphQLResolveInfo) => unknown;

interface ConnectionArgs {
  first?: number | null;
  last?: number | null;
  after?: string | null;
  before?: string | null;
}

type Key = (string | number)[];

function compareKeys(a: Key, b: Key): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    return String(x) < String(y) ? -1 : 1;
  }
  return 0;
}

function decodeCursorArgument(name: 'after' | 'before', cursor: string): Key {
  const key = decodeCursor(cursor);
  if (!key) throw new GitHubGraphQLError('INVALID_CURSOR_ARGUMENTS', `\`${name}\` does not appear to be a valid cursor.`);
  return key;
}

/** Index of the first item whose key sorts after `key` (or at/after it with `inclusive`), in the items' order. */
function indexFrom<T>(items: T[], keyOf: (t: T) => Key, key: Key, descending: boolean, inclusive: boolean): number {
  const i = items.findIndex((t) => {
    const c = descending ? -compareKeys(keyOf(t), key) : compareKeys(keyOf(t), key);
    return inclusive ? c >= 0 : c > 0;
  });
  return i < 0 ? items.length : i;
}

function cursorOf<T>(node: T | undefined, keyOf: (t: T) => Key): string | null {
  return node === undefined ? null : encodeCursor(keyOf(node));
}

/**
 * Relay connection over `items` (already in the requested order). Cursors encode the sort key, so they
 * stay valid when items are added or removed between pages. They are encoded only when selected.
 */
export function connection<T>(items: T[], args: ConnectionArgs, keyOf: (t: T) => Key, descending: boolean) {
  let start = 0;
  let end = items.length;
  if (args.after) start = indexFrom(items, keyOf, decodeCursorArgument('after', args.after), descending, false);
  if (args.before) end = indexFrom(items, keyOf, decodeCursorArgument('before', args.before), descending, true);
  if (end < start) end = start;
  let from = start;
  let to = end;
  let hasNextPage = false;
  let hasPreviousPage = false;
  if (typeof args.first === 'number' && to - from > args.first) {
    to = from + args.first;
    hasNextPage = true;
  }
  if (typeof args.last === 'number' && to - from > args.last) {
    from = to - args.last;
    hasPreviousPage = true;
  }
  if (typeof args.first !== 'number' && args.before && end < items.length) hasNextPage = true;
  if (typeof args.last !== 'number' && args.after && start > 0) hasPreviousPage = true;
  const page = items.slice(from, to);
  return {
    totalCount: items.length,
    nodes: page,
    get edges() {
      return page.map((node) => ({ cursor: cursorOf(node, keyOf)!, node }));
    },
    pageInfo: {
      hasNextPage,
      hasPreviousPage,
      get startCursor() {
        return cursorOf(page[0], keyOf);
      },
      get endCursor() {
        return cursorOf(page[page.length - 1], keyOf);
      },
    },
  };
}

const deploymentKey = (d: DeploymentRecord): Key => [d.createdAt, d.id];
const statusKey = (s: StatusRecord): Key => [s.position];

function deploymentConnection(store: Store, repo: RepoRecord, args: Args, filter?: (d: DeploymentRecord) => boolean) {
  // An empty list filters nothing, like `environments(names: [])`.
  const envs = Array.isArray(args.environments) ? (args.environments as string[]) : [];
  let list = (envs.length ? store.deploymentsIn(repo, envs) : store.deploymentsSorted(repo)).filter((d) => store.listed(d));
  if (filter) list = list.filter(filter);
  const orderBy = args.orderBy as { field?: string; direction?: string } | null | undefined;
  const descending = orderBy?.direction === 'DESC';
  if (descending) list.reverse();
  return connection(list, args as ConnectionArgs, deploymentKey, descending);
}

const DEPLOYMENT_STATE: Record<StatusState, string> = {
  success: 'ACTIVE',
  inactive: 'INACTIVE',
  failure: 'FAILURE',
  error: 'ERROR',
  in_progress: 'IN_PROGRESS',
  pending: 'PENDING',
  queued: 'QUEUED',
  waiting: 'WAITING',
};

export function deploymentState(d: DeploymentRecord): string {
  const latest = latestStatus(d);
  if (!latest) return 'PENDING';
  if (latest.state === 'inactive' && d.transientEnvironment) return 'DESTROYED';
  return DEPLOYMENT_STATE[latest.state];
}

/** GraphQL `payload: String`: a string payload as stored, an object payload as its JSON text. */
export function payloadText(payload: unknown): string | null {
  if (payload === null || payload === undefined) return null;
  return typeof payload === 'string' ? payload : JSON.stringify(payload);
}

function commitNodeId(c: CommitRecord): string {
  return nodeId('C', c.repo.dbId, c.oid);
}

function node(store: Store, id: string) {
  const found = store.node(id);
  if (!found) throw new GitHubGraphQLError('NOT_FOUND', `Could not resolve to a node with the global id of '${id}'`);
  return found;
}

function storeErrorToGraphQL(e: unknown): never {
  if (e instanceof StoreError) {
    const type = e.kind === 'not_found' ? 'NOT_FOUND' : 'UNPROCESSABLE';
    const message = e.kind === 'description_too_long' ? `Description ${e.message}` : e.message;
    throw new GitHubGraphQLError(type, message);
  }
  throw e;
}

function input(args: Args): Record<string, unknown> {
  return (args.input ?? {}) as Record<string, unknown>;
}

const actorResolvers: Record<string, Resolver> = {
  id: (a: ActorRecord) => a.nodeId,
  databaseId: (a: ActorRecord) => a.dbId,
  // GraphQL shows bots without the "[bot]" suffix REST uses.
  login: (a: ActorRecord) => (a.__typename === 'Bot' ? a.login.replace(/\[bot\]$/, '') : a.login),
  url: (a: ActorRecord, _args, ctx) => `${ctx.webBase}/${a.__typename === 'Bot' ? 'apps/' : ''}${a.login.replace(/\[bot\]$/, '')}`,
  resourcePath: (a: ActorRecord) => `/${a.__typename === 'Bot' ? 'apps/' : ''}${a.login.replace(/\[bot\]$/, '')}`,
  avatarUrl: (a: ActorRecord) => `https://avatars.githubusercontent.com/u/${a.dbId}?v=4`,
};

export const resolvers: Record<string, Record<string, Resolver>> = {
  Query: {
    repository: (_s, args, ctx) => {
      const repo = ctx.store.repository(String(args.owner), String(args.name));
      if (!repo) throw new GitHubGraphQLError('NOT_FOUND', `Could not resolve to a Repository with the name '${String(args.owner)}/${String(args.name)}'.`);
      return repo;
    },
    node: (_s, args, ctx) => node(ctx.store, String(args.id)),
    nodes: (_s, args, ctx) => (args.ids as string[]).map((id) => ctx.store.node(id) ?? null),
    rateLimit: (_s, _args, ctx) => ctx.rateLimit,
    viewer: (_s, _args, ctx) => {
      if (ctx.actor.__typename !== 'User') throw new GitHubGraphQLError('FORBIDDEN', 'Resource not accessible by integration');
      return ctx.actor;
    },
  },
  Mutation: {
    createDeploymentStatus: (_s, args, ctx) => {
      const i = input(args);
      const d = node(ctx.store, String(i.deploymentId));
      if (d.__typename !== 'Deployment')
        throw new GitHubGraphQLError('NOT_FOUND', `Could not resolve to Deployment node with the global id of '${String(i.deploymentId)}'.`);
      try {
        const status = ctx.store.createStatus(
          d,
          {
            state: String(i.state).toLowerCase() as StatusState,
            description: (i.description as string | null | undefined) ?? '',
            environment: (i.environment as string | null | undefined) ?? null,
            environmentUrl: (i.environmentUrl as string | null | undefined) ?? '',
            logUrl: (i.logUrl as string | null | undefined) ?? '',
            autoInactive: (i.autoInactive as boolean | null | undefined) ?? true,
          },
          ctx.actor,
        );
        return { clientMutationId: i.clientMutationId ?? null, deploymentStatus: status };
      } catch (e) {
        return storeErrorToGraphQL(e);
      }
    },
    createDeployment: (_s, args, ctx) => {
      const i = input(args);
      const repo = node(ctx.store, String(i.repositoryId));
      if (repo.__typename !== 'Repository')
        throw new GitHubGraphQLError('NOT_FOUND', `Could not resolve to Repository node with the global id of '${String(i.repositoryId)}'.`);
      const ref = node(ctx.store, String(i.refId));
      if (ref.__typename !== 'Ref' || ref.repo !== repo)
        throw new GitHubGraphQLError('NOT_FOUND', `Could not resolve to Ref node with the global id of '${String(i.refId)}'.`);
      try {
        const deployment = ctx.store.createDeployment(
          repo,
          {
            ref: ref.name,
            task: (i.task as string | null | undefined) ?? 'deploy',
            environment: (i.environment as string | null | undefined) ?? 'production',
            description: (i.description as string | null | undefined) ?? '',
            payload: i.payload ?? '{}',
          },
          ctx.actor,
        );
        return { autoMerged: false, clientMutationId: i.clientMutationId ?? null, deployment };
      } catch (e) {
        return storeErrorToGraphQL(e);
      }
    },
    deleteDeployment: (_s, args, ctx) => {
      const i = input(args);
      const d = node(ctx.store, String(i.id));
      if (d.__typename !== 'Deployment')
        throw new GitHubGraphQLError('NOT_FOUND', `Could not resolve to Deployment node with the global id of '${String(i.id)}'.`);
      try {
        ctx.store.deleteDeployment(d);
      } catch (e) {
        return storeErrorToGraphQL(e);
      }
      return { clientMutationId: i.clientMutationId ?? null };
    },
  },
  Repository: {
    id: (r: RepoRecord) => r.nodeId,
    databaseId: (r: RepoRecord) => r.dbId,
    name: (r: RepoRecord) => r.name,
    nameWithOwner: (r: RepoRecord) => r.fullName,
    owner: (r: RepoRecord) => ({ __typename: 'Organization', ownerRepo: r }),
    url: (r: RepoRecord, _a, ctx) => `${ctx.webBase}/${r.fullName}`,
    resourcePath: (r: RepoRecord) => `/${r.fullName}`,
    createdAt: (r: RepoRecord) => r.createdAt,
    deployments: (r: RepoRecord, args, ctx) => deploymentConnection(ctx.store, r, args),
    environments: (r: RepoRecord, args, ctx) => {
      const names = Array.isArray(args.names) ? (args.names as string[]) : [];
      let list = ctx.store.environmentsSorted(r);
      if (names.length) list = list.filter((e) => names.some((n) => sameEnvironment(n, e.name)));
      const descending = (args.orderBy as { direction?: string } | null)?.direction === 'DESC';
      if (descending) list.reverse();
      return connection(list, args as ConnectionArgs, (e: EnvironmentRecord) => [e.name.toLowerCase(), e.dbId], descending);
    },
    environment: (r: RepoRecord, args) => r.environments.get(String(args.name).toLowerCase()) ?? null,
    object: (r: RepoRecord, args, ctx) => {
      if (typeof args.oid === 'string') return ctx.store.commit(r, args.oid);
      if (typeof args.expression === 'string') {
        const head = r.branches.get(args.expression.replace(/^refs\/heads\//, ''));
        return ctx.store.commit(r, head ?? args.expression);
      }
      return null;
    },
    ref: (r: RepoRecord, args, ctx) => ctx.store.branchRef(r, String(args.qualifiedName)),
    defaultBranchRef: (r: RepoRecord, _a, ctx) => {
      const name = r.branches.has('main') ? 'main' : r.branches.has('master') ? 'master' : [...r.branches.keys()][0];
      return name ? ctx.store.branchRef(r, name) : null;
    },
  },
  Organization: {
    login: (o: { ownerRepo: RepoRecord }) => o.ownerRepo.owner,
    id: (o: { ownerRepo: RepoRecord }) => nodeId('O', o.ownerRepo.owner),
    url: (o: { ownerRepo: RepoRecord }, _a, ctx) => `${ctx.webBase}/${o.ownerRepo.owner}`,
    resourcePath: (o: { ownerRepo: RepoRecord }) => `/${o.ownerRepo.owner}`,
  },
  Environment: {
    id: (e: EnvironmentRecord) => e.nodeId,
    databaseId: (e: EnvironmentRecord) => e.dbId,
    name: (e: EnvironmentRecord) => e.name,
    isPinned: () => false,
    pinnedPosition: () => null,
    latestCompletedDeployment: (e: EnvironmentRecord, _a, ctx) =>
      ctx.store.deploymentsIn(e.repo, [e.name]).findLast((d) => ['success', 'failure', 'error'].includes(latestStatus(d)?.state ?? '')) ?? null,
  },
  Commit: {
    id: (c: CommitRecord) => commitNodeId(c),
    oid: (c: CommitRecord) => c.oid,
    abbreviatedOid: (c: CommitRecord) => c.oid.slice(0, 7),
    repository: (c: CommitRecord) => c.repo,
    url: (c: CommitRecord, _a, ctx) => `${ctx.webBase}/${c.repo.fullName}/commit/${c.oid}`,
    resourcePath: (c: CommitRecord) => `/${c.repo.fullName}/commit/${c.oid}`,
    deployments: (c: CommitRecord, args, ctx) => deploymentConnection(ctx.store, c.repo, args, (d) => d.sha === c.oid),
  },
  Ref: {
    id: (r: RefRecord) => r.nodeId,
    name: (r: RefRecord) => r.name,
    prefix: (r: RefRecord) => r.prefix,
    repository: (r: RefRecord) => r.repo,
    target: (r: RefRecord, _a, ctx) => {
      const head = r.repo.branches.get(r.name);
      return head ? ctx.store.commit(r.repo, head) : null;
    },
  },
  Deployment: {
    id: (d: DeploymentRecord) => d.nodeId,
    // The real 64-bit id: graphql-js's Int serializer rejects it, as GitHub's does for ids above 2^31.
    databaseId: (d: DeploymentRecord) => d.id,
    commitOid: (d: DeploymentRecord) => d.sha,
    commit: (d: DeploymentRecord) => ({ __typename: 'Commit', oid: d.sha, repo: d.repo }) satisfies CommitRecord,
    createdAt: (d: DeploymentRecord) => d.createdAt,
    updatedAt: (d: DeploymentRecord) => d.updatedAt,
    creator: (d: DeploymentRecord) => d.creator,
    description: (d: DeploymentRecord) => d.description,
    environment: (d: DeploymentRecord) => d.environment,
    latestEnvironment: (d: DeploymentRecord) => d.environment,
    originalEnvironment: (d: DeploymentRecord) => d.originalEnvironment,
    payload: (d: DeploymentRecord) => payloadText(d.payload),
    task: (d: DeploymentRecord) => d.task,
    state: (d: DeploymentRecord) => deploymentState(d),
    latestStatus: (d: DeploymentRecord) => latestStatus(d) ?? null,
    statuses: (d: DeploymentRecord, args) => {
      // Oldest first (creation order).
      return connection(d.statuses, args as ConnectionArgs, statusKey, false);
    },
    ref: (d: DeploymentRecord, _a, ctx) => (d.branch ? (ctx.store.branchRef(d.repo, d.branch) ?? null) : null),
    repository: (d: DeploymentRecord) => d.repo,
  },
  DeploymentStatus: {
    id: (s: StatusRecord) => s.nodeId,
    state: (s: StatusRecord) => s.state.toUpperCase(),
    description: (s: StatusRecord) => s.description,
    environment: (s: StatusRecord) => s.environment,
    environmentUrl: (s: StatusRecord) => s.environmentUrl || null,
    logUrl: (s: StatusRecord) => s.logUrl || null,
    createdAt: (s: StatusRecord) => s.createdAt,
    updatedAt: (s: StatusRecord) => s.updatedAt,
    creator: (s: StatusRecord) => s.creator,
    deployment: (s: StatusRecord) => s.deployment,
  },
  User: actorResolvers,
  Bot: actorResolvers,
};
