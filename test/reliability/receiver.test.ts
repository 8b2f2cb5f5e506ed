/**
 * Hostile webhook deliveries: bad or missing signatures, huge bodies, malformed JSON and
 * headers, replayed delivery ids, unknown events and repositories. None gets a 5xx or an
 * unhandled rejection, and the only Kubernetes write is the documented nudge: a merge patch
 * of the github-event annotation on an Environment that depends on an accepted, validly
 * signed delivery. The receiver has no GitHub client at all (src/receiver imports nothing
 * from src/github, an ESLint rule).
 */
import fc from 'fast-check';
import { GITHUB_EVENT_ANNOTATION, parseGithubEventAnnotation } from '../../src/core/github-event.js';
import { WEBHOOK_PATH } from '../../src/receiver/app.js';
import { signBody } from '../../src/receiver/signature.js';
import { environment, receiverUnderTest, SECRET } from '../support/receiver.js';
import { kuberikDelivery } from '../support/webhooks.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20261206);
const BODY_LIMIT = 8192;
const FOLLOWED = [environment('team-a', 'staging', 'staging'), environment('team-a', 'production', 'production', 'staging')];
const FOLLOWED_KEYS = new Set(['team-a/staging', 'team-a/production']);

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
beforeAll(() => process.on('unhandledRejection', onUnhandled));
afterAll(() => process.off('unhandledRejection', onUnhandled));

const body = fc.oneof(
  fc
    .record({
      event: fc.constantFrom('deployment' as const, 'deployment_status' as const),
      repository: fc.constantFrom('acme/shop', 'ACME/Shop', 'someone/else', 'acme/shop2'),
      app: fc.constantFrom('my-app', 'other-app', ''),
      env: fc.constantFrom('staging', 'production', 'qa', 'a/b', ''),
    })
    .map(({ event, repository, app, env }) => JSON.stringify(kuberikDelivery(event, repository, app, env))),
  fc.json(),
  fc.string({ maxLength: 200 }),
  fc.constant('{"repository":'),
  fc.constant(JSON.stringify({ padding: 'x'.repeat(BODY_LIMIT * 2) })),
  fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a).toString('latin1')),
);

const delivery = fc.record({
  body,
  event: fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom('deployment', 'deployment_status') },
    fc.constantFrom('ping', 'push', '', 'DEPLOYMENT', 'x'.repeat(100)),
  ),
  id: fc.oneof(fc.constantFrom('replayed-1', 'replayed-2'), { weight: 3, arbitrary: fc.uuid() }, fc.string({ maxLength: 80 }), fc.constant(undefined)),
  signature: fc.oneof({ weight: 3, arbitrary: fc.constant('valid') }, fc.constantFrom('wrong-secret', 'missing', 'garbage', 'truncated', 'sha1')),
  contentType: fc.constantFrom('application/json', 'application/x-www-form-urlencoded', 'text/plain', undefined),
});

function signatureFor(kind: string, payload: string): string | undefined {
  const valid = signBody(payload, SECRET);
  switch (kind) {
    case 'valid':
      return valid;
    case 'wrong-secret':
      return signBody(payload, 'not-the-secret');
    case 'garbage':
      return 'sha256=zz';
    case 'truncated':
      return valid.slice(0, -1);
    case 'sha1':
      return valid.replace('sha256=', 'sha1=');
    default:
      return undefined;
  }
}

describe('hostile webhook deliveries', () => {
  it('never get a 5xx, and only validly signed, accepted deliveries lead to the documented patch', async () => {
    const r = await receiverUnderTest(FOLLOWED, { bodyLimitBytes: BODY_LIMIT });
    const statuses = new Map<number, number>();
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(delivery, { minLength: 1, maxLength: 8 }), async (batch) => {
        const patchesBefore = r.writer.patches.length;
        let acceptedNow = 0;
        for (const d of batch) {
          const headers: Record<string, string> = {};
          if (d.contentType) headers['content-type'] = d.contentType;
          if (d.event) headers['x-github-event'] = d.event;
          if (d.id !== undefined) headers['x-github-delivery'] = d.id;
          const signature = signatureFor(d.signature, d.body);
          if (signature !== undefined) headers['x-hub-signature-256'] = signature;
          const res = await r.app.inject({ method: 'POST', url: WEBHOOK_PATH, payload: d.body, headers });
          statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
          expect(res.statusCode).toBeLessThan(500);
          if (d.signature !== 'valid' && Buffer.byteLength(d.body) <= BODY_LIMIT) expect(res.statusCode).toBe(401);
          if (res.statusCode === 202) acceptedNow++;
        }
        await r.nudger.flush();
        const written = r.writer.patches.slice(patchesBefore);
        if (acceptedNow === 0) expect(written).toEqual([]);
        accepted += acceptedNow;
        for (const { target, patch } of written) {
          expect(FOLLOWED_KEYS.has(`${target.namespace}/${target.name}`)).toBe(true);
          const annotations = (patch as { metadata: { annotations: Record<string, string> } }).metadata.annotations;
          expect(Object.keys(patch)).toEqual(['metadata']);
          expect(Object.keys(annotations)).toEqual([GITHUB_EVENT_ANNOTATION]);
          expect(parseGithubEventAnnotation(annotations[GITHUB_EVENT_ANNOTATION])).toBeDefined();
        }
        // Coalesced: at most one patch per followed Environment per flush.
        expect(written.length).toBeLessThanOrEqual(FOLLOWED_KEYS.size);
      }),
      { seed: SEED, numRuns: 150 },
    );
    expect(unhandled).toEqual([]);
    // The generators reach every kind of answer.
    expect([...statuses.keys()].sort()).toEqual(expect.arrayContaining([200, 202, 400, 401, 413]));
    expect(accepted).toBeGreaterThan(0);
  });
});
