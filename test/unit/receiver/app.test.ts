import { GITHUB_EVENT_ANNOTATION } from '../../../src/core/github-event.js';
import { WEBHOOK_PATH } from '../../../src/receiver/app.js';
import { signBody } from '../../../src/receiver/signature.js';
import { deliveryHeaders, kuberikDelivery, webhookExample } from '../../support/webhooks.js';
import { environment, metricLines, receiverUnderTest, SECRET } from '../../support/receiver.js';

const ENVIRONMENTS = [environment('team-a', 'staging', 'staging'), environment('team-a', 'production', 'production', 'staging')];
const stagingBaked = JSON.stringify(kuberikDelivery('deployment_status', 'acme/shop', 'my-app', 'staging'));

async function deliver(
  app: Awaited<ReturnType<typeof receiverUnderTest>>['app'],
  event: string,
  id: string,
  body: string,
  headers: Record<string, string> = {},
) {
  const response = await app.inject({ method: 'POST', url: WEBHOOK_PATH, payload: body, headers: { ...deliveryHeaders(event, id, body, SECRET), ...headers } });
  return { status: response.statusCode, body: response.json() };
}

describe('the webhook route', () => {
  it('accepts a signed deployment_status for a followed environment, answers 202 and nudges staging and its downstream production once', async () => {
    const r = await receiverUnderTest(ENVIRONMENTS);
    expect(await deliver(r.app, 'deployment_status', 'guid-1', stagingBaked)).toEqual({ status: 202, body: { accepted: 2 } });
    expect(r.writer.patches).toEqual([]);
    await r.nudger.flush();
    expect(r.writer.patches).toEqual([
      {
        target: { namespace: 'team-a', name: 'production' },
        patch: { metadata: { annotations: { [GITHUB_EVENT_ANNOTATION]: 'guid-1@1970-01-01T00:16:40.000Z' } } },
      },
      {
        target: { namespace: 'team-a', name: 'staging' },
        patch: { metadata: { annotations: { [GITHUB_EVENT_ANNOTATION]: 'guid-1@1970-01-01T00:16:40.000Z' } } },
      },
    ]);
    expect(await metricLines(r.metrics, 'environment_sync_receiver_deliveries_total')).toEqual([
      'environment_sync_receiver_deliveries_total{event="deployment_status",outcome="accepted"} 1',
    ]);
  });

  it('answers 401 to unsigned and wrongly signed deliveries, without touching Kubernetes', async () => {
    const r = await receiverUnderTest(ENVIRONMENTS);
    expect(await deliver(r.app, 'deployment_status', 'guid-2', stagingBaked, { 'x-hub-signature-256': '' })).toEqual({
      status: 401,
      body: { error: 'Unauthorized', message: 'missing or invalid X-Hub-Signature-256' },
    });
    expect((await deliver(r.app, 'deployment_status', 'guid-3', stagingBaked, { 'x-hub-signature-256': signBody(stagingBaked, 'guess') })).status).toBe(401);
    const unsigned = await r.app.inject({
      method: 'POST',
      url: WEBHOOK_PATH,
      payload: stagingBaked,
      headers: { 'content-type': 'application/json', 'x-github-event': 'ping', 'x-github-delivery': 'guid-4' },
    });
    expect(unsigned.statusCode).toBe(401);
    await r.nudger.flush();
    expect(r.writer.patches).toEqual([]);
    expect(await metricLines(r.metrics, 'environment_sync_receiver_deliveries_total')).toEqual([
      'environment_sync_receiver_deliveries_total{event="deployment_status",outcome="bad_signature"} 2',
      'environment_sync_receiver_deliveries_total{event="ping",outcome="bad_signature"} 1',
    ]);
  });

  it('accepts deliveries signed with either secret while one is rotated', async () => {
    const r = await receiverUnderTest(ENVIRONMENTS, { secrets: ['the-new-one', SECRET] });
    expect((await deliver(r.app, 'deployment_status', 'guid-5', stagingBaked)).status).toBe(202);
    expect((await deliver(r.app, 'deployment_status', 'guid-6', stagingBaked, { 'x-hub-signature-256': signBody(stagingBaked, 'the-new-one') })).status).toBe(
      202,
    );
  });

  it('drops a redelivered X-GitHub-Delivery, answers ping, and ignores other events and repositories cheaply', async () => {
    const r = await receiverUnderTest(ENVIRONMENTS);
    expect((await deliver(r.app, 'deployment_status', 'guid-7', stagingBaked)).status).toBe(202);
    expect(await deliver(r.app, 'deployment_status', 'guid-7', stagingBaked)).toEqual({ status: 200, body: { duplicate: true } });
    expect(await deliver(r.app, 'ping', 'guid-8', JSON.stringify(webhookExample('ping')))).toEqual({ status: 200, body: { pong: true } });
    expect(await deliver(r.app, 'push', 'guid-9', '{}')).toEqual({ status: 200, body: { ignored: 'event' } });
    expect(await deliver(r.app, 'deployment', 'guid-10', JSON.stringify(webhookExample('deployment')))).toEqual({ status: 200, body: { ignored: 'subject' } });
    const elsewhere = JSON.stringify(kuberikDelivery('deployment', 'someone/else', 'my-app', 'staging'));
    expect(await deliver(r.app, 'deployment', 'guid-11', elsewhere)).toEqual({ status: 200, body: { ignored: 'no Environment' } });
    await r.nudger.flush();
    expect(r.writer.patches.length).toBe(2);
    expect(await metricLines(r.metrics, 'environment_sync_receiver_deliveries_total')).toEqual([
      'environment_sync_receiver_deliveries_total{event="deployment",outcome="ignored"} 2',
      'environment_sync_receiver_deliveries_total{event="deployment_status",outcome="accepted"} 1',
      'environment_sync_receiver_deliveries_total{event="deployment_status",outcome="duplicate"} 1',
      'environment_sync_receiver_deliveries_total{event="other",outcome="ignored"} 1',
      'environment_sync_receiver_deliveries_total{event="ping",outcome="ping"} 1',
    ]);
  });

  it('answers 413 to a body over the limit and 400 to malformed JSON or a missing delivery id', async () => {
    const r = await receiverUnderTest(ENVIRONMENTS, { bodyLimitBytes: 2048 });
    const huge = JSON.stringify({ padding: 'x'.repeat(4096) });
    expect((await deliver(r.app, 'deployment', 'guid-12', huge)).status).toBe(413);
    expect(await deliver(r.app, 'deployment', 'guid-13', '{"repository":')).toEqual({
      status: 400,
      body: { error: 'BadRequest', message: 'the body must be JSON (content type application/json)' },
    });
    expect((await deliver(r.app, 'deployment', '', '{}')).status).toBe(400);
    expect(await metricLines(r.metrics, 'environment_sync_receiver_deliveries_total')).toEqual([
      'environment_sync_receiver_deliveries_total{event="deployment",outcome="malformed"} 2',
      'environment_sync_receiver_deliveries_total{event="deployment",outcome="too_large"} 1',
    ]);
  });

  it('logs each delivery with its id, never the signature or the secret', async () => {
    const r = await receiverUnderTest(ENVIRONMENTS);
    await deliver(r.app, 'deployment_status', 'guid-14', stagingBaked);
    await deliver(r.app, 'deployment_status', 'guid-15', stagingBaked, { 'x-hub-signature-256': signBody(stagingBaked, 'guess') });
    await r.nudger.flush();
    const lines = r.logs.lines().filter((l) => l.msg === 'webhook delivery');
    expect(lines.map((l) => [l.delivery, l.event, l.outcome])).toEqual([
      ['guid-14', 'deployment_status', 'accepted'],
      ['guid-15', 'deployment_status', 'bad_signature'],
    ]);
    expect(lines[0].environments).toEqual(['team-a/production', 'team-a/staging']);
    const text = r.logs.text();
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(signBody(stagingBaked, SECRET).slice(7));
    expect(text).not.toContain(signBody(stagingBaked, 'guess').slice(7));
  });
});
