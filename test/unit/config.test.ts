import { ConfigError, configWarnings, loadConfig, roundIntervalWithin } from '../../src/config.js';

describe('loadConfig', () => {
  test('defaults', () => {
    expect(loadConfig({})).toEqual({
      port: 8080,
      host: '0.0.0.0',
      githubApiUrl: 'https://api.github.com',
      allowedGithubApiUrls: [],
      dashboardUrl: '',
      dashboardNamespace: '',
      dashboardRouteKinds: ['ingress'],
      logLevel: 'info',
      syncBudgetMs: 5000,
      githubTimeoutMs: 4000,
      ledgerCacheTtlMs: 5000,
      ledgerCacheMaxTtlMs: 300000,
      finalizeGiveUpSeconds: 300,
      bodyLimitBytes: 4194304,
      maxWritesPerSync: 10,
      nearChangeResyncSeconds: 10,
      eventsFlowingWindowSeconds: 86400,
      eventsFlowingTtlMs: 60000,
      fleetBatchWindowMs: 20,
      fleetRoundIntervalMs: 2000,
      keepAliveTimeoutMs: 120000,
      metricsPort: 9090,
      drainSeconds: 15,
    });
  });

  test('METRICS_PORT and DRAIN_SECONDS', () => {
    const c = loadConfig({ PORT: '8081', METRICS_PORT: '9100', DRAIN_SECONDS: '0' });
    expect([c.port, c.metricsPort, c.drainSeconds]).toEqual([8081, 9100, 0]);
    expect(loadConfig({ PORT: '0', METRICS_PORT: '0' }).metricsPort).toBe(0);
  });

  test('FLEET_ROUND_INTERVAL_MS: 2 s unless the sync budget is too short for two of it; 0 turns it off', () => {
    expect(loadConfig({ SYNC_BUDGET_MS: '3000' }).fleetRoundIntervalMs).toBe(1499);
    expect(loadConfig({ FLEET_ROUND_INTERVAL_MS: '0' }).fleetRoundIntervalMs).toBe(0);
    expect(loadConfig({ FLEET_ROUND_INTERVAL_MS: '4000', SYNC_BUDGET_MS: '9000' }).fleetRoundIntervalMs).toBe(4000);
  });

  test('a Config built without loadConfig gets the same bound on the round interval (the service applies roundIntervalWithin)', () => {
    expect([roundIntervalWithin(2000, 2000), roundIntervalWithin(2000, 5000), roundIntervalWithin(0, 100)]).toEqual([999, 2000, 0]);
  });

  test('GitHub Enterprise Server base URL and dashboard settings, trailing slashes dropped', () => {
    const c = loadConfig({
      GITHUB_API_URL: 'https://ghe.example.com/api/v3/',
      DASHBOARD_URL: 'https://dash.example.com/',
      DASHBOARD_NAMESPACE: 'kuberik',
      DASHBOARD_ROUTE_KINDS: 'httproute, ingress',
    });
    expect([c.githubApiUrl, c.dashboardUrl, c.dashboardNamespace, c.dashboardRouteKinds]).toEqual([
      'https://ghe.example.com/api/v3',
      'https://dash.example.com',
      'kuberik',
      ['httproute', 'ingress'],
    ]);
  });

  test('ALLOWED_GITHUB_API_URLS: comma-separated base URLs in normal form (host case, default port, trailing slash), http where listed', () => {
    expect(
      loadConfig({ ALLOWED_GITHUB_API_URLS: ' https://GHE.Example.com:443/api/v3/ ,http://10.0.0.7:8080/api/v3,https://ghe.example.com/api/v3' })
        .allowedGithubApiUrls,
    ).toEqual(['https://ghe.example.com/api/v3', 'http://10.0.0.7:8080/api/v3']);
  });

  test.each([
    [{ PORT: 'eighty' }, 'PORT must be a whole number, got "eighty"'],
    [{ PORT: '70000' }, 'PORT must be between 0 and 65535, got 70000'],
    [{ GITHUB_API_URL: 'api.github.com' }, 'GITHUB_API_URL must be an absolute http(s) URL, got "api.github.com"'],
    [{ GITHUB_API_URL: 'https://user:pw@ghe.example.com/api/v3' }, 'GITHUB_API_URL must not contain credentials'],
    [
      { GITHUB_API_URL: 'https://ghe.example.com/api/v3?x=1' },
      'GITHUB_API_URL must not have a query string or fragment, got "https://ghe.example.com/api/v3?x=1"',
    ],
    [
      { ALLOWED_GITHUB_API_URLS: 'https://ghe.example.com/api/v3, ghe2.example.com' },
      'ALLOWED_GITHUB_API_URLS entry "ghe2.example.com" is not an absolute URL (expected a base URL such as https://github.example.com/api/v3)',
    ],
    [
      { ALLOWED_GITHUB_API_URLS: 'https://ghe.example.com/api/v3#x' },
      'ALLOWED_GITHUB_API_URLS entry "https://ghe.example.com/api/v3#x" must not have a query string or fragment (expected a base URL such as https://github.example.com/api/v3)',
    ],
    [
      { ALLOWED_GITHUB_API_URLS: 'ftp://ghe.example.com' },
      'ALLOWED_GITHUB_API_URLS entry "ftp://ghe.example.com" must use https (expected a base URL such as https://github.example.com/api/v3)',
    ],
    [
      { ALLOWED_GITHUB_API_URLS: 'https://token@ghe.example.com/api/v3' },
      'ALLOWED_GITHUB_API_URLS entry "https://token@ghe.example.com/api/v3" must not contain credentials (expected a base URL such as https://github.example.com/api/v3)',
    ],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "loud"'],
    [{ DASHBOARD_NAMESPACE: 'Bad_NS' }, 'DASHBOARD_NAMESPACE must be a namespace name, got "Bad_NS"'],
    [{ DASHBOARD_ROUTE_KINDS: 'gateway' }, 'DASHBOARD_ROUTE_KINDS must list ingress and/or httproute, got "gateway"'],
    [{ MAX_WRITES_PER_SYNC: '0' }, 'MAX_WRITES_PER_SYNC must be between 1 and 1000, got 0'],
    [{ NEAR_CHANGE_RESYNC_SECONDS: '0' }, 'NEAR_CHANGE_RESYNC_SECONDS must be between 1 and 3600, got 0'],
    [{ EVENTS_FLOWING_WINDOW_SECONDS: '604801' }, 'EVENTS_FLOWING_WINDOW_SECONDS must be between 0 and 604800, got 604801'],
    [{ KEEP_ALIVE_TIMEOUT_MS: '500' }, 'KEEP_ALIVE_TIMEOUT_MS must be between 1000 and 3600000, got 500'],
    [{ SYNC_BUDGET_MS: '10000' }, "SYNC_BUDGET_MS must stay below Metacontroller's 10 s hook timeout, got 10000"],
    [{ METRICS_PORT: '8080' }, "METRICS_PORT must differ from PORT (the hooks' port), both are 8080"],
    [{ PORT: '9090' }, "METRICS_PORT must differ from PORT (the hooks' port), both are 9090"],
    [{ FLEET_ROUND_INTERVAL_MS: '5001' }, 'FLEET_ROUND_INTERVAL_MS must be between 0 and 5000, got 5001'],
    [{ FLEET_ROUND_INTERVAL_MS: '2500' }, 'FLEET_ROUND_INTERVAL_MS must stay below half of SYNC_BUDGET_MS (5000 ms): a sync may wait for two rounds, got 2500'],
    [{ DRAIN_SECONDS: '301' }, 'DRAIN_SECONDS must be between 0 and 300, got 301'],
  ])('%j is rejected', (env, message) => {
    expect(() => loadConfig(env)).toThrow(new ConfigError(message));
  });
});

describe('configWarnings: accepted, but probably not meant', () => {
  const warningsFor = (env: Record<string, string>) => configWarnings(env, loadConfig(env));

  test('none for the defaults, nor for a sync budget just inside the hook timeout', () => {
    expect(warningsFor({})).toEqual([]);
    expect(warningsFor({ SYNC_BUDGET_MS: '9999', KEEP_ALIVE_TIMEOUT_MS: '90001' })).toEqual([]);
  });

  test("KEEP_ALIVE_TIMEOUT_MS at or below the 90 s Go's client reuses idle connections", () => {
    expect(warningsFor({ KEEP_ALIVE_TIMEOUT_MS: '90000' })).toEqual([
      "KEEP_ALIVE_TIMEOUT_MS=90000 is not above the 90 s Metacontroller's Go client reuses idle connections: a hook call can meet a connection being closed",
    ]);
  });

  test('GITHUB_TOKEN, even empty: credentials come from Secrets', () => {
    expect(warningsFor({ GITHUB_TOKEN: '' })).toEqual([
      'GITHUB_TOKEN is ignored: each Environment takes its GitHub credential from its Secret (spec.backend.secret)',
    ]);
  });
});
