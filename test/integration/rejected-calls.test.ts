/**
 * Rejected hook calls leave a trace: one info line each (request id, path, error code, size),
 * rate-limited; the request id comes back in a header; the metric counts them by error code.
 * And the two listeners keep apart: no metrics on the hook port, no hooks on the metrics port.
 */
import { request } from 'undici';
import { startHarness, type Harness } from '../support/harness.js';
import { environment } from '../support/requests.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

interface LogLine {
  level: number;
  msg: string;
  reqId: string;
  path: string;
  method: string;
  status: number;
  error: string;
  bytes: number | null;
  suppressed?: number;
}

const INFO = 30;
const rejectedLines = (): LogLine[] =>
  h.logs
    .map((line) => JSON.parse(line) as LogLine)
    .filter((line) => line.msg === 'rejected')
    .map(({ level, msg, reqId, path, method, status, error, bytes, suppressed }) => ({
      level,
      msg,
      reqId,
      path,
      method,
      status,
      error,
      bytes,
      ...(suppressed !== undefined ? { suppressed } : {}),
    }));

async function call(method: string, path: string, body: string | undefined, headers: Record<string, string>) {
  const res = await request(`${h.url}${path}`, { method: method as 'POST', headers, ...(body !== undefined ? { body } : {}) });
  const json = (await res.body.json()) as { error: string };
  return { status: res.statusCode, error: json.error, requestId: res.headers['x-request-id'], allow: res.headers.allow };
}

const json = { 'content-type': 'application/json' };
const tooBig = JSON.stringify({ parent: { pad: 'x'.repeat(2000) } });

describe('each rejected call: one info line, its request id echoed, its code counted', () => {
  test.each([
    ['POST', '/sync', '{not json', json, 400, 'InvalidJSON', 9],
    ['POST', '/sync', '{"controller":{}}', json, 400, 'InvalidRequest', 17],
    ['POST', '/customize', tooBig, json, 413, 'PayloadTooLarge', tooBig.length],
    ['POST', '/finalize', '{}', { 'content-type': 'text/plain' }, 415, 'UnsupportedMediaType', 2],
    ['POST', '/nope', '{}', json, 404, 'NotFound', 2],
    ['GET', '/sync', undefined, {}, 405, 'MethodNotAllowed', null],
  ] as const)('%s %s with body %j', async (method, path, body, headers, status, error, bytes) => {
    h = await startHarness({ config: { bodyLimitBytes: 1024 } });
    const answer = await call(method, path, body, { ...headers, 'x-request-id': `mc-${status}` });
    expect([answer.status, answer.error, answer.requestId]).toEqual([status, error, `mc-${status}`]);
    expect(rejectedLines()).toEqual([{ level: INFO, msg: 'rejected', reqId: `mc-${status}`, path, method, status, error, bytes }]);
  });

  test('a wrong method gets 405 with the methods that path answers', async () => {
    h = await startHarness();
    expect(await call('PUT', '/finalize', '{}', json)).toEqual({ status: 405, error: 'MethodNotAllowed', requestId: expect.any(String), allow: 'POST' });
    expect(await call('POST', '/readyz', '{}', json)).toEqual({ status: 405, error: 'MethodNotAllowed', requestId: expect.any(String), allow: 'GET, HEAD' });
  });

  test('without x-request-id the generated id is echoed and logged', async () => {
    h = await startHarness();
    const answer = await call('POST', '/sync', '', json);
    expect(answer.requestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(rejectedLines().map((line) => [line.reqId, line.error])).toEqual([[answer.requestId, 'EmptyBody']]);
  });

  test('answers that are not rejections carry the request id too and log no rejected line', async () => {
    h = await startHarness();
    const res = await request(`${h.url}/customize`, {
      method: 'POST',
      headers: { ...json, 'x-request-id': 'mc-ok' },
      body: JSON.stringify({ parent: environment({ environment: 'staging' }) }),
    });
    await res.body.dump();
    expect([res.statusCode, res.headers['x-request-id']]).toEqual([200, 'mc-ok']);
    expect(rejectedLines()).toEqual([]);
  });

  test('the outcome="rejected" metric has the error code as a label', async () => {
    h = await startHarness({ config: { bodyLimitBytes: 1024 } });
    await call('POST', '/sync', '{not json', json);
    await call('POST', '/sync', '{not json', json);
    await call('POST', '/customize', tooBig, json);
    await call('POST', '/finalize', '{}', { 'content-type': 'text/plain' });
    await call('GET', '/sync', undefined, {}); // no hook ran: not a hook request
    const text = await (await request(`${h.metricsUrl}/metrics`)).body.text();
    expect(text.split('\n').filter((line) => line.startsWith('environment_sync_hook_requests_total{'))).toEqual([
      'environment_sync_hook_requests_total{hook="sync",outcome="rejected",error="InvalidJSON"} 2',
      'environment_sync_hook_requests_total{hook="customize",outcome="rejected",error="PayloadTooLarge"} 1',
      'environment_sync_hook_requests_total{hook="finalize",outcome="rejected",error="UnsupportedMediaType"} 1',
    ]);
  });
});

describe('a flood of rejected calls', () => {
  test('20 lines at once, then one a second; the next line counts the lines held back', async () => {
    let clockMs = 0;
    h = await startHarness({ deps: { nowMs: () => clockMs } });
    for (let i = 0; i < 25; i++) await call('POST', '/nope', '{}', json);
    expect(rejectedLines()).toHaveLength(20);
    clockMs += 1000;
    await call('POST', '/nope', '{}', { ...json, 'x-request-id': 'after-the-flood' });
    await call('POST', '/nope', '{}', json);
    const lines = rejectedLines();
    expect(lines).toHaveLength(21);
    expect([lines[20]!.reqId, lines[20]!.suppressed]).toEqual(['after-the-flood', 5]);
  });
});

describe('two listeners', () => {
  test('the hook port serves no metrics', async () => {
    h = await startHarness();
    expect(await call('GET', '/metrics', undefined, {})).toEqual({ status: 404, error: 'NotFound', requestId: expect.any(String), allow: undefined });
  });

  test('the metrics port serves GET /metrics and no hook', async () => {
    h = await startHarness();
    const scrape = await request(`${h.metricsUrl}/metrics`);
    expect([scrape.statusCode, (await scrape.body.text()).includes('# TYPE environment_sync_hook_requests_total counter')]).toEqual([200, true]);
    for (const path of ['/sync', '/customize', '/finalize']) {
      const res = await request(`${h.metricsUrl}${path}`, { method: 'POST', headers: json, body: '{}' });
      expect([path, res.statusCode, ((await res.body.json()) as { error: string }).error]).toEqual([path, 404, 'NotFound']);
    }
    const post = await request(`${h.metricsUrl}/metrics`, { method: 'POST', headers: json, body: '{}' });
    expect([post.statusCode, post.headers.allow]).toEqual([405, 'GET, HEAD']);
    await post.body.dump();
  });
});
