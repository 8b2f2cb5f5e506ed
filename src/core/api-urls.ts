/**
 * GitHub API base URLs: a Secret's `apiUrl` is tenant input, so the service only talks to
 * the bases the operator allowed (GITHUB_API_URL and ALLOWED_GITHUB_API_URLS). URLs are
 * compared in one normal form: scheme and host lower-case, default port dropped, no
 * trailing slash. Pure.
 */

export const ALLOWED_API_URLS_VARIABLE = 'ALLOWED_GITHUB_API_URLS';

export type ParsedApiUrl = { ok: true; url: string; protocol: 'http:' | 'https:' } | { ok: false; problem: string };

/** `raw` in normal form, or what is wrong with it as an API base URL. */
export function parseApiUrl(raw: string): ParsedApiUrl {
  if (!URL.canParse(raw)) return { ok: false, problem: 'is not an absolute URL' };
  const url = new URL(raw);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { ok: false, problem: 'must use https' };
  if (url.username || url.password) return { ok: false, problem: 'must not contain credentials' };
  // `?` or `#` alone parse to an empty search or hash, and would still end up inside every request path.
  if (url.search || url.hash || raw.includes('?') || raw.includes('#')) return { ok: false, problem: 'must not have a query string or fragment' };
  return { ok: true, url: `${url.origin}${url.pathname.replace(/\/+$/, '')}`, protocol: url.protocol };
}

/** The bases the service may call: the default API and the operator's list, each in normal form. */
export class ApiUrlPolicy {
  private readonly allowed: ReadonlySet<string>;

  constructor(
    readonly defaultUrl: string,
    extra: readonly string[] = [],
  ) {
    this.allowed = new Set([defaultUrl, ...extra].map(normalised));
  }

  /** Whether the operator allowed this base URL (in the normal form parseApiUrl gives). An http URL only when listed as such. */
  allows(url: string): boolean {
    return this.allowed.has(url);
  }

  /** Whether a request URL lies under one of the allowed bases, or is the GraphQL endpoint of one. */
  covers(requestUrl: string): boolean {
    if (!URL.canParse(requestUrl)) return false;
    const url = new URL(requestUrl);
    const path = `${url.origin}${url.pathname}`;
    for (const base of this.allowed) if (path.startsWith(`${base}/`) || path === graphqlUrlOf(base)) return true;
    return false;
  }
}

function normalised(raw: string): string {
  const parsed = parseApiUrl(raw);
  if (!parsed.ok) throw new Error(`not an API base URL: ${parsed.problem}`);
  return parsed.url;
}

/** `path` (starting with "/") under a base URL's path, joined by URL rather than by string. */
export function joinApiPath(base: string, path: string): string {
  const url = new URL(base);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}${path}`;
  return url.href;
}

/** GraphQL endpoint of a REST base URL, as @octokit/graphql derives it (GHES: /api/v3 → /api/graphql). */
export function graphqlUrlOf(restBaseUrl: string): string {
  const url = new URL(restBaseUrl);
  const path = url.pathname.replace(/\/+$/, '');
  if (path.endsWith('/api/v3')) {
    url.pathname = `${path.slice(0, -'/api/v3'.length)}/api/graphql`;
    return url.href;
  }
  return joinApiPath(restBaseUrl, '/graphql');
}
