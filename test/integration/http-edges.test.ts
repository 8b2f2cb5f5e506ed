/** The HTTP edges Metacontroller's Go client meets: idle connections, content types, oversized bodies, request ids. */
import { connect } from 'node:net';
import { startHarness, type Harness } from '../support/harness.js';
import { environment, rollout, sha, syncRequest } from '../support/requests.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

describe('connection timeouts', () => {
  test("idle connections outlive the 90 s Go's default transport keeps them; headers and requests are bounded", async () => {
    h = await startHarness();
    expect([h.app.server.keepAliveTimeout, h.app.server.headersTimeout, h.app.server.requestTimeout]).toEqual([120_000, 10_000, 30_000]);
  });

  test('KEEP_ALIVE_TIMEOUT_MS sets the idle timeout', async () => {
    h = await startHarness({ config: { keepAliveTimeoutMs: 95_000 } });
    expect(h.app.server.keepAliveTimeout).toBe(95_000);
  });
});

describe('content types', () => {
  test.each(['text/plain', 'application/x-www-form-urlencoded', 'application/yaml'])('%s gets a 415', async (type) => {
    h = await startHarness();
    const res = await h.post('/sync', '{"parent": {}}', { 'content-type': type });
    expect(res.status).toBe(415);
    expect(res.json).toEqual({ error: 'UnsupportedMediaType', message: 'Send the hook request as application/json', details: [] });
  });

  test('application/json with a charset is JSON', async () => {
    h = await startHarness();
    const res = await h.post('/customize', { parent: environment({ environment: 'staging' }) }, { 'content-type': 'application/json; charset=utf-8' });
    expect(res.status).toBe(200);
  });
});

/** Writes `head` and `bodyBytes` bytes of body without waiting for an answer, then reads until the server closes. */
function rawPost(url: string, head: string, bodyBytes: number): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const received: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(received).toString('utf8')));
    socket.write(head);
    const chunk = Buffer.alloc(64 * 1024, 'x');
    let left = bodyBytes;
    const writeMore = (): void => {
      while (left > 0) {
        const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
        left -= piece.length;
        if (!socket.write(piece)) {
          socket.once('drain', writeMore);
          return;
        }
      }
    };
    writeMore();
  });
}

describe('bodies over BODY_LIMIT_BYTES', () => {
  const sixMegabytes = 6 * 1024 * 1024;

  test('written in full without Expect: 100-continue, as Go sends them: the client reads the 413', async () => {
    h = await startHarness();
    const answer = await rawPost(
      h.url,
      `POST /sync HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${sixMegabytes}\r\n\r\n`,
      sixMegabytes,
    );
    expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 413 Payload Too Large');
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toEqual({
      error: 'PayloadTooLarge',
      message: 'Request body exceeds 4194304 bytes',
      details: [],
    });
  });
});

describe('request ids', () => {
  const problemRequest = () =>
    syncRequest({ parent: environment({ environment: 'staging' }), rollout: rollout([{ id: 1, tag: 'v1', revision: sha('r1'), bakeStatus: 'Succeeded' }]) });
  const linesOf = (logs: string[]) => logs.map((line) => JSON.parse(line) as { msg: string; reqId?: string; level: number });

  test("every log line of a hook call carries the caller's x-request-id", async () => {
    h = await startHarness();
    h.emulator.injectFault({ match: { api: 'graphql' }, action: { kind: 'respond', status: 502, body: { message: 'Bad gateway' } } });
    const res = await h.post('/sync', problemRequest(), { 'x-request-id': 'metacontroller-42' });
    expect(res.status).toBe(200);
    const lines = linesOf(h.logs).filter((line) => !line.msg.startsWith('Server listening at http://127.0.0.1:'));
    // The GitHub problem (a warning from the reconciler) and the sync's own line.
    expect(lines.map((line) => [line.msg.startsWith('GitHub') ? 'GitHub problem' : line.msg, line.reqId])).toEqual([
      ['GitHub problem', 'metacontroller-42'],
      ['sync', 'metacontroller-42'],
    ]);
  });

  test('without one, each request gets its own UUID', async () => {
    h = await startHarness();
    await h.post('/sync', syncRequest({ parent: environment({ environment: 'staging' }), secret: null }));
    await h.post('/sync', syncRequest({ parent: environment({ environment: 'staging' }), secret: null }));
    const ids = linesOf(h.logs)
      .filter((line) => line.msg === 'sync')
      .map((line) => line.reqId);
    expect(ids).toHaveLength(2);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(ids[0]).not.toBe(ids[1]);
  });
});
