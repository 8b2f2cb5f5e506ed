/**
 * How long a baked version takes to reach the next environment (issue 15): from staging's
 * `success` status being recorded on GitHub to production's RolloutGate allowing the version,
 * on two real API servers, with every setting at its default (requeueInterval 1m, shared read
 * 5 s, near-change resync 10 s). Measured the same way whatever drives the hooks: the runner
 * (test/e2e/promotion-latency.test.ts) or the real Metacontroller (test/e2e/metacontroller.test.ts).
 *
 * Several applications bake at once, so one bake gives several samples. Each application has
 * its own namespace (as teams do), so no Environment's status write re-syncs another's, and
 * their production Environments were created at different moments: the samples are independent.
 * The bake lasts longer than the requeueInterval, as kuberik's bakes do, so each production
 * Environment has synced at least once while staging was baking.
 */
import { stringify } from 'yaml';
import type { GitHubEmulator } from '../../../tools/github-emulator/index.js';
import { eventually, type Site } from './scenario.js';

export const LATENCY_REPOSITORY = 'my-org/latency';
export const LATENCY_APPLICATIONS = ['lat-a', 'lat-b', 'lat-c', 'lat-d', 'lat-e'];
const VERSION = 'v2.0.0';
export const LATENCY_REVISION = '3c5e7a9b1d3f5a7c9e1b3d5f7a9c1e3b5d7f9a1c';
/** Longer than the default requeueInterval (60 s): production notices the bake in progress. */
export const BAKE_MS = 70_000;
/** Issue 15's target for the p95; with five samples the p95 is the largest. */
export const LATENCY_TARGET_MS = 20_000;
/** Enough for the set-up, the bake and the wait for every gate. */
export const LATENCY_TEST_TIMEOUT_MS = 8 * 60_000;

function objects(site: Site, application: string, token: string): string {
  const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'github-token', namespace: site.namespace }, stringData: { token } };
  const rollout = {
    apiVersion: 'kuberik.com/v1alpha1',
    kind: 'Rollout',
    metadata: { name: application, namespace: site.namespace },
    spec: { releasesImagePolicy: { name: application } },
  };
  const environment = {
    apiVersion: 'environments.kuberik.com/v1alpha1',
    kind: 'Environment',
    metadata: { name: `${application}-${site.environment}`, namespace: site.namespace },
    spec: {
      name: application,
      environment: site.environment,
      rolloutRef: { name: application },
      backend: { type: 'github', project: LATENCY_REPOSITORY, secret: 'github-token' },
      ...(site.environment === 'production' ? { relationship: { environment: 'staging', type: 'After' } } : {}),
    },
  };
  return [secret, rollout, environment].map((doc) => stringify(doc)).join('---\n');
}

async function setRolloutStatus(site: Site, application: string, bakeStatus: string | undefined, candidates: string[]): Promise<void> {
  const history = bakeStatus
    ? [{ id: 1, version: { tag: VERSION, revision: LATENCY_REVISION }, timestamp: new Date().toISOString(), message: 'Automatic deployment', bakeStatus }]
    : [];
  const status = { history, releaseCandidates: candidates.map((tag) => ({ tag, revision: LATENCY_REVISION })) };
  await site.kubectl(['patch', 'rollout', application, '-n', site.namespace, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status })]);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export interface LatencyRun {
  /** Per application, in LATENCY_APPLICATIONS order; Infinity when never seen. */
  latencies: number[];
  recorded: number;
  opened: number;
  /** One line for the log: p50, max, every sample and the syncs during the bake. */
  report: string;
}

/**
 * Creates the applications (one namespace each, in both clusters), bakes them in staging and
 * measures. `github` must hold LATENCY_REPOSITORY with LATENCY_REVISION; `productionSyncs`
 * counts the /sync calls production's service has answered so far.
 */
export async function measurePromotionLatency(options: {
  driver: string;
  staging: Site;
  production: Site;
  github: GitHubEmulator;
  token: string;
  productionSyncs: () => Promise<number>;
}): Promise<LatencyRun> {
  const { staging, production, github, token } = options;
  const inNamespace = (s: Site, application: string): Site => ({ ...s, namespace: application });
  for (const application of LATENCY_APPLICATIONS) {
    for (const s of [inNamespace(staging, application), inNamespace(production, application)]) {
      await s.kubectl(['create', 'namespace', s.namespace]);
      await s.kubectl(['apply', '-f', '-'], objects(s, application, token));
    }
    await setRolloutStatus(inNamespace(production, application), application, undefined, [VERSION]);
    // Spread the production Environments' resync timers over the interval.
    await sleep(3_000);
  }
  const gates = async (): Promise<Map<string, string[]>> => {
    const list = JSON.parse(await production.kubectl(['get', 'rolloutgates.kuberik.com', '--all-namespaces', '-o', 'json']));
    return new Map(list.items.map((g: any) => [g.spec.rolloutRef.name as string, (g.spec.allowedVersions ?? []) as string[]]));
  };
  await eventually('a closed gate for every application', 90_000, async () => {
    const current = await gates();
    return LATENCY_APPLICATIONS.every((a) => current.get(a)?.length === 0) ? true : undefined;
  });

  for (const application of LATENCY_APPLICATIONS) await setRolloutStatus(inNamespace(staging, application), application, 'InProgress', []);
  const syncsBeforeBake = await options.productionSyncs();
  await sleep(BAKE_MS);
  const syncsDuringBake = (await options.productionSyncs()) - syncsBeforeBake;
  for (const application of LATENCY_APPLICATIONS) await setRolloutStatus(inNamespace(staging, application), application, 'Succeeded', []);

  // Staging's success as GitHub records it, watched in-process; production's gates by kubectl.
  const recorded = new Map<string, number>();
  const opened = new Map<string, number>();
  const deadline = Date.now() + 120_000;
  let lastGatePoll = 0;
  while ((recorded.size < LATENCY_APPLICATIONS.length || opened.size < LATENCY_APPLICATIONS.length) && Date.now() < deadline) {
    for (const deployment of github.deployments(LATENCY_REPOSITORY)) {
      const application = LATENCY_APPLICATIONS.find((a) => deployment.environment === `kuberik/${a}/staging`);
      if (application && !recorded.has(application) && deployment.statuses.at(-1)?.state === 'success') recorded.set(application, Date.now());
    }
    if (Date.now() - lastGatePoll >= 500) {
      lastGatePoll = Date.now();
      for (const [application, allowed] of await gates()) {
        if (LATENCY_APPLICATIONS.includes(application) && !opened.has(application) && allowed.includes(VERSION)) opened.set(application, Date.now());
      }
    }
    await sleep(100);
  }
  const latencies = LATENCY_APPLICATIONS.map((a) => (opened.get(a) ?? Number.POSITIVE_INFINITY) - (recorded.get(a) ?? Number.POSITIVE_INFINITY));
  const sorted = latencies.filter(Number.isFinite).sort((a, b) => a - b);
  const report =
    `promotion latency (${options.driver}), ${LATENCY_APPLICATIONS.length} applications, default settings: ` +
    `p50 ${(percentile(sorted, 50) / 1000).toFixed(1)} s, max ${(percentile(sorted, 100) / 1000).toFixed(1)} s ` +
    `(each: ${latencies.map((l) => (l / 1000).toFixed(1)).join(', ')} s); ` +
    `production syncs during the ${BAKE_MS / 1000} s bake: ${syncsDuringBake}`;
  return { latencies, recorded: recorded.size, opened: opened.size, report };
}
