/**
 * Promotion latency (test/e2e/scenario/promotion-latency.ts says what is measured and how) with
 * the runner honouring `resyncAfterSeconds` as Metacontroller does. The same measurement with
 * the real Metacontroller is in test/e2e/metacontroller.test.ts, so the two can be compared.
 */
import { GitHubEmulator } from '../../tools/github-emulator/index.js';
import { SETUP_TIMEOUT_MS, site, startMember, stopMember, type Member } from './control-plane/member.js';
import {
  LATENCY_APPLICATIONS,
  LATENCY_REPOSITORY,
  LATENCY_REVISION,
  LATENCY_TARGET_MS,
  LATENCY_TEST_TIMEOUT_MS,
  measurePromotionLatency,
} from './scenario/promotion-latency.js';

const TOKEN = 'ghp_e2eLatencyToken0123456789abcdefABCDEF';

async function syncsAnswered(member: Member): Promise<number> {
  const text = (await member.metricsApp.inject({ method: 'GET', url: '/metrics' })).body;
  return [...text.matchAll(/^environment_sync_syncs_total\{hook="sync"[^}]*\} (\d+)$/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
}

describe('promotion latency across two clusters, default settings', () => {
  let github: GitHubEmulator;
  let staging: Member | undefined;
  let production: Member | undefined;

  beforeAll(async () => {
    github = await GitHubEmulator.start({ tokens: [TOKEN] });
    github.addRepository(LATENCY_REPOSITORY, { commits: [LATENCY_REVISION] });
    const started = await Promise.allSettled([startMember('staging', github, {}), startMember('production', github, {})]);
    [staging, production] = started.map((result) => (result.status === 'fulfilled' ? result.value : undefined));
    const failure = started.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failure || !staging || !production) throw failure?.reason;
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await Promise.all([stopMember(staging), stopMember(production)]);
    await github?.close();
  }, 60_000);

  test(
    `a version staging baked reaches production's gate within ${LATENCY_TARGET_MS / 1000} s`,
    async () => {
      const run = await measurePromotionLatency({
        driver: 'runner',
        staging: site(staging!, 'staging'),
        production: site(production!, 'production'),
        github,
        token: TOKEN,
        productionSyncs: () => syncsAnswered(production!),
      });
      console.log(run.report);
      expect([run.recorded, run.opened]).toEqual([LATENCY_APPLICATIONS.length, LATENCY_APPLICATIONS.length]);
      expect(run.latencies.filter((l) => l > LATENCY_TARGET_MS)).toEqual([]);
    },
    LATENCY_TEST_TIMEOUT_MS,
  );
});
