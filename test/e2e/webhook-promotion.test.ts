/**
 * Event-driven promotion (issue 21) on two real API servers through the runner
 * (test/e2e/scenario/webhook-promotion.ts says what is measured and how; the same through the
 * real Metacontroller is test/e2e/metacontroller-webhooks.test.ts). The receiver of the
 * production cluster runs under manifests/receiver's ServiceAccount; the runner syncs the
 * Environments it annotates at once, and the sync reads GitHub afresh.
 *
 * Five applications with every setting at its default. Then the same with every delivery
 * dropped: the regular resync still promotes (the safety net).
 */
import type { RunningReceiver } from '../../src/receiver/index.js';
import { GitHubEmulator } from '../../tools/github-emulator/index.js';
import { SETUP_TIMEOUT_MS, site, startMember, stopMember, type Member } from './control-plane/member.js';
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

const TOKEN = 'ghp_e2eWebhookToken0123456789abcdefABCDEF';

describe('event-driven promotion across two clusters, default settings', () => {
  let github: GitHubEmulator;
  let staging: Member | undefined;
  let production: Member | undefined;
  let receiver: RunningReceiver | undefined;

  beforeAll(async () => {
    github = await GitHubEmulator.start({ tokens: [TOKEN] });
    github.addRepository(WEBHOOK_REPOSITORY, { commits: Object.values(WEBHOOK_REVISIONS) });
    const started = await Promise.allSettled([startMember('staging', github, {}), startMember('production', github, {})]);
    [staging, production] = started.map((result) => (result.status === 'fulfilled' ? result.value : undefined));
    const failure = started.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failure || !staging || !production) throw failure?.reason;
    receiver = await startClusterReceiver(production.cluster, github);
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await receiver?.stop();
    await Promise.all([stopMember(staging), stopMember(production)]);
    await github?.close();
  }, 60_000);

  test(
    `with webhooks, a version staging baked reaches production's gate within ${EVENT_TARGET_MS / 1000} s (p95 over ${WEBHOOK_APPLICATIONS.length} applications)`,
    async () => {
      await createApplications(site(staging!, 'staging'), site(production!, 'production'), TOKEN);
      const { version } = await bakeFirstVersion(site(staging!, 'staging'));
      const latencies = await promotionLatencies(github, site(production!, 'production'), version, 60_000);
      console.log(eventLatencyReport('runner', latencies));
      await expectReceiverNudged(receiver!.metricsUrl);
      expect(latencies.filter((l) => l > EVENT_TARGET_MS)).toEqual([]);
    },
    6 * 60_000,
  );

  test(
    'with every delivery dropped, the regular resync still promotes',
    async () => {
      const { latencies, bound } = await promoteWithoutDeliveries(github, site(staging!, 'staging'), site(production!, 'production'));
      expect(github.webhookDeliveries.filter((d) => d.outcome === 'dropped').length).toBeGreaterThan(0);
      expect(latencies.filter((l) => l > bound)).toEqual([]);
    },
    6 * 60_000,
  );
});
