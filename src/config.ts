/** Service configuration from environment variables, validated at start-up. */
import { parseApiUrl } from './core/api-urls.js';
import { DEFAULT_FLEET_ROUND_INTERVAL_MS } from './github/fleet-reads.js';

export interface Config {
  port: number;
  host: string;
  /** REST base URL: https://api.github.com, or https://HOST/api/v3 for GitHub Enterprise Server. */
  githubApiUrl: string;
  /** Further API base URLs a Secret's `apiUrl` may name (normal form); GITHUB_API_URL is always allowed. */
  allowedGithubApiUrls: string[];
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
  /** Least time between the starts of two batched read rounds of one token. */
  fleetRoundIntervalMs: number;
  /** How long an idle keep-alive connection stays open: longer than the 90 s Metacontroller's Go client keeps one. */
  keepAliveTimeoutMs: number;
  /** Port of the metrics listener (GET /metrics only), apart from the hooks. */
  metricsPort: number;
  /** After SIGTERM: how long /readyz fails and answers close their connections before the listeners close. */
  drainSeconds: number;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function loadConfig(env: Record<string, string | undefined>): Config {
  return {
    port: integer(env, 'PORT', 8080, 0, 65535),
    host: env.HOST || '0.0.0.0',
    githubApiUrl: apiBaseUrl(env, 'GITHUB_API_URL', 'https://api.github.com'),
    allowedGithubApiUrls: apiBaseUrls(env, 'ALLOWED_GITHUB_API_URLS'),
    dashboardUrl: env.DASHBOARD_URL ? url(env, 'DASHBOARD_URL', '') : '',
    dashboardNamespace: namespace(env, 'DASHBOARD_NAMESPACE'),
    dashboardRouteKinds: routeKinds(env, 'DASHBOARD_ROUTE_KINDS'),
    logLevel: oneOf(env, 'LOG_LEVEL', 'info', LOG_LEVELS),
    syncBudgetMs: syncBudget(env),
    githubTimeoutMs: integer(env, 'GITHUB_TIMEOUT_MS', 4000, 100, 60_000),
    ledgerCacheTtlMs: integer(env, 'LEDGER_CACHE_TTL_MS', 5_000, 0, 600_000),
    ledgerCacheMaxTtlMs: integer(env, 'LEDGER_CACHE_MAX_TTL_MS', 300_000, 0, 3_600_000),
    finalizeGiveUpSeconds: integer(env, 'FINALIZE_GIVE_UP_SECONDS', 300, 0, 86_400),
    bodyLimitBytes: integer(env, 'BODY_LIMIT_BYTES', 4 * 1024 * 1024, 1024, 64 * 1024 * 1024),
    maxWritesPerSync: integer(env, 'MAX_WRITES_PER_SYNC', 10, 1, 1000),
    nearChangeResyncSeconds: integer(env, 'NEAR_CHANGE_RESYNC_SECONDS', 10, 1, 3600),
    eventsFlowingWindowSeconds: integer(env, 'EVENTS_FLOWING_WINDOW_SECONDS', 86_400, 0, 604_800),
    eventsFlowingTtlMs: integer(env, 'EVENTS_FLOWING_TTL_MS', 60_000, 0, 3_600_000),
    fleetBatchWindowMs: integer(env, 'FLEET_BATCH_WINDOW_MS', 20, 0, 1000),
    fleetRoundIntervalMs: fleetRoundInterval(env),
    keepAliveTimeoutMs: integer(env, 'KEEP_ALIVE_TIMEOUT_MS', 120_000, 1000, 3_600_000),
    metricsPort: metricsPort(env),
    drainSeconds: integer(env, 'DRAIN_SECONDS', 15, 0, 300),
  };
}

/** Metacontroller gives up on a hook call after 10 s (manifests/controller: `timeout: 10s`). */
export const HOOK_TIMEOUT_MS = 10_000;
/** Go's http.Transport closes idle connections after 90 s (IdleConnTimeout of its DefaultTransport). */
export const GO_IDLE_CONNECTION_MS = 90_000;

/** The round interval a sync budget leaves room for: a sync may wait for two rounds, each below half the budget. */
export function roundIntervalWithin(intervalMs: number, syncBudgetMs: number): number {
  return Math.min(intervalMs, Math.floor((syncBudgetMs - 1) / 2));
}

/** A read may wait one interval for its round and a write's read another: both must leave the sync time for GitHub's answers. */
function fleetRoundInterval(env: Record<string, string | undefined>): number {
  const budget = syncBudget(env);
  if (!env.FLEET_ROUND_INTERVAL_MS) return roundIntervalWithin(DEFAULT_FLEET_ROUND_INTERVAL_MS, budget);
  const value = integer(env, 'FLEET_ROUND_INTERVAL_MS', DEFAULT_FLEET_ROUND_INTERVAL_MS, 0, 5000);
  if (2 * value >= budget) {
    throw new ConfigError(`FLEET_ROUND_INTERVAL_MS must stay below half of SYNC_BUDGET_MS (${budget} ms): a sync may wait for two rounds, got ${value}`);
  }
  return value;
}

/** A sync allowed to take longer than Metacontroller waits would be answered to no one. */
function syncBudget(env: Record<string, string | undefined>): number {
  const value = integer(env, 'SYNC_BUDGET_MS', 5000, 100, 60_000);
  if (value >= HOOK_TIMEOUT_MS) throw new ConfigError(`SYNC_BUDGET_MS must stay below Metacontroller's ${HOOK_TIMEOUT_MS / 1000} s hook timeout, got ${value}`);
  return value;
}

function metricsPort(env: Record<string, string | undefined>): number {
  const port = integer(env, 'PORT', 8080, 0, 65535);
  const value = integer(env, 'METRICS_PORT', 9090, 0, 65535);
  if (value === port && port !== 0) throw new ConfigError(`METRICS_PORT must differ from PORT (the hooks' port), both are ${port}`);
  return value;
}

/** Settings that are accepted but probably not meant: one warning each, logged at start. */
export function configWarnings(env: Record<string, string | undefined>, config: Config): string[] {
  const warnings: string[] = [];
  if (config.keepAliveTimeoutMs <= GO_IDLE_CONNECTION_MS)
    warnings.push(
      `KEEP_ALIVE_TIMEOUT_MS=${config.keepAliveTimeoutMs} is not above the ${GO_IDLE_CONNECTION_MS / 1000} s Metacontroller's Go client reuses idle connections: a hook call can meet a connection being closed`,
    );
  if (env.GITHUB_TOKEN !== undefined)
    warnings.push('GITHUB_TOKEN is ignored: each Environment takes its GitHub credential from its Secret (spec.backend.secret)');
  return warnings;
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

function apiBaseUrl(env: Record<string, string | undefined>, name: string, fallback: string): string {
  const value = url(env, name, fallback);
  const parsed = parseApiUrl(value);
  if (!parsed.ok) throw new ConfigError(`${name} ${parsed.problem}, got ${JSON.stringify(env[name])}`);
  return value;
}

/** Comma-separated base URLs, each in normal form; an http one is allowed because the operator wrote it. */
function apiBaseUrls(env: Record<string, string | undefined>, name: string): string[] {
  const entries = (env[name] ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  return [
    ...new Set(
      entries.map((entry) => {
        const parsed = parseApiUrl(entry);
        if (!parsed.ok)
          throw new ConfigError(`${name} entry ${JSON.stringify(entry)} ${parsed.problem} (expected a base URL such as https://github.example.com/api/v3)`);
        return parsed.url;
      }),
    ),
  ];
}
