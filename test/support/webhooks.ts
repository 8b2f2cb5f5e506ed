/** GitHub webhook deliveries for the receiver tests, derived from GitHub's documented examples (test/fixtures/github-webhooks/). */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { signBody } from '../../src/receiver/signature.js';
import { FIXTURES_DIR } from './fixtures.js';

export type WebhookEvent = 'deployment' | 'deployment_status' | 'ping';

export function webhookExample(event: WebhookEvent): any {
  return JSON.parse(readFileSync(path.join(FIXTURES_DIR, 'github-webhooks', `${event}.payload.json`), 'utf8'));
}

/** GitHub's example with kuberik's names: task `deploy:kuberik/<app>`, environment `kuberik/<app>/<env>`, repository `repository`. */
export function kuberikDelivery(event: 'deployment' | 'deployment_status', repository: string, app: string, environment: string): any {
  const payload = webhookExample(event);
  const githubEnvironment = `kuberik/${app}/${environment}`;
  payload.repository.full_name = repository;
  payload.deployment.task = `deploy:kuberik/${app}`;
  payload.deployment.environment = githubEnvironment;
  payload.deployment.original_environment = githubEnvironment;
  if (event === 'deployment_status') payload.deployment_status.environment = githubEnvironment;
  return payload;
}

/** The headers GitHub sends with a delivery of `body`. */
export function deliveryHeaders(event: string, deliveryId: string, body: string, secret: string): Record<string, string> {
  return {
    'content-type': 'application/json',
    'user-agent': 'GitHub-Hookshot/044aadd',
    'x-github-event': event,
    'x-github-delivery': deliveryId,
    'x-hub-signature-256': signBody(body, secret),
  };
}
