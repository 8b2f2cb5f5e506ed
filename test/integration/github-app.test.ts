/**
 * GitHub App authentication end to end: the service signs a JWT with the App's private
 * key, exchanges it at the emulator for an installation token, caches it and refreshes it
 * before it expires. The keypair is generated per run; nothing secret is committed.
 */
import { generateKeyPairSync } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { request as httpRequest } from 'undici';
import { NAMESPACE, environment, rollout, sha, syncRequest } from '../support/requests.js';
import { startHarness, type Harness, NOW } from '../support/harness.js';

const APP_ID = 123456;
const INSTALLATION_ID = 987654;
const R1 = sha('app-r1');
const history = [{ id: 1, tag: 'v1.0.0', revision: R1, bakeStatus: 'Succeeded' }];

let privateKey: string;
let publicKey: string;
let otherPrivateKey: string;

beforeAll(() => {
  const pair = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });
  privateKey = pair.privateKey;
  publicKey = pair.publicKey;
  otherPrivateKey = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  }).privateKey;
});

function appSecret(keys: Record<string, string>) {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'github-token', namespace: NAMESPACE },
    type: 'Opaque',
    data: Object.fromEntries(Object.entries(keys).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  };
}

const appKeys = () => ({ appId: String(APP_ID), privateKey, installationId: String(INSTALLATION_ID) });

function request(keys: Record<string, string> = appKeys()) {
  return syncRequest({ parent: environment({ environment: 'staging' }), rollout: rollout(history), secret: appSecret(keys) as never });
}

const ready = (res: { json: any }) => res.json.status.conditions.find((c: { type: string }) => c.type === 'Ready');
const tokenRequests = (h: Harness) => h.emulator.requests.filter((r) => r.path.endsWith('/access_tokens'));

let h: Harness | undefined;
let clock = NOW;

async function start(options: Parameters<typeof startHarness>[0] = {}): Promise<Harness> {
  clock = NOW;
  // No personal access token is accepted: only installation tokens the emulator issued.
  const harness = await startHarness({ ...options, emulator: { tokens: [], clock: () => clock, ...options.emulator } });
  harness.emulator.addApp({ id: APP_ID, publicKey, installations: [INSTALLATION_ID] });
  return harness;
}

function advance(minutes: number): void {
  clock = new Date(clock.getTime() + minutes * 60_000);
  h!.setNow(clock);
}

afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('GitHub App installation', () => {
  test('syncs with an installation token obtained once and reused while it is fresh', async () => {
    h = await start();
    const first = await h.post('/sync', request());
    expect(ready(first)).toMatchObject({ status: 'True', reason: 'Synced' });
    expect(h.emulator.requests.map((r) => `${r.method} ${r.api === 'graphql' ? r.operationName : r.path.replace(/\?.*/, '')} ${r.status}`)).toEqual([
      `POST /app/installations/${INSTALLATION_ID}/access_tokens 201`,
      'POST ReadLedger 200',
      'POST /repos/my-org/my-repo/deployments 201',
      'POST PostDeploymentStatus 200',
    ]);
    expect(h.emulator.installationTokens()).toEqual([
      { token: expect.stringMatching(/^ghs_[A-Za-z0-9_-]{36}$/), appId: APP_ID, installationId: INSTALLATION_ID, expiresAt: '2026-11-26T13:00:00Z' },
    ]);

    advance(50);
    await h.post('/sync', request());
    expect(tokenRequests(h)).toHaveLength(1);
  });

  test('concurrent syncs of one installation share one token request, which the metrics count', async () => {
    h = await start();
    const production = syncRequest({ parent: environment({ environment: 'production' }), rollout: rollout(history), secret: appSecret(appKeys()) as never });
    const answers = await Promise.all([h.post('/sync', request()), h.post('/sync', production)]);
    expect(answers.map((a) => ready(a).reason)).toEqual(['Synced', 'Synced']);
    expect(tokenRequests(h)).toHaveLength(1);
    const metrics = await (await httpRequest(`${h.metricsUrl}/metrics`)).body.text();
    expect(metrics).toContain('environment_sync_github_requests_total{api="rest",operation="CreateInstallationToken",status="201"} 1\n');
  });

  test('refreshes the token five minutes before it expires, while the old one still works', async () => {
    h = await start();
    await h.post('/sync', request());
    advance(56);
    const res = await h.post('/sync', request());
    expect(ready(res)).toMatchObject({ status: 'True', reason: 'Synced' });
    expect(tokenRequests(h).map((r) => r.status)).toEqual([201, 201]);
    expect(h.emulator.installationTokens().map((t) => t.expiresAt)).toEqual(['2026-11-26T13:00:00Z', '2026-11-26T13:56:00Z']);
  });

  test('a token GitHub no longer accepts is forgotten: the next sync gets a new one', async () => {
    h = await start();
    await h.post('/sync', request());
    // GitHub revokes the token (say the App was reinstalled): the emulator answers 401 once.
    h.emulator.injectFault({ match: { api: 'graphql' }, action: { kind: 'respond', status: 401, body: { message: 'Bad credentials' } } });
    expect(ready(await h.post('/sync', request()))).toMatchObject({ status: 'False', reason: 'GitHubUnauthorized' });
    expect(ready(await h.post('/sync', request()))).toMatchObject({ status: 'True', reason: 'Synced' });
    expect(tokenRequests(h)).toHaveLength(2);
  });

  test("a key that is not the App's: GitHubAppAuthFailed, and no key in logs or responses", async () => {
    h = await start();
    const res = await h.post('/sync', request({ ...appKeys(), privateKey: otherPrivateKey }));
    expect(ready(res)).toEqual({
      type: 'Ready',
      status: 'False',
      reason: 'GitHubAppAuthFailed',
      message: `GitHub App ${APP_ID} (installation ${INSTALLATION_ID}) could not get an installation token (401: A JSON web token could not be decoded); check appId and privateKey`,
      lastTransitionTime: '2026-11-26T12:00:00Z',
      observedGeneration: 1,
    });
    expect(h.emulator.requests.map((r) => r.path)).toEqual([`/app/installations/${INSTALLATION_ID}/access_tokens`]);
    const everything = [...h.logs, res.text].join('\n');
    for (const key of [privateKey, otherPrivateKey]) {
      const body = key.split('\n')[1]!;
      expect(everything).not.toContain(body);
    }
  });

  test('another key with the same App and installation ids never gets the cached token: it makes its own exchange, which GitHub refuses', async () => {
    h = await start();
    expect(ready(await h.post('/sync', request()))).toMatchObject({ status: 'True', reason: 'Synced' });
    const res = await h.post('/sync', request({ ...appKeys(), privateKey: otherPrivateKey }));
    expect(ready(res)).toMatchObject({ status: 'False', reason: 'GitHubAppAuthFailed' });
    expect(tokenRequests(h).map((r) => r.status)).toEqual([201, 401]);
    expect(ready(await h.post('/sync', request()))).toMatchObject({ status: 'True', reason: 'Synced' });
    expect(tokenRequests(h)).toHaveLength(2);
  });

  test('a PEM that is no usable key: GitHubAppAuthFailed before any request', async () => {
    h = await start();
    const res = await h.post('/sync', request({ ...appKeys(), privateKey: '-----BEGIN RSA PRIVATE KEY-----\nbm90IGEga2V5\n-----END RSA PRIVATE KEY-----' }));
    expect(ready(res)).toMatchObject({
      reason: 'GitHubAppAuthFailed',
      message: `GitHub App ${APP_ID} (installation ${INSTALLATION_ID}) could not sign its JWT: the privateKey is not a usable RSA private key`,
    });
    expect(h.emulator.requests).toEqual([]);
    expect(await (await httpRequest(`${h.metricsUrl}/metrics`)).body.text()).not.toContain('operation="CreateInstallationToken"');
  });

  test('an installation the App does not have: GitHubAppAuthFailed with a hint', async () => {
    h = await start();
    const res = await h.post('/sync', request({ ...appKeys(), installationId: '1' }));
    expect(ready(res).reason).toBe('GitHubAppAuthFailed');
    expect(ready(res).message).toBe(
      `GitHub App ${APP_ID} (installation 1) could not get an installation token (404: Not Found); check installationId and that the App is installed on the repository owner`,
    );
  });

  test.each([
    [{ appId: 'my-app' }, 'InvalidSecret', 'Secret default/github-token key "appId" must be the numeric App ID'],
    [{ installationId: '12ab' }, 'InvalidSecret', 'Secret default/github-token key "installationId" must be the numeric installation ID'],
    [
      { privateKey: 'ghp_notAKey' },
      'InvalidSecret',
      'Secret default/github-token key "privateKey" must be the App\'s PEM private key (-----BEGIN RSA PRIVATE KEY----- …)',
    ],
    [{ installationId: '' }, 'SecretKeyMissing', 'Secret default/github-token has GitHub App keys but lacks "installationId"'],
    [
      { apiUrl: 'ftp://github.example.com' },
      'InvalidSecret',
      'Secret default/github-token key "apiUrl" must be an https URL without credentials, query string or fragment, such as https://github.example.com/api/v3',
    ],
  ])('a malformed App Secret %j: %s, without asking GitHub', async (override, reason, message) => {
    h = await start();
    const res = await h.post('/sync', request({ ...appKeys(), ...override }));
    expect(ready(res)).toMatchObject({ status: 'False', reason, message });
    expect(h.emulator.requests).toEqual([]);
  });
});

describe('GitHub Enterprise Server', () => {
  test("the Secret's apiUrl wins over GITHUB_API_URL: App token, REST and GraphQL all under the GHES layout", async () => {
    // GITHUB_API_URL points nowhere; only the Secret's apiUrl can make this sync succeed.
    h = await start({ config: (emulatorUrl) => ({ githubApiUrl: 'http://127.0.0.1:9', allowedGithubApiUrls: [`${emulatorUrl}/api/v3`] }) });
    const res = await h.post('/sync', request({ ...appKeys(), apiUrl: `${h.emulator.url}/api/v3/` }));
    expect(ready(res)).toMatchObject({ status: 'True', reason: 'Synced' });
    expect(h.emulator.requests.map((r) => [r.method, r.path.replace(/\?.*/, ''), r.previews ?? []])).toEqual([
      ['POST', `/api/v3/app/installations/${INSTALLATION_ID}/access_tokens`, []],
      ['POST', '/api/graphql', []],
      ['POST', '/api/v3/repos/my-org/my-repo/deployments', []],
      ['POST', '/api/graphql', ['flash']],
    ]);
  });

  test('token mode: the deployment-status mutation asks for the flash preview, reads do not', async () => {
    h = await startHarness({ ghes: true });
    const res = await h.post('/sync', syncRequest({ parent: environment({ environment: 'staging' }), rollout: rollout(history) }));
    expect(ready(res)).toMatchObject({ status: 'True', reason: 'Synced' });
    expect(h.emulator.requests.filter((r) => r.api === 'graphql').map((r) => [r.path, r.operationName, r.mutation, r.previews ?? []])).toEqual([
      ['/api/graphql', 'ReadLedger', false, []],
      ['/api/graphql', 'PostDeploymentStatus', true, ['flash']],
    ]);
  });
});
