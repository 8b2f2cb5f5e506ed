import { ConfigError, loadConfig } from '../../src/config.js';

describe('loadConfig', () => {
  test('defaults', () => {
    expect(loadConfig({})).toEqual({
      port: 8080,
      host: '0.0.0.0',
      githubApiUrl: 'https://api.github.com',
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
      eventsFlowingWindowSeconds: 3600,
      eventsFlowingTtlMs: 60000,
      fleetBatchWindowMs: 20,
      keepAliveTimeoutMs: 120000,
    });
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

  test.each([
    [{ PORT: 'eighty' }, 'PORT must be a whole number, got "eighty"'],
    [{ PORT: '70000' }, 'PORT must be between 0 and 65535, got 70000'],
    [{ GITHUB_API_URL: 'api.github.com' }, 'GITHUB_API_URL must be an absolute http(s) URL, got "api.github.com"'],
    [{ GITHUB_API_URL: 'https://user:pw@ghe.example.com/api/v3' }, 'GITHUB_API_URL must not contain credentials'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "loud"'],
    [{ DASHBOARD_NAMESPACE: 'Bad_NS' }, 'DASHBOARD_NAMESPACE must be a namespace name, got "Bad_NS"'],
    [{ DASHBOARD_ROUTE_KINDS: 'gateway' }, 'DASHBOARD_ROUTE_KINDS must list ingress and/or httproute, got "gateway"'],
    [{ MAX_WRITES_PER_SYNC: '0' }, 'MAX_WRITES_PER_SYNC must be between 1 and 1000, got 0'],
    [{ NEAR_CHANGE_RESYNC_SECONDS: '0' }, 'NEAR_CHANGE_RESYNC_SECONDS must be between 1 and 3600, got 0'],
    [{ EVENTS_FLOWING_WINDOW_SECONDS: '86401' }, 'EVENTS_FLOWING_WINDOW_SECONDS must be between 0 and 86400, got 86401'],
    [{ KEEP_ALIVE_TIMEOUT_MS: '500' }, 'KEEP_ALIVE_TIMEOUT_MS must be between 1000 and 3600000, got 500'],
  ])('%j is rejected', (env, message) => {
    expect(() => loadConfig(env)).toThrow(new ConfigError(message));
  });
});
