/** Service configuration from environment variables, validated at start-up. */

export interface Config {
  port: number;
  host: string;
  /** REST base URL: https://api.github.com, or https://HOST/api/v3 for GitHub Enterprise Server. */
  githubApiUrl: string;
  /** Base of the kuberik rollout dashboard; '' when unknown. */
  dashboardUrl: string;
  /** Without dashboardUrl: the namespace whose Ingresses/HTTPRoutes expose the dashboard ('' = no discovery). */
  dashboardNamespace: string;
  /** Route kinds to look at in dashboardNamespace. */
  dashboardRouteKinds: ('ingress' | 'httproute')[];
  logLevel: string;
  /** Budget for one sync, well inside Metacontroller's 10 s hook timeout. */
  syncBudgetMs: number;
  /** Upper bound for one GitHub request. */
  githubTimeoutMs: number;
  /** How long several Environments of one application share a GitHub read. */
  ledgerCacheTtlMs: number;
  ledgerCacheMaxTtlMs: number;
  /** After this long in deletion, finalize even if GitHub never answered. */
  finalizeGiveUpSeconds: number;
  /** Largest accepted hook request body. */
  bodyLimitBytes: number;
  /** GitHub writes one sync may make; a longer backlog continues in the next syncs. */
  maxWritesPerSync: number;
  /** Resync interval while a change is near (an upstream or local deployment in progress); never above requeueInterval. */
  nearChangeResyncSeconds: number;
  /** A repository with a GitHub event mark this recent on one of its Environments gets no near-change polling (0: always poll). */
  eventsFlowingWindowSeconds: number;
  /** Where events flow, a read is shared at least this long (news comes with event marks; this is the safety net's age). */
  eventsFlowingTtlMs: number;
  /** How long a read waits for the reads of other applications on its token to share one query. */
  fleetBatchWindowMs: number;
  /** How long an idle keep-alive connection stays open: longer than the 90 s Metacontroller's Go client keeps one. */
  keepAliveTimeoutMs: number;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function loadConfig(env: Record<string, string | undefined>): Config {
  return {
    port: integer(env, 'PORT', 8080, 0, 65535),
    host: env.HOST || '0.0.0.0',
    githubApiUrl: url(env, 'GITHUB_API_URL', 'https://api.github.com'),
    dashboardUrl: env.DASHBOARD_URL ? url(env, 'DASHBOARD_URL', '') : '',
    dashboardNamespace: namespace(env, 'DASHBOARD_NAMESPACE'),
    dashboardRouteKinds: routeKinds(env, 'DASHBOARD_ROUTE_KINDS'),
    logLevel: oneOf(env, 'LOG_LEVEL', 'info', LOG_LEVELS),
    syncBudgetMs: integer(env, 'SYNC_BUDGET_MS', 5000, 100, 60_000),
    githubTimeoutMs: integer(env, 'GITHUB_TIMEOUT_MS', 4000, 100, 60_000),
    ledgerCacheTtlMs: integer(env, 'LEDGER_CACHE_TTL_MS', 5_000, 0, 600_000),
    ledgerCacheMaxTtlMs: integer(env, 'LEDGER_CACHE_MAX_TTL_MS', 300_000, 0, 3_600_000),
    finalizeGiveUpSeconds: integer(env, 'FINALIZE_GIVE_UP_SECONDS', 300, 0, 86_400),
    bodyLimitBytes: integer(env, 'BODY_LIMIT_BYTES', 4 * 1024 * 1024, 1024, 64 * 1024 * 1024),
    maxWritesPerSync: integer(env, 'MAX_WRITES_PER_SYNC', 10, 1, 1000),
    nearChangeResyncSeconds: integer(env, 'NEAR_CHANGE_RESYNC_SECONDS', 10, 1, 3600),
    eventsFlowingWindowSeconds: integer(env, 'EVENTS_FLOWING_WINDOW_SECONDS', 3600, 0, 86_400),
    eventsFlowingTtlMs: integer(env, 'EVENTS_FLOWING_TTL_MS', 60_000, 0, 3_600_000),
    fleetBatchWindowMs: integer(env, 'FLEET_BATCH_WINDOW_MS', 20, 0, 1000),
    keepAliveTimeoutMs: integer(env, 'KEEP_ALIVE_TIMEOUT_MS', 120_000, 1000, 3_600_000),
  };
}

function integer(env: Record<string, string | undefined>, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(`${name} must be a whole number, got ${JSON.stringify(raw)}`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${value}`);
  return value;
}

function url(env: Record<string, string | undefined>, name: string, fallback: string): string {
  const raw = env[name] || fallback;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(`${name} must be an absolute http(s) URL, got ${JSON.stringify(raw)}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new ConfigError(`${name} must use http or https, got ${parsed.protocol}`);
  if (parsed.username || parsed.password) throw new ConfigError(`${name} must not contain credentials`);
  return raw.replace(/\/+$/, '');
}

function oneOf(env: Record<string, string | undefined>, name: string, fallback: string, allowed: string[]): string {
  const raw = env[name] || fallback;
  if (!allowed.includes(raw)) throw new ConfigError(`${name} must be one of ${allowed.join(', ')}, got ${JSON.stringify(raw)}`);
  return raw;
}

function namespace(env: Record<string, string | undefined>, name: string): string {
  const raw = env[name] ?? '';
  if (raw !== '' && !/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(raw)) throw new ConfigError(`${name} must be a namespace name, got ${JSON.stringify(raw)}`);
  return raw;
}

function routeKinds(env: Record<string, string | undefined>, name: string): ('ingress' | 'httproute')[] {
  const raw = env[name] || 'ingress';
  const kinds = [
    ...new Set(
      raw
        .split(',')
        .map((k) => k.trim().toLowerCase())
        .filter(Boolean),
    ),
  ];
  for (const k of kinds)
    if (k !== 'ingress' && k !== 'httproute') throw new ConfigError(`${name} must list ingress and/or httproute, got ${JSON.stringify(raw)}`);
  return kinds as ('ingress' | 'httproute')[];
}
