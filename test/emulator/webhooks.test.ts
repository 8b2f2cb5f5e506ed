/**
 * The emulator's webhooks: signed `deployment` / `deployment_status` deliveries whose bodies
 * conform to GitHub's published webhook schemas (@octokit/openapi `x-webhooks`), as do the
 * documented examples in test/fixtures/github-webhooks/.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { ValidateFunction } from 'ajv';
import { parseEvent } from '../../src/receiver/events.js';
import { signatureMatches } from '../../src/receiver/signature.js';
import { createOpenApiAjv } from '../../tools/github-emulator/index.js';
import { webhookExample } from '../support/webhooks.js';
import { SHA_A, startHarness, type Harness } from './helpers.js';

const SECRET = 'emulator-webhook-secret';

function webhookValidators(): Record<'deployment' | 'deployment_status', ValidateFunction> {
  const file = createRequire(import.meta.url).resolve('@octokit/openapi/generated/api.github.com.deref.json');
  const spec = JSON.parse(readFileSync(file, 'utf8')) as {
    'x-webhooks': Record<string, { post: { requestBody: { content: { 'application/json': { schema: object } } } } }>;
  };
  const ajv = createOpenApiAjv();
  const schema = (name: string) => openApiToAjv(spec['x-webhooks'][name]!.post.requestBody.content['application/json'].schema);
  return { deployment: ajv.compile(schema('deployment-created')), deployment_status: ajv.compile(schema('deployment-status-created')) };
}

/** Drops examples and GitHub's `x-` annotations; `nullable` without `type` (OpenAPI 3.0) becomes "or null". */
function openApiToAjv(schema: unknown): any {
  if (Array.isArray(schema)) return schema.map(openApiToAjv);
  if (typeof schema !== 'object' || schema === null) return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'example' || key.startsWith('x-')) continue;
    if (key === 'properties') out[key] = Object.fromEntries(Object.entries(value as object).map(([p, v]) => [p, openApiToAjv(v)]));
    else if (key === 'enum' || key === 'required' || key === 'default' || key === 'const') out[key] = value;
    else out[key] = openApiToAjv(value);
  }
  if (out.nullable === true && out.type === undefined) {
    delete out.nullable;
    return { anyOf: [out, { type: 'null' }] };
  }
  return out;
}

interface Received {
  headers: IncomingHttpHeaders;
  body: Buffer;
}

let h: Harness;
let server: Server;
const received: Received[] = [];
let validators: ReturnType<typeof webhookValidators>;

beforeAll(async () => {
  validators = webhookValidators();
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(202).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/github/webhook`;
  h = await startHarness({ webhooks: [{ url, secret: SECRET }] });
  h.emulator.addRepository('acme/shop', { commits: [SHA_A] });
});
afterAll(async () => {
  await h.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('webhook deliveries', () => {
  test('GitHub’s documented examples conform to the published schemas', () => {
    expect(validators.deployment(webhookExample('deployment'))).toBe(true);
    expect(validators.deployment_status(webhookExample('deployment_status'))).toBe(true);
    const incomplete = webhookExample('deployment_status');
    delete incomplete.repository.full_name;
    expect(validators.deployment_status(incomplete)).toBe(false);
  });

  test('a deployment and its statuses are delivered signed, with schema-valid payloads the receiver reads; inactive statuses are not', async () => {
    received.length = 0;
    const created = await h.rest('POST /repos/{owner}/{repo}/deployments', {
      owner: 'acme',
      repo: 'shop',
      ref: SHA_A,
      task: 'deploy:kuberik/my-app',
      environment: 'kuberik/my-app/staging',
      auto_merge: false,
      required_contexts: [],
    });
    await h.rest('POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses', {
      owner: 'acme',
      repo: 'shop',
      deployment_id: created.data.id,
      state: 'success',
    });
    await h.rest('POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses', {
      owner: 'acme',
      repo: 'shop',
      deployment_id: created.data.id,
      state: 'inactive',
    });
    await h.emulator.settleWebhooks();

    expect(received.map((r) => r.headers['x-github-event'])).toEqual(['deployment', 'deployment_status']);
    for (const r of received) {
      const event = r.headers['x-github-event'] as 'deployment' | 'deployment_status';
      expect(r.headers['content-type']).toBe('application/json');
      expect(r.headers['x-github-delivery']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(signatureMatches(r.body, r.headers['x-hub-signature-256'] as string, [Buffer.from(SECRET)])).toBe(true);
      const payload = JSON.parse(r.body.toString('utf8'));
      const valid = validators[event](payload);
      expect(validators[event].errors ?? []).toEqual([]);
      expect(valid).toBe(true);
      expect(parseEvent(event, payload)).toEqual({ subjects: [{ repository: 'acme/shop', application: 'kuberik/my-app', environment: 'staging' }] });
    }
    expect(JSON.parse(received[1]!.body.toString('utf8')).deployment_status.state).toBe('success');
    expect(h.emulator.webhookDeliveries.map((d) => [d.event, d.outcome])).toEqual([
      ['deployment', 202],
      ['deployment_status', 202],
    ]);
  });

  test('dropped deliveries are recorded and never sent', async () => {
    received.length = 0;
    h.emulator.dropWebhookDeliveries(true);
    await h.rest('POST /repos/{owner}/{repo}/deployments', {
      owner: 'acme',
      repo: 'shop',
      ref: SHA_A,
      task: 'deploy:kuberik/my-app',
      environment: 'kuberik/my-app/production',
      auto_merge: false,
      required_contexts: [],
    });
    await h.emulator.settleWebhooks();
    h.emulator.dropWebhookDeliveries(false);
    expect(received).toEqual([]);
    expect(h.emulator.webhookDeliveries.slice(-1).map((d) => [d.event, d.outcome])).toEqual([['deployment', 'dropped']]);
  });
});
