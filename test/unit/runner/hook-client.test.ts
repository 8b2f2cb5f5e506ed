import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { callHook, HookCallError, HookTooManyRequestsError } from '../../../src/runner/hook-client.js';

describe('callHook over loopback HTTP', () => {
  let server: http.Server;
  let base: string;
  const received: { method?: string; type?: string; body: string }[] = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ method: req.method, type: req.headers['content-type'], body: Buffer.concat(chunks).toString('utf8') });
        if (req.url === '/ok') res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":{}}');
        else if (req.url === '/busy') res.writeHead(429, { 'retry-after': '3' }).end();
        else if (req.url === '/broken') res.writeHead(500).end('{"error":"InternalError"}');
        // /silent never answers
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('POSTs the request as JSON and returns the 200 body', async () => {
    expect(await callHook({ url: `${base}/ok`, timeoutMs: 2000 }, { parent: { a: 1 } })).toBe('{"status":{}}');
    expect(received.at(-1)).toEqual({ method: 'POST', type: 'application/json', body: '{"parent":{"a":1}}' });
  });

  it('429 carries the Retry-After delay', async () => {
    await expect(callHook({ url: `${base}/busy`, timeoutMs: 2000 }, {})).rejects.toEqual(new HookTooManyRequestsError(3000));
  });

  it('any other status is an error naming status and body', async () => {
    await expect(callHook({ url: `${base}/broken`, timeoutMs: 2000 }, {})).rejects.toEqual(
      new HookCallError('unsupported status code: 500 body: {"error":"InternalError"}'),
    );
  });

  it('gives up after the hook timeout', async () => {
    await expect(callHook({ url: `${base}/silent`, timeoutMs: 200 }, {})).rejects.toEqual(
      new HookCallError(`http error: POST ${base}/silent: no answer within 200 ms`),
    );
  });
});
