/**
 * A wrong GitHub API URL (GITHUB_API_URL or a Secret's apiUrl) must not look like missing
 * access: an answer that is not GitHub's API (HTML, no GitHub headers) is NotGitHubApi, and a
 * failed connection names the host. Loopback servers stand in for the wrong targets.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startHarness, type Harness } from '../support/harness.js';
import { environment, rollout, secret, sha, syncRequest, TOKEN } from '../support/requests.js';

let h: Harness;
let webServer: Server | undefined;
afterEach(async () => {
  await h?.close();
  webServer?.close();
  webServer = undefined;
});

/** A web server that is not GitHub: every request gets this status and an HTML page. */
async function htmlServer(status: number): Promise<string> {
  webServer = createServer((_req, res) => {
    res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><html><body><h1>Welcome to our intranet</h1></body></html>');
  });
  webServer.listen(0, '127.0.0.1');
  await once(webServer, 'listening');
  return `http://127.0.0.1:${(webServer.address() as AddressInfo).port}`;
}

/** A loopback port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

const history = [{ id: 1, tag: 'v1.0.0', revision: sha('wrong-url-r1'), bakeStatus: 'Succeeded' }];

function secretWithApiUrl(apiUrl: string) {
  const s = secret();
  return { ...s, data: { ...s.data, apiUrl: Buffer.from(apiUrl).toString('base64') } };
}

async function readyCondition(request: unknown): Promise<{ status: string; reason: string; message: string }> {
  const res = await h.post('/sync', request);
  expect(res.status).toBe(200);
  return res.json.status.conditions.find((c: { type: string }) => c.type === 'Ready');
}

const warnings = () =>
  h.logs
    .map((line) => JSON.parse(line) as { level: number; msg: string; reason?: string })
    .filter((line) => line.level === 40)
    .map(({ msg, reason }) => ({ msg, reason }));

describe('an API URL that points at a web server, not GitHub', () => {
  test.each([404, 200])('an HTML %i is NotGitHubApi, with the host, status and content type, in the condition and the log', async (status) => {
    const base = await htmlServer(status);
    // The operator allowed this URL (ALLOWED_GITHUB_API_URLS): only then does a Secret's apiUrl reach it.
    h = await startHarness({ config: { allowedGithubApiUrls: [`${base}/api/v3`] } });
    const host = new URL(base).host;
    const ready = await readyCondition(
      syncRequest({ parent: environment({ environment: 'staging' }), rollout: rollout(history), secret: secretWithApiUrl(`${base}/api/v3`) }),
    );
    const message = `${host} answered ${status} text/html; charset=utf-8 during reading deployments, not as GitHub's API does (${base}/api/graphql): check GITHUB_API_URL or the Secret's apiUrl (GitHub Enterprise Server: https://HOST/api/v3)`;
    expect(ready).toMatchObject({ status: 'False', reason: 'NotGitHubApi', message });
    expect(warnings()).toEqual([{ msg: message, reason: 'NotGitHubApi' }]);
    expect(h.logs.join('\n')).not.toContain(TOKEN);
  });

  test('GITHUB_API_URL itself at a web server: the same', async () => {
    const base = await htmlServer(404);
    h = await startHarness({ config: { githubApiUrl: base } });
    const ready = await readyCondition(syncRequest({ parent: environment({ environment: 'staging' }), rollout: rollout(history) }));
    expect([ready.reason, ready.message.startsWith(`${new URL(base).host} answered 404 text/html; charset=utf-8 during reading deployments`)]).toEqual([
      'NotGitHubApi',
      true,
    ]);
  });

  test('the request metric keeps the status that came back', async () => {
    const base = await htmlServer(404);
    h = await startHarness({ config: { allowedGithubApiUrls: [base] } });
    await readyCondition(syncRequest({ parent: environment({ environment: 'staging' }), rollout: rollout(history), secret: secretWithApiUrl(base) }));
    const text = await (await fetch(`${h.metricsUrl}/metrics`)).text();
    expect(text.split('\n').filter((l) => l.startsWith('environment_sync_github_requests_total{'))).toEqual([
      'environment_sync_github_requests_total{api="graphql",operation="ReadLedger",status="404"} 1',
    ]);
  });

  test("GitHub's own JSON 404 is still RepositoryNotFound", async () => {
    // The emulator's first GraphQL answer (its schema loads) can take seconds on a busy machine.
    h = await startHarness({ config: { syncBudgetMs: 9_000, githubTimeoutMs: 8_000 } });
    const parent = environment({ environment: 'staging', project: 'my-org/no-such-repo' });
    const ready = await readyCondition(syncRequest({ parent, rollout: rollout(history) }));
    expect(ready.reason).toBe('RepositoryNotFound');
  });
});

describe('an API URL where nothing answers', () => {
  test('a refused connection names the host and the cause', async () => {
    const host = `127.0.0.1:${await closedPort()}`;
    h = await startHarness({ config: { allowedGithubApiUrls: [`http://${host}/api/v3`] } });
    const ready = await readyCondition(
      syncRequest({ parent: environment({ environment: 'staging' }), rollout: rollout(history), secret: secretWithApiUrl(`http://${host}/api/v3`) }),
    );
    const message = `GitHub at ${host} could not be reached during reading deployments (ECONNREFUSED: nothing listens there)`;
    expect(ready).toMatchObject({ status: 'False', reason: 'GitHubUnreachable', message });
    expect(warnings()).toEqual([{ msg: message, reason: 'GitHubUnreachable' }]);
  });
});
