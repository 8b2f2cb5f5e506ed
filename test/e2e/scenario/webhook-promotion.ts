/**
 * Event-driven promotion (issue 21), written once for both drivers: the runner
 * (test/e2e/webhook-promotion.test.ts) and the real Metacontroller
 * (test/e2e/metacontroller-webhooks.test.ts). The GitHub emulator delivers signed
 * `deployment` / `deployment_status` webhooks to the receiver of the production cluster
 * (control-plane/receiver.ts), which annotates the Environments that depend on the event; the
 * driver syncs them at once, and the sync reads GitHub afresh.
 *
 * Five applications, each in its own namespace (as in promotion-latency.ts), with every setting
 * at its default. What is measured: from staging's `success` being recorded on GitHub to
 * production's RolloutGate allowing the version, per application.
 */
import { stringify } from 'yaml';
import { loadConfig } from '../../../src/config.js';
import type { GitHubEmulator } from '../../../tools/github-emulator/index.js';
import { eventually, type Site } from './scenario.js';

export const WEBHOOK_REPOSITORY = 'my-org/events';
export const WEBHOOK_APPLICATIONS = ['evt-a', 'evt-b', 'evt-c', 'evt-d', 'evt-e'];
export const WEBHOOK_REVISIONS: Record<string, string> = {
  'v3.0.0': '5d7f9a1c3e5b7d9f1a3c5e7b9d1f3a5c7e9b1d3f',
  'v3.1.0': '9b1d3f5a7c9e1b3d5f7a9c1e3b5d7f9a1c3e5b7d',
};
/** The target: with five samples the p95 is the largest. */
export const EVENT_TARGET_MS = 3_000;
const BAKE_MS = 10_000;
const FIRST_VERSION = 'v3.0.0';

export type Entry = { id: number; tag: string; bakeStatus: string };

export const inApplicationNamespace = (s: Site, application: string): Site => ({ ...s, namespace: application });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function objects(s: Site, application: string): string {
  const rollout = {
    apiVersion: 'kuberik.com/v1alpha1',
    kind: 'Rollout',
    metadata: { name: application, namespace: s.namespace },
    spec: { releasesImagePolicy: { name: application } },
  };
  const environment = {
    apiVersion: 'environments.kuberik.com/v1alpha1',
    kind: 'Environment',
    metadata: { name: `${application}-${s.environment}`, namespace: s.namespace },
    spec: {
      name: application,
      environment: s.environment,
      rolloutRef: { name: application },
      backend: { type: 'github', project: WEBHOOK_REPOSITORY, secret: 'github-token' },
      ...(s.environment === 'production' ? { relationship: { environment: 'staging', type: 'After' } } : {}),
    },
  };
  return [rollout, environment].map((doc) => stringify(doc)).join('---\n');
}

/** Writes application's Rollout status in its namespace of `s` (history newest first). */
export async function setApplicationRolloutStatus(s: Site, application: string, history: Entry[], candidates: string[]): Promise<void> {
  const status = {
    history: history.map((e) => ({
      id: e.id,
      version: { tag: e.tag, revision: WEBHOOK_REVISIONS[e.tag]! },
      timestamp: new Date().toISOString(),
      message: 'Automatic deployment',
      bakeStatus: e.bakeStatus,
    })),
    releaseCandidates: candidates.map((tag) => ({ tag, revision: WEBHOOK_REVISIONS[tag]! })),
  };
  const site = inApplicationNamespace(s, application);
  await site.kubectl(['patch', 'rollout', application, '-n', site.namespace, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status })]);
}

/** production's RolloutGates by Rollout name: the versions each allows. */
async function gates(production: Site): Promise<Map<string, string[]>> {
  const list = JSON.parse(await production.kubectl(['get', 'rolloutgates.kuberik.com', '--all-namespaces', '-o', 'json']));
  return new Map(list.items.map((g: any) => [g.spec.rolloutRef.name as string, (g.spec.allowedVersions ?? []) as string[]]));
}

/**
 * Creates every application in both clusters (namespace, token Secret, Rollout, Environment),
 * offers production both versions, and waits until each production gate is closed.
 */
export async function createApplications(staging: Site, production: Site, token: string): Promise<void> {
  for (const application of WEBHOOK_APPLICATIONS) {
    for (const s of [inApplicationNamespace(staging, application), inApplicationNamespace(production, application)]) {
      await s.kubectl(['create', 'namespace', s.namespace]);
      await s.kubectl(['create', 'secret', 'generic', 'github-token', '-n', s.namespace, `--from-literal=token=${token}`]);
      await s.kubectl(['apply', '-f', '-'], objects(s, application));
    }
    await setApplicationRolloutStatus(production, application, [], Object.keys(WEBHOOK_REVISIONS));
  }
  await eventually('a closed gate for every application', 90_000, async () => {
    const current = await gates(production);
    return WEBHOOK_APPLICATIONS.every((a) => current.get(a)?.length === 0) ? true : undefined;
  });
}

/**
 * Staging bakes the first version of every application (in progress, then succeeded). Returns
 * that version and when the bakes started to succeed (nothing before it reports a success).
 */
export async function bakeFirstVersion(staging: Site): Promise<{ version: string; succeedingSince: number }> {
  for (const application of WEBHOOK_APPLICATIONS) {
    await setApplicationRolloutStatus(staging, application, [{ id: 1, tag: FIRST_VERSION, bakeStatus: 'InProgress' }], []);
  }
  await sleep(BAKE_MS);
  const succeedingSince = Date.now();
  for (const application of WEBHOOK_APPLICATIONS) {
    await setApplicationRolloutStatus(staging, application, [{ id: 1, tag: FIRST_VERSION, bakeStatus: 'Succeeded' }], []);
  }
  return { version: FIRST_VERSION, succeedingSince };
}

/**
 * From staging's `success` of `version` on GitHub (watched in-process) to production's gate
 * allowing it (kubectl), per application in WEBHOOK_APPLICATIONS order.
 */
export async function promotionLatencies(github: GitHubEmulator, production: Site, version: string, timeoutMs: number): Promise<number[]> {
  const recorded = new Map<string, number>();
  const opened = new Map<string, number>();
  const deadline = Date.now() + timeoutMs;
  // Staging's success is watched in-process on a fast timer of its own, so the kubectl calls
  // below never delay it (which would make the latencies look shorter than they are).
  const watchGitHub = setInterval(() => {
    for (const deployment of github.deployments(WEBHOOK_REPOSITORY)) {
      const application = WEBHOOK_APPLICATIONS.find((a) => deployment.environment === `kuberik/${a}/staging`);
      if (application && !recorded.has(application) && deployment.sha === WEBHOOK_REVISIONS[version] && deployment.statuses.at(-1)?.state === 'success') {
        recorded.set(application, Date.now());
      }
    }
  }, 20);
  try {
    while ((recorded.size < WEBHOOK_APPLICATIONS.length || opened.size < WEBHOOK_APPLICATIONS.length) && Date.now() < deadline) {
      for (const [application, allowed] of await gates(production)) {
        if (WEBHOOK_APPLICATIONS.includes(application) && !opened.has(application) && allowed.includes(version)) opened.set(application, Date.now());
      }
      await sleep(100);
    }
  } finally {
    clearInterval(watchGitHub);
  }
  if (recorded.size < WEBHOOK_APPLICATIONS.length) {
    console.log(JSON.stringify(github.deployments(WEBHOOK_REPOSITORY).map((d) => [d.environment, d.sha, d.statuses.map((s) => s.state)])));
  }
  expect([recorded.size, opened.size]).toEqual([WEBHOOK_APPLICATIONS.length, WEBHOOK_APPLICATIONS.length]);
  return WEBHOOK_APPLICATIONS.map((a) => opened.get(a)! - recorded.get(a)!);
}

/** Every sample, in seconds, for the log. */
export const seconds = (ms: number[]): string => ms.map((l) => (l / 1000).toFixed(1)).join(', ');

/** One line for the log: the largest sample (the p95 of five) and every sample. */
export function eventLatencyReport(driver: string, latencies: number[]): string {
  return (
    `event-driven promotion latency (${driver}), ${WEBHOOK_APPLICATIONS.length} applications: ` +
    `max ${(Math.max(...latencies) / 1000).toFixed(1)} s (each: ${seconds(latencies)} s)`
  );
}

/** The receiver's metrics show accepted `deployment_status` deliveries and patched Environments. */
export async function expectReceiverNudged(metricsUrl: string): Promise<void> {
  const metrics = await (await fetch(metricsUrl)).text();
  expect(metrics).toMatch(/^environment_sync_receiver_deliveries_total\{event="deployment_status",outcome="accepted"\} [1-9]\d*$/m);
  expect(metrics).toMatch(/^environment_sync_receiver_nudges_total\{outcome="patched"\} [1-9]\d*$/m);
}

/**
 * The safety net: every delivery dropped, staging bakes v3.1.0 and production still promotes
 * it by its regular resync. Where events flowed, production resyncs at its requeueInterval
 * (60 s) and may use a read up to EVENTS_FLOWING_TTL_MS old: the bound is their sum plus 15 s.
 */
export async function promoteWithoutDeliveries(github: GitHubEmulator, staging: Site, production: Site): Promise<{ latencies: number[]; bound: number }> {
  const bound = 60_000 + loadConfig({}).eventsFlowingTtlMs + 15_000;
  github.dropWebhookDeliveries(true);
  for (const application of WEBHOOK_APPLICATIONS) {
    const history = [
      { id: 2, tag: 'v3.1.0', bakeStatus: 'Succeeded' },
      { id: 1, tag: 'v3.0.0', bakeStatus: 'Succeeded' },
    ];
    await setApplicationRolloutStatus(staging, application, history, []);
  }
  const latencies = await promotionLatencies(github, production, 'v3.1.0', bound + 30_000);
  console.log(
    `promotion latency without deliveries: max ${(Math.max(...latencies) / 1000).toFixed(1)} s (each: ${seconds(latencies)} s; bound ${bound / 1000} s)`,
  );
  return { latencies, bound };
}
