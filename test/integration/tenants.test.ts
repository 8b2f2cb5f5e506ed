/**
 * Tenants that do not trust each other share one service. A Secret is tenant input: its
 * installation id is not secret, its apiUrl may name a host the tenant controls. The
 * honest tenant talks to the GitHub emulator; the hostile tenant's host is a loopback
 * server that records every header it receives and answers token exchanges with a fake
 * token, when a test opens its gate. Orders of events are forced with gates, never timers.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { request as httpRequest } from 'undici';
import { TOKEN, environment, rollout, secret, sha, syncRequest } from '../support/requests.js';
import { NOW, startHarness, type Harness } from '../support/harness.js';

const APP_ID = 123456;
const INSTALLATION_ID = 987654;
const history = [{ id: 1, tag: 'v1.0.0', revision: sha('tenant-r1'), bakeStatus: 'Succeeded' }];
/** Budgets far above any sync's duration on a busy machine: gates, not the clock, decide the order of events. */
const PATIENT = { syncBudgetMs: 15_000, githubTimeoutMs: 15_000 };
const FAKE_TOKEN = 'ghs_hostileFakeToken000000000000000000000';

let honestKey: string;
let honestPublicKey: string;
let hostileKey: string;
let hostilePublicKey: string;

beforeAll(() => {
  const pair = () =>
    generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    });
  ({ privateKey: honestKey, publicKey: honestPublicKey } = pair());
  ({ privateKey: hostileKey, publicKey: hostilePublicKey } = pair());
});

interface Gate {
  promise: Promise<void>;
  open: () => void;
}

function gate(): Gate {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

/** A loopback API host that records every request and answers token exchanges once `tokenGate` opens. */
class HostileHost {
  readonly received: { method: string; url: string; headers: IncomingHttpHeaders }[] = [];
  tokenGate: Gate = gate();
  /** Resolves when a token exchange arrives (and waits at the gate). */
  readonly tokenRequested = gate();
  private constructor(private readonly server: Server) {}

  static async start(): Promise<HostileHost> {
    const server = createServer();
    const host = new HostileHost(server);
    server.on('request', (req, res) => {
      host.received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
      req.resume();
      const json = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.url?.endsWith('/access_tokens')) {
        host.tokenRequested.open();
        void host.tokenGate.promise.then(() => json(201, { token: FAKE_TOKEN, expires_at: '2099-01-01T00:00:00Z' }));
        return;
      }
      json(401, { message: 'Bad credentials' });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return host;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  authorizations(): string[] {
    return this.received.map((r) => String(r.headers.authorization ?? ''));
  }

  async close(): Promise<void> {
    this.tokenGate.open();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function appSecret(keys: Record<string, string>) {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'github-token', namespace: 'default' },
    type: 'Opaque',
    data: Object.fromEntries(Object.entries(keys).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  };
}

const honestRequest = () =>
  syncRequest({
    parent: environment({ environment: 'staging' }),
    rollout: rollout(history),
    secret: appSecret({ appId: String(APP_ID), privateKey: honestKey, installationId: String(INSTALLATION_ID) }) as never,
  });
const hostileRequest = (apiUrl: string) =>
  syncRequest({
    parent: environment({ environment: 'production', name: 'intruder' }),
    rollout: rollout(history),
    secret: appSecret({ appId: String(APP_ID), privateKey: hostileKey, installationId: String(INSTALLATION_ID), apiUrl }) as never,
  });

const ready = (res: { json: any }) => res.json.status.conditions.find((c: { type: string }) => c.type === 'Ready');

/** Whether a JWT's RS256 signature verifies with `publicKey`. */
function signedBy(jwt: string, publicKey: string): boolean {
  const [header, payload, signature] = jwt.split('.');
  return verify('RSA-SHA256', Buffer.from(`${header}.${payload}`), createPublicKey(publicKey), Buffer.from(signature ?? '', 'base64url'));
}

let h: Harness | undefined;
let hostile: HostileHost | undefined;

async function start(): Promise<{ h: Harness; hostile: HostileHost }> {
  hostile = await HostileHost.start();
  // The operator allowed the hostile host (a GitHub Enterprise Server, as far as they know): item 1 must hold even then.
  h = await startHarness({
    emulator: { tokens: [], clock: () => NOW },
    config: { allowedGithubApiUrls: [hostile.url], ...PATIENT },
  });
  h.emulator.addApp({ id: APP_ID, publicKey: honestPublicKey, installations: [INSTALLATION_ID] });
  return { h, hostile };
}

afterEach(async () => {
  await hostile?.close();
  await h?.close();
  h = undefined;
  hostile = undefined;
});

/** What must hold after both syncs, whatever the order: each side used its own token, and only at its own host. */
function expectSeparated(h: Harness, hostile: HostileHost): void {
  const issued = h.emulator.installationTokens().map((t) => t.token);
  expect(issued).toHaveLength(1);
  const authorizations = hostile.authorizations();
  for (const value of authorizations) for (const token of issued) expect(value).not.toContain(token);
  const jwts = authorizations.filter((a) => a.startsWith('bearer ')).map((a) => a.slice('bearer '.length));
  expect(jwts).toHaveLength(1);
  expect(jwts.map((jwt) => [signedBy(jwt, hostilePublicKey), signedBy(jwt, honestPublicKey)])).toEqual([[true, false]]);
  // The hostile tenant's own (fake) token went to its own host only; GitHub never saw it.
  expect(hostile.received.map((r) => `${r.method} ${r.url} ${r.headers.authorization?.split(' ')[0]}`)).toEqual([
    `POST /app/installations/${INSTALLATION_ID}/access_tokens bearer`,
    'POST /graphql token',
  ]);
  expect(authorizations[1]).toBe(`token ${FAKE_TOKEN}`);
  expect(h.emulator.requests.filter((r) => r.status === 401)).toEqual([]);
}

describe('GitHub App tokens stay with the Secret that obtained them', () => {
  test('hostile exchange first: the honest exchange neither waits for it nor takes its fake token', async () => {
    const { h, hostile } = await start();
    const intruder = h.post('/sync', hostileRequest(hostile.url));
    await hostile.tokenRequested.promise;

    // The hostile host holds its exchange open; the honest sync completes meanwhile.
    const honest = await h.post('/sync', honestRequest());
    expect(ready(honest)).toMatchObject({ status: 'True', reason: 'Synced' });
    expect(h.emulator.requests.map((r) => `${r.method} ${r.api === 'graphql' ? r.operationName : r.path} ${r.status}`)).toEqual([
      `POST /app/installations/${INSTALLATION_ID}/access_tokens 201`,
      'POST ReadLedger 200',
      'POST /repos/my-org/my-repo/deployments 201',
      'POST PostDeploymentStatus 200',
    ]);

    hostile.tokenGate.open();
    expect(ready(await intruder)).toMatchObject({ status: 'False', reason: 'GitHubUnauthorized' });
    expectSeparated(h, hostile);
  });

  test('honest exchange first: the hostile Secret naming the same installation gets no share of it', async () => {
    const { h, hostile } = await start();
    hostile.tokenGate.open();
    const honestGate = gate();
    const honestArrived = gate();
    h.emulator.injectFault({
      match: { pathIncludes: '/access_tokens' },
      action: { kind: 'gate', until: honestGate.promise, onArrival: honestArrived.open },
    });
    const honest = h.post('/sync', honestRequest());
    await honestArrived.promise;

    // While the honest exchange is in flight, the hostile tenant asks for the same installation id.
    const intruder = await h.post('/sync', hostileRequest(hostile.url));
    expect(ready(intruder)).toMatchObject({ status: 'False', reason: 'GitHubUnauthorized' });

    honestGate.open();
    expect(ready(await honest)).toMatchObject({ status: 'True', reason: 'Synced' });
    expectSeparated(h, hostile);
  });
});

describe('apiUrl the operator did not allow', () => {
  test('Ready=False ApiUrlNotAllowed naming ALLOWED_GITHUB_API_URLS, on sync and finalize, and the host receives nothing', async () => {
    hostile = await HostileHost.start();
    h = await startHarness({ config: PATIENT });
    const target = hostile.url;
    for (const apiUrl of [target, `${target}/api/v3`, target.replace('http:', 'https:')]) {
      const res = await h.post(
        '/sync',
        syncRequest({ parent: environment({ environment: 'staging' }), rollout: rollout(history), secret: tokenSecret(apiUrl) }),
      );
      expect(ready(res)).toMatchObject({
        status: 'False',
        reason: 'ApiUrlNotAllowed',
        message:
          'The API URL in Secret default/github-token key "apiUrl" is not allowed: only GITHUB_API_URL and the URLs the operator lists in ALLOWED_GITHUB_API_URLS are',
      });
    }
    const deleting = environment({ environment: 'staging', deletionTimestamp: '2026-11-26T11:59:00Z' });
    const finalized = await h.post('/finalize', syncRequest({ parent: deleting, rollout: rollout(history), secret: tokenSecret(target), finalizing: true }));
    expect(finalized.status).toBe(200);
    expect(hostile.received).toEqual([]);
    expect(h.emulator.requests).toEqual([]);
  });

  test('a path that would smuggle a query (…/metrics?x=) is no API URL at all: InvalidSecret', async () => {
    hostile = await HostileHost.start();
    h = await startHarness({ config: { allowedGithubApiUrls: [hostile.url], ...PATIENT } });
    const res = await h.post(
      '/sync',
      syncRequest({ parent: environment({ environment: 'staging' }), rollout: rollout(history), secret: tokenSecret(`${hostile.url}/metrics?x=`) }),
    );
    expect(ready(res)).toMatchObject({ status: 'False', reason: 'InvalidSecret' });
    expect(hostile.received).toEqual([]);
  });
});

describe('reads are shared only by Environments with the same credential', () => {
  test("a second tenant of the same repository reads with its own token instead of taking the first one's shared read", async () => {
    const otherToken = 'ghp_otherTenantToken0123456789abcdefghij';
    h = await startHarness({ emulator: { tokens: [TOKEN, otherToken] }, config: { ledgerCacheTtlMs: 60_000, ...PATIENT } });
    const sync = (token: string) =>
      h!.post('/sync', syncRequest({ parent: environment({ environment: 'staging' }), rollout: rollout([]), secret: secret(token) }));
    for (const token of [TOKEN, TOKEN, otherToken]) expect(ready(await sync(token))).toMatchObject({ status: 'True', reason: 'Synced' });
    expect(h.emulator.requests.map((r) => r.operationName)).toEqual(['ReadLedger', 'ReadLedger']);
  });
});

describe('what an API host can put into status and metrics', () => {
  test('its message reaches the condition as one bounded line; an unknown x-ratelimit-resource is the label "other"', async () => {
    h = await startHarness({ config: PATIENT });
    h.emulator.injectFault({
      match: { api: 'graphql' },
      action: {
        kind: 'respond',
        status: 401,
        body: { message: `Bad\r\ncredentials\u202e\u0000 ${'x'.repeat(500)}` },
        headers: { 'x-ratelimit-resource': 'evil_{a="b"}', 'x-ratelimit-remaining': '17' },
      },
    });
    const res = await h.post('/sync', syncRequest({ parent: environment({ environment: 'staging' }), rollout: rollout(history) }));
    expect(ready(res)).toMatchObject({
      reason: 'GitHubUnauthorized',
      message: `GitHub rejected the token (401 Bad credentials ${'x'.repeat(184)}) during reading deployments`,
    });
    const metrics = await (await httpRequest(`${h.metricsUrl}/metrics`)).body.text();
    expect(metrics.split('\n').filter((l) => l.startsWith('environment_sync_github_rate_limit_remaining{'))).toEqual([
      'environment_sync_github_rate_limit_remaining{resource="other"} 17',
    ]);
  });
});

function tokenSecret(apiUrl: string) {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'github-token', namespace: 'default' },
    type: 'Opaque',
    data: { token: Buffer.from('ghp_tenantToken').toString('base64'), apiUrl: Buffer.from(apiUrl).toString('base64') },
  } as never;
}
