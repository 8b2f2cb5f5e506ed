/** GET /metrics after a known sequence of hook calls: every counter has an exact value. */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { request } from 'undici';
import { startHarness, type Harness } from '../support/harness.js';
import { environment, rollout, sha, syncRequest } from '../support/requests.js';

const R1 = sha('metrics-r1');
const staging = () => environment({ environment: 'staging' });
const history = [{ id: 1, tag: 'v1.0.0', revision: R1, bakeStatus: 'Succeeded' }];

let h: Harness;
let text: string;
let contentType: string | undefined;

/** `name{labels} value` lines of one metric family, labels as written by prom-client. */
function samples(name: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || line.startsWith('#')) continue;
    const m = /^(\S+?)(\{.*\})? (\S+)$/.exec(line);
    if (m && m[1] === name) out[m[2] ?? ''] = Number(m[3]);
  }
  return out;
}

beforeAll(async () => {
  h = await startHarness();
  // 1: first sync publishes v1.0.0 (read, create deployment, post status).
  await h.post('/sync', syncRequest({ parent: staging(), rollout: rollout(history) }));
  // 2: no change (a read, plus the new deployment's statuses: its latest status is new since the last read).
  await h.post('/sync', syncRequest({ parent: staging(), rollout: rollout(history) }));
  // 3: no Secret: answered without GitHub.
  await h.post('/sync', syncRequest({ parent: staging(), rollout: rollout(history), secret: null }));
  // 4: a malformed request.
  await h.post('/sync', { controller: {} });
  // 5: customize.
  await h.post('/customize', { parent: staging() });
  // 6: finalize marks the deployment inactive (read, post status).
  await h.post('/finalize', syncRequest({ parent: environment({ environment: 'staging', deletionTimestamp: '2026-11-26T11:59:00Z' }), finalizing: true }));
  const res = await request(`${h.metricsUrl}/metrics`);
  contentType = res.headers['content-type'] as string | undefined;
  text = await res.body.text();
});
afterAll(() => h.close());

describe('GET /metrics', () => {
  test('serves the Prometheus text format', () => {
    expect(contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(text).toContain('# TYPE environment_sync_hook_requests_total counter');
  });

  test('hook requests by hook and outcome', () => {
    expect(samples('environment_sync_hook_requests_total')).toEqual({
      '{hook="sync",outcome="ok"}': 3,
      '{hook="sync",outcome="rejected",error="InvalidRequest"}': 1,
      '{hook="customize",outcome="ok"}': 1,
      '{hook="finalize",outcome="ok"}': 1,
    });
  });

  test('syncs by the reason of their Ready condition', () => {
    expect(samples('environment_sync_syncs_total')).toEqual({
      '{hook="sync",reason="Synced"}': 2,
      '{hook="sync",reason="SecretNotFound"}': 1,
      '{hook="finalize",reason="Finalized"}': 1,
    });
  });

  test('sync duration: one observation per answered sync and finalize', () => {
    expect(samples('environment_sync_sync_duration_seconds_count')).toEqual({ '{hook="sync"}': 3, '{hook="finalize"}': 1 });
    expect(samples('environment_sync_sync_duration_seconds_bucket')['{le="+Inf",hook="sync"}']).toBe(3);
  });

  test('GitHub requests by api, operation and status', () => {
    expect(samples('environment_sync_github_requests_total')).toEqual({
      '{api="graphql",operation="ReadLedger",status="200"}': 4,
      '{api="rest",operation="CreateDeployment",status="201"}': 1,
      '{api="graphql",operation="PostDeploymentStatus",status="200"}': 2,
    });
    expect(h.emulator.counts()).toMatchObject({ total: 7, graphql: 6, rest: 1 });
  });

  test('deployments and statuses created', () => {
    expect(samples('environment_sync_github_deployments_created_total')).toEqual({ '': 1 });
    expect(samples('environment_sync_github_deployment_statuses_created_total')).toEqual({ '': 2 });
  });

  test('the last rate-limit remaining GitHub reported, per resource', async () => {
    const limits = (await request(`${h.emulator.url}/rate_limit`, { headers: { authorization: 'token ghp_integrationTestToken0123456789abcdef' } }).then((r) =>
      r.body.json(),
    )) as {
      resources: { core: { remaining: number }; graphql: { remaining: number } };
    };
    expect(limits.resources.core.remaining).toBe(4999);
    expect(samples('environment_sync_github_rate_limit_remaining')).toEqual({
      '{resource="graphql"}': limits.resources.graphql.remaining,
      '{resource="core"}': 4999,
    });
  });

  test('process metrics come from the same per-app registry, and count', () => {
    expect(Object.keys(samples('process_cpu_user_seconds_total'))).toEqual(['']);
    expect(samples('process_cpu_user_seconds_total')['']).toBeGreaterThan(0);
  });
});

describe('sync duration', () => {
  test('a sync that waited 400 ms on GitHub adds at least that to the sum', async () => {
    const other = await startHarness();
    try {
      other.emulator.injectFault({ match: { api: 'graphql' }, action: { kind: 'delay', ms: 400 } });
      const res = await other.post('/sync', syncRequest({ parent: staging(), rollout: rollout(history) }));
      expect(res.status).toBe(200);
      text = await (await request(`${other.metricsUrl}/metrics`)).body.text();
      expect(samples('environment_sync_sync_duration_seconds_count')).toEqual({ '{hook="sync"}': 1 });
      const sum = samples('environment_sync_sync_duration_seconds_sum')['{hook="sync"}']!;
      expect(sum).toBeGreaterThanOrEqual(0.4);
      expect(sum).toBeLessThan(5);
      expect(samples('environment_sync_sync_duration_seconds_bucket')['{le="0.25",hook="sync"}']).toBe(0);
      expect(samples('environment_sync_sync_duration_seconds_bucket')['{le="1",hook="sync"}']).toBe(1);
    } finally {
      await other.close();
    }
  });
});

describe('GitHub data age', () => {
  test('a sync served by a shared read 1.1 s old shows that age at the next scrape', async () => {
    // The shared reads' clock is the test's: the read is exactly 1.1 s old, however busy the machine.
    let clockMs = Date.parse('2026-11-26T12:00:00Z');
    const other = await startHarness({ config: { ledgerCacheTtlMs: 60_000 }, deps: { nowMs: () => clockMs } });
    try {
      // The first sync publishes v1.0.0 (a write drops the shared read); the second reads afresh and shares that read.
      await other.post('/sync', syncRequest({ parent: staging(), rollout: rollout(history) }));
      await other.post('/sync', syncRequest({ parent: staging(), rollout: rollout(history) }));
      clockMs += 1100;
      await other.post('/sync', syncRequest({ parent: staging(), rollout: rollout(history) }));
      text = await (await request(`${other.metricsUrl}/metrics`)).body.text();
      expect(samples('environment_sync_github_data_age_seconds')['']).toBe(1.1);
    } finally {
      await other.close();
    }
  });
});

describe('per-app registry', () => {
  test('a second app in the same process starts from zero', async () => {
    const other = await startHarness();
    try {
      const body = await (await request(`${other.metricsUrl}/metrics`)).body.text();
      expect(body).toContain('# TYPE environment_sync_hook_requests_total counter');
      expect(body).not.toMatch(/^environment_sync_hook_requests_total\{/m);
    } finally {
      await other.close();
    }
  });
});

describe('GitHub request status when GitHub fails', () => {
  test('the HTTP status GitHub sent, or unreachable when the connection broke', async () => {
    const other = await startHarness();
    try {
      other.emulator.injectFault({ match: { api: 'graphql' }, action: { kind: 'respond', status: 502, body: { message: 'Server Error' } } });
      await other.post('/sync', syncRequest({ parent: staging(), rollout: rollout(history) }));
      other.emulator.injectFault({ match: { api: 'graphql' }, action: { kind: 'reset' } });
      await other.post('/sync', syncRequest({ parent: staging(), rollout: rollout(history) }));
      text = await (await request(`${other.metricsUrl}/metrics`)).body.text();
      expect(samples('environment_sync_github_requests_total')).toEqual({
        '{api="graphql",operation="ReadLedger",status="502"}': 1,
        '{api="graphql",operation="ReadLedger",status="unreachable"}': 1,
      });
      expect(samples('environment_sync_syncs_total')).toEqual({
        '{hook="sync",reason="GitHubUnavailable"}': 1,
        '{hook="sync",reason="GitHubUnreachable"}': 1,
      });
    } finally {
      await other.close();
    }
  });
});
