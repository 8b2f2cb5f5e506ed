/**
 * Event-driven promotion (issue 21) through the real Metacontroller (v4.12.0): the same
 * measurement as test/e2e/webhook-promotion.test.ts makes through the runner
 * (test/e2e/scenario/webhook-promotion.ts), on two real API servers that each run Metacontroller
 * with the CompositeController of manifests/controller/ (control-plane/metacontroller-member.ts),
 * so staging is driven by Metacontroller too. Production also runs the receiver under
 * manifests/receiver's ServiceAccount; the emulator delivers signed webhooks to it.
 *
 * No "sync now" API exists in Metacontroller: the receiver's annotation patch changes the
 * parent, Metacontroller's informer sees the update and enqueues it
 * (updateParentObject, pkg/controller/composite/controller.go:363-388 at v4.12.0, adds it
 * to the work queue without delay, :351), and the /sync it sends carries
 * the mark, so the service reads GitHub afresh.
 *
 * Every setting at its default. Like metacontroller.test.ts, this fails when Metacontroller
 * cannot be provisioned; E2E_SKIP_METACONTROLLER=1 leaves it out (jest.e2e.config.js).
 */
import { GITHUB_EVENT_ANNOTATION, parseGithubEventAnnotation } from '../../src/core/github-event.js';
import type { RunningReceiver } from '../../src/receiver/index.js';
import { GitHubEmulator } from '../../tools/github-emulator/index.js';
import { parentOf } from './control-plane/hook-proxy.js';
import { SETUP_TIMEOUT_MS } from './control-plane/member.js';
import { ensureMetacontroller, METACONTROLLER_VERSION } from './control-plane/metacontroller.js';
import { metacontrollerSite, startMetacontrollerMember, type MetacontrollerMember } from './control-plane/metacontroller-member.js';
import { startClusterReceiver } from './control-plane/receiver.js';
import {
  bakeFirstVersion,
  createApplications,
  EVENT_TARGET_MS,
  eventLatencyReport,
  expectReceiverNudged,
  promoteWithoutDeliveries,
  promotionLatencies,
  WEBHOOK_APPLICATIONS,
  WEBHOOK_REPOSITORY,
  WEBHOOK_REVISIONS,
} from './scenario/webhook-promotion.js';

const TOKEN = 'ghp_e2eMcWebhookToken0123456789abcdefABCD';
/** A first build of Metacontroller (about 3 minutes, plus apt) may happen in set-up. */
const PROVISION_TIMEOUT_MS = 20 * 60_000;

describe(`webhooks nudge Environments that the real Metacontroller v${METACONTROLLER_VERSION} syncs, default settings`, () => {
  let github: GitHubEmulator;
  let stagingMember: MetacontrollerMember | undefined;
  let productionMember: MetacontrollerMember | undefined;
  let receiver: RunningReceiver | undefined;

  beforeAll(async () => {
    await ensureMetacontroller();
    github = await GitHubEmulator.start({ tokens: [TOKEN] });
    github.addRepository(WEBHOOK_REPOSITORY, { commits: Object.values(WEBHOOK_REVISIONS) });
    const started = await Promise.allSettled([startMetacontrollerMember('staging', github, {}), startMetacontrollerMember('production', github, {})]);
    [stagingMember, productionMember] = started.map((result) => (result.status === 'fulfilled' ? result.value : undefined));
    const failure = started.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failure || !stagingMember || !productionMember) throw failure?.reason;
    receiver = await startClusterReceiver(productionMember.cluster, github);
  }, PROVISION_TIMEOUT_MS + SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await receiver?.stop();
    await Promise.all([stagingMember?.stop(), productionMember?.stop()]);
    await github?.close();
  }, 60_000);

  test(
    `with webhooks, a version staging baked reaches production's gate within ${EVENT_TARGET_MS / 1000} s (p95 over ${WEBHOOK_APPLICATIONS.length} applications)`,
    async () => {
      const staging = metacontrollerSite(stagingMember!, 'staging');
      const production = metacontrollerSite(productionMember!, 'production');
      await createApplications(staging, production, TOKEN);
      const { version, succeedingSince } = await bakeFirstVersion(staging);
      const latencies = await promotionLatencies(github, production, version, 60_000);
      console.log(eventLatencyReport(`Metacontroller v${METACONTROLLER_VERSION}`, latencies));

      await expectReceiverNudged(receiver!.metricsUrl);
      // Metacontroller synced each nudged production Environment: it sent a /sync whose parent
      // carries the mark of an accepted deployment_status delivery made after the bakes succeeded.
      const accepted = new Set(github.webhookDeliveries.filter((d) => d.event === 'deployment_status' && d.outcome === 202).map((d) => d.id));
      const syncedAfterNudge = (application: string): boolean =>
        productionMember!.proxy.calls.some((call) => {
          if (call.path !== '/sync' || call.status !== 200 || parentOf(call) !== `${application}/${application}-production`) return false;
          const mark = parseGithubEventAnnotation(call.body.parent.metadata.annotations?.[GITHUB_EVENT_ANNOTATION]);
          return mark !== undefined && mark.atMs >= succeedingSince && accepted.has(mark.deliveryId);
        });
      expect(WEBHOOK_APPLICATIONS.map((a) => [a, syncedAfterNudge(a)])).toEqual(WEBHOOK_APPLICATIONS.map((a) => [a, true]));
      // The service's own count: Metacontroller called customize and sync in each cluster.
      for (const member of [stagingMember!, productionMember!]) {
        const count = await member.hookRequests();
        expect([member.name, count.customize > 0, count.sync > 0]).toEqual([member.name, true, true]);
      }

      expect(latencies.filter((l) => l > EVENT_TARGET_MS)).toEqual([]);
    },
    6 * 60_000,
  );

  test(
    'with every delivery dropped, the regular resync Metacontroller makes still promotes',
    async () => {
      const staging = metacontrollerSite(stagingMember!, 'staging');
      const production = metacontrollerSite(productionMember!, 'production');
      const { latencies, bound } = await promoteWithoutDeliveries(github, staging, production);
      expect(github.webhookDeliveries.filter((d) => d.outcome === 'dropped').length).toBeGreaterThan(0);
      expect(latencies.filter((l) => l > bound)).toEqual([]);
    },
    6 * 60_000,
  );
});
