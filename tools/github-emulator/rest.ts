/**
 * REST routes for deployments and deployment statuses, following the contract in rest-contract.json
 * (request bodies are validated against it; responses carry the fields its schemas require).
 */
import { documentationUrl, parameterDefault, requestProblems, type OperationId } from './contract.js';
import { StoreError, type ActorRecord, type DeploymentRecord, type RepoRecord, type StatusRecord, type Store } from './store.js';
import type { StatusState } from './types.js';

export interface RestContext {
  store: Store;
  actor: ActorRecord;
  /** API root as the client addressed it, e.g. http://127.0.0.1:4000 or http://127.0.0.1:4000/api/v3 */
  apiBase: string;
  webBase: string;
}

export interface RestResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export function errorBody(status: number, message: string, documentation_url: string, extra: Record<string, unknown> = {}) {
  return { message, ...extra, documentation_url, status: String(status) };
}

function notFound(op: OperationId | null): RestResponse {
  return { status: 404, body: errorBody(404, 'Not Found', op ? documentationUrl(op) : 'https://docs.github.com/rest') };
}

// ---- JSON shapes ----------------------------------------------------------------------------

export function restUser(a: ActorRecord, ctx: RestContext) {
  const login = encodeURIComponent(a.login);
  const user = `${ctx.apiBase}/users/${login}`;
  return {
    login: a.login,
    id: a.dbId,
    node_id: a.nodeId,
    avatar_url: `https://avatars.githubusercontent.com/u/${a.dbId}?v=4`,
    gravatar_id: '',
    url: user,
    html_url: a.__typename === 'Bot' ? `${ctx.webBase}/apps/${encodeURIComponent(a.login.replace(/\[bot\]$/, ''))}` : `${ctx.webBase}/${login}`,
    followers_url: `${user}/followers`,
    following_url: `${user}/following{/other_user}`,
    gists_url: `${user}/gists{/gist_id}`,
    starred_url: `${user}/starred{/owner}{/repo}`,
    subscriptions_url: `${user}/subscriptions`,
    organizations_url: `${user}/orgs`,
    repos_url: `${user}/repos`,
    events_url: `${user}/events{/privacy}`,
    received_events_url: `${user}/received_events`,
    type: a.__typename,
    user_view_type: 'public',
    site_admin: false,
  };
}

function repoUrl(repo: RepoRecord, ctx: RestContext): string {
  return `${ctx.apiBase}/repos/${repo.fullName}`;
}

export function restDeployment(d: DeploymentRecord, ctx: RestContext) {
  const repository_url = repoUrl(d.repo, ctx);
  const url = `${repository_url}/deployments/${d.id}`;
  return {
    url,
    id: d.id,
    node_id: d.nodeId,
    task: d.task,
    original_environment: d.originalEnvironment,
    environment: d.environment,
    description: d.description,
    created_at: d.createdAt,
    updated_at: d.updatedAt,
    statuses_url: `${url}/statuses`,
    repository_url,
    creator: restUser(d.creator, ctx),
    sha: d.sha,
    ref: d.ref,
    payload: d.payload,
    transient_environment: d.transientEnvironment,
    production_environment: d.productionEnvironment,
    performed_via_github_app: null,
  };
}

export function restStatus(s: StatusRecord, ctx: RestContext) {
  const repository_url = repoUrl(s.deployment.repo, ctx);
  const deployment_url = `${repository_url}/deployments/${s.deployment.id}`;
  return {
    url: `${deployment_url}/statuses/${s.id}`,
    id: s.id,
    node_id: s.nodeId,
    state: s.state,
    creator: restUser(s.creator, ctx),
    description: s.description,
    environment: s.environment,
    target_url: s.targetUrl,
    created_at: s.createdAt,
    updated_at: s.updatedAt,
    deployment_url,
    repository_url,
    environment_url: s.environmentUrl,
    log_url: s.logUrl,
    performed_via_github_app: null,
  };
}

// ---- pagination -----------------------------------------------------------------------------

function intParam(value: string | null, fallback: number): number {
  if (value === null || !/^\d+$/.test(value)) return fallback;
  return Number(value);
}

/** GitHub pages with `page`/`per_page` (max 100) and advertises pages in a Link header (prev, next, last, first). */
function paginate<T>(items: T[], op: OperationId, requestUrl: URL): { page: T[]; headers: Record<string, string> } {
  const defaultPerPage = Number(parameterDefault(op, 'per_page') ?? 30);
  let perPage = intParam(requestUrl.searchParams.get('per_page'), defaultPerPage);
  if (perPage < 1) perPage = defaultPerPage;
  perPage = Math.min(perPage, 100);
  const page = Math.max(1, intParam(requestUrl.searchParams.get('page'), 1));
  const lastPage = Math.max(1, Math.ceil(items.length / perPage));
  const link = (n: number, rel: string) => {
    const u = new URL(requestUrl);
    u.searchParams.set('page', String(n));
    return `<${u.toString()}>; rel="${rel}"`;
  };
  const links: string[] = [];
  if (page > 1) links.push(link(Math.min(page - 1, lastPage), 'prev'));
  if (page < lastPage) links.push(link(page + 1, 'next'), link(lastPage, 'last'));
  if (page > 1) links.push(link(1, 'first'));
  return {
    page: items.slice((page - 1) * perPage, page * perPage),
    headers: links.length ? { link: links.join(', ') } : {},
  };
}

// ---- routing --------------------------------------------------------------------------------

/** Repository routes; the App token route lives in apps.ts. */
const ROUTES: { method: string; pattern: RegExp; op: Exclude<OperationId, 'apps/create-installation-access-token'> }[] = [
  { method: 'GET', pattern: /^\/repos\/([^/]+)\/([^/]+)\/deployments$/, op: 'repos/list-deployments' },
  { method: 'POST', pattern: /^\/repos\/([^/]+)\/([^/]+)\/deployments$/, op: 'repos/create-deployment' },
  { method: 'GET', pattern: /^\/repos\/([^/]+)\/([^/]+)\/deployments\/([^/]+)$/, op: 'repos/get-deployment' },
  { method: 'DELETE', pattern: /^\/repos\/([^/]+)\/([^/]+)\/deployments\/([^/]+)$/, op: 'repos/delete-deployment' },
  { method: 'GET', pattern: /^\/repos\/([^/]+)\/([^/]+)\/deployments\/([^/]+)\/statuses$/, op: 'repos/list-deployment-statuses' },
  { method: 'POST', pattern: /^\/repos\/([^/]+)\/([^/]+)\/deployments\/([^/]+)\/statuses$/, op: 'repos/create-deployment-status' },
  { method: 'GET', pattern: /^\/repos\/([^/]+)\/([^/]+)\/deployments\/([^/]+)\/statuses\/([^/]+)$/, op: 'repos/get-deployment-status' },
];

function numericId(raw: string | undefined): number | undefined {
  if (!raw || !/^\d{1,16}$/.test(raw)) return undefined;
  const n = Number(raw);
  return Number.isSafeInteger(n) ? n : undefined;
}

function parseBody(op: OperationId, raw: string): { ok: true; value: unknown } | { ok: false; response: RestResponse } {
  if (raw.trim() === '') return { ok: true, value: {} };
  try {
    return { ok: true, value: JSON.parse(raw) as unknown };
  } catch {
    return { ok: false, response: { status: 400, body: errorBody(400, 'Problems parsing JSON', documentationUrl(op)) } };
  }
}

function invalid(op: OperationId, body: unknown): RestResponse | undefined {
  const problems = requestProblems(op, body);
  if (!problems.length) return undefined;
  return { status: 422, body: errorBody(422, `Invalid request.\n\n${problems.join('\n')}`, documentationUrl(op)) };
}

/** `pathname` without the /api/v3 prefix. */
export function handleRest(method: string, pathname: string, requestUrl: URL, rawBody: string, ctx: RestContext): RestResponse {
  const route = ROUTES.find((r) => r.method === method && r.pattern.test(pathname));
  if (!route) return notFound(null);
  const m = route.pattern.exec(pathname)!;
  const [owner, name] = [decodeURIComponent(m[1]!), decodeURIComponent(m[2]!)];
  const op = route.op;
  const repo = ctx.store.repository(owner, name);
  if (!repo) return notFound(op);
  const { store } = ctx;

  let deployment: DeploymentRecord | undefined;
  if (m[3] !== undefined) {
    const id = numericId(m[3]);
    deployment = id === undefined ? undefined : store.deployment(repo, id);
    if (!deployment) return notFound(op);
  }

  switch (op) {
    case 'repos/list-deployments': {
      const q = requestUrl.searchParams;
      let list = store
        .deploymentsSorted(repo)
        .filter((d) => store.listed(d))
        .reverse(); // newest first
      const sha = q.get('sha');
      const ref = q.get('ref');
      const task = q.get('task');
      const environment = q.get('environment');
      if (sha) list = list.filter((d) => d.sha === sha.toLowerCase());
      if (ref) list = list.filter((d) => d.ref === ref);
      if (task) list = list.filter((d) => d.task === task);
      if (environment) list = list.filter((d) => d.environment.toLowerCase() === environment.toLowerCase());
      const { page, headers } = paginate(list, op, requestUrl);
      return { status: 200, body: page.map((d) => restDeployment(d, ctx)), headers };
    }
    case 'repos/create-deployment': {
      const parsed = parseBody(op, rawBody);
      if (!parsed.ok) return parsed.response;
      const bad = invalid(op, parsed.value);
      if (bad) return bad;
      const b = parsed.value as Record<string, unknown>;
      try {
        const d = store.createDeployment(
          repo,
          {
            ref: b.ref as string,
            ...(b.task !== undefined ? { task: b.task as string } : {}),
            ...(b.environment !== undefined ? { environment: b.environment as string } : {}),
            ...(b.description !== undefined ? { description: b.description as string | null } : {}),
            ...(b.payload !== undefined ? { payload: b.payload } : {}),
            ...(b.production_environment !== undefined ? { productionEnvironment: b.production_environment as boolean } : {}),
            ...(b.transient_environment !== undefined ? { transientEnvironment: b.transient_environment as boolean } : {}),
          },
          ctx.actor,
        );
        const json = restDeployment(d, ctx);
        return { status: 201, body: json, headers: { location: json.url } };
      } catch (e) {
        if (e instanceof StoreError && e.kind === 'no_ref') return { status: 422, body: errorBody(422, e.message, documentationUrl(op)) };
        throw e;
      }
    }
    case 'repos/get-deployment':
      return { status: 200, body: restDeployment(deployment!, ctx) };
    case 'repos/delete-deployment':
      try {
        store.deleteDeployment(deployment!);
        return { status: 204 };
      } catch (e) {
        if (e instanceof StoreError && e.kind === 'cannot_delete') return { status: 422, body: errorBody(422, e.message, documentationUrl(op)) };
        throw e;
      }
    case 'repos/list-deployment-statuses': {
      const { page, headers } = paginate([...deployment!.statuses].reverse(), op, requestUrl);
      return { status: 200, body: page.map((s) => restStatus(s, ctx)), headers };
    }
    case 'repos/create-deployment-status': {
      const parsed = parseBody(op, rawBody);
      if (!parsed.ok) return parsed.response;
      const bad = invalid(op, parsed.value);
      if (bad) return bad;
      const b = parsed.value as Record<string, unknown>;
      try {
        const s = store.createStatus(
          deployment!,
          {
            state: b.state as StatusState,
            description: (b.description as string | undefined) ?? '',
            environment: (b.environment as string | undefined) ?? null,
            environmentUrl: (b.environment_url as string | undefined) ?? '',
            logUrl: (b.log_url as string | undefined) ?? '',
            targetUrl: (b.target_url as string | undefined) ?? '',
            autoInactive: (b.auto_inactive as boolean | undefined) ?? true,
          },
          ctx.actor,
        );
        const json = restStatus(s, ctx);
        return { status: 201, body: json, headers: { location: json.url } };
      } catch (e) {
        if (e instanceof StoreError && e.kind === 'description_too_long') {
          return {
            status: 422,
            body: errorBody(422, 'Validation Failed', documentationUrl(op), {
              errors: [{ resource: 'DeploymentStatus', code: 'custom', field: 'description', message: e.message }],
            }),
          };
        }
        throw e;
      }
    }
    case 'repos/get-deployment-status': {
      const id = numericId(m[4]);
      const s = id === undefined ? undefined : store.status(deployment!, id);
      if (!s) return notFound(op);
      return { status: 200, body: restStatus(s, ctx) };
    }
  }
}
