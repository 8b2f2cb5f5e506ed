/**
 * (5) Scale: many Environments across many applications (one repository and namespace
 * each) handled by one service in a child process. Every Environment is synced once per
 * resync window at a random moment (seeded), as Metacontroller's per-object resync spreads
 * them; GitHub requests in one measured window are extrapolated to an hour.
 */
import { pointsUsed, startGitHub } from '../github.js';
import { environmentNames, nextRequest, seedScenario, syncRequest, TOKEN, type AppScenario, type SyncInput } from '../scenario.js';
import { HookClient, ServiceProcess, shippedNodeFlags } from '../service.js';
import { inParallel } from './sharing.js';
import { mulberry32 } from '../stats.js';

export interface ScaleResult {
  v8Defaults?: boolean;
  sharedToken?: boolean;
  /** Distinct tokens the applications' Secrets hold. */
  tokens: number;
  /** The most points one token spent in the window, × window per hour. */
  maxTokenPointsPerHour: number;
  /** The longest the service keeps a shared read right after the window (its /metrics). */
  sharedReadLifetimeSeconds: number;
  applications: number;
  environmentsPerApplication: number;
  history: number;
  windowSeconds: number;
  syncs: number;
  requests: number;
  points: number;
  writes: number;
  errors: number;
  requestsPerHour: number;
  pointsPerHour: number;
  rssMb: number;
  peakRssMb: number;
  heapUsedMb: number;
  /** Heap still in use after a full garbage collection: what the service really keeps. */
  retainedHeapMb: number;
  /** The node flags the service ran with. */
  nodeFlags: string[];
}

export interface ScaleOptions {
  applications: number;
  environmentsPerApplication: number;
  history: number;
  windowSeconds: number;
  /** Run the service without the container image's node flags. */
  v8Defaults?: boolean;
  /** Environment variables of the service (configuration). */
  env?: Record<string, string>;
  /** One token in every application's Secret, instead of one token per repository. */
  sharedToken?: boolean;
}

/** GitHub's budget per token and hour, which the emulator applies here. */
export const HOURLY_BUDGET = 5000;

export async function measureScale(options: ScaleOptions): Promise<ScaleResult> {
  const tokenOf = (id: string) => (options.sharedToken ? TOKEN : `ghp_benchRepository${id}0123456789abcdefghijkl`);
  const scenarios = Array.from({ length: options.applications }, (_, a): AppScenario => {
    const id = String(a).padStart(3, '0');
    return {
      repository: `bench-org/repo-${id}`,
      app: `app-${id}`,
      namespace: `ns-${id}`,
      environments: environmentNames(options.environmentsPerApplication),
      topology: 'star',
      history: options.history,
      token: tokenOf(id),
    };
  });
  const tokens = [...new Set(scenarios.map((s) => s.token!))];
  // GitHub's real per-token budget, so that the service paces a token that spends too fast as it would on GitHub.
  const emulator = await startGitHub(0, { rateLimit: HOURLY_BUDGET, tokens });
  for (const s of scenarios) {
    emulator.addRepository(s.repository);
    seedScenario(emulator, s);
  }
  const nodeFlags = options.v8Defaults ? [] : shippedNodeFlags();
  // --expose-gc only makes gc() callable: the retained heap is read after the other figures.
  const service = await ServiceProcess.start(emulator.url, options.env ?? {}, { asShipped: !options.v8Defaults, nodeOptions: ['--expose-gc'] });
  const client = new HookClient(service.url, 16);
  try {
    // Warm-up: every Environment's first sync (discovery), as after a restart.
    const first = scenarios.flatMap((s) => s.environments.map((environment): SyncInput => ({ scenario: s, environment, siblings: s.environments })));
    const inputs = await inParallel(first, 8, async (input) => nextRequest(input, await client.sync(syncRequest(input))));

    const before = await Promise.all(tokens.map((t) => pointsUsed(emulator, [t])));
    emulator.resetRequests();
    const errors = await oneWindow(client, inputs, options.windowSeconds * 1000);
    const counts = emulator.counts();
    const spent = (await Promise.all(tokens.map((t) => pointsUsed(emulator, [t])))).map((used, i) => used - before[i]!);
    const points = spent.reduce((a, b) => a + b, 0);
    const lifetimeSeconds = await sharedReadLifetimeSeconds(service.metricsUrl);
    const stats = await service.stats();
    const collected = await service.stats(false, true);
    const perHour = 3600 / options.windowSeconds;
    return {
      ...options,
      tokens: tokens.length,
      maxTokenPointsPerHour: Math.max(...spent) * perHour,
      sharedReadLifetimeSeconds: lifetimeSeconds,
      syncs: inputs.length,
      requests: counts.total,
      points,
      writes: counts.writes,
      errors,
      requestsPerHour: counts.total * perHour,
      pointsPerHour: points * perHour,
      rssMb: stats.rssBytes / 1024 / 1024,
      peakRssMb: stats.maxRssBytes / 1024 / 1024,
      heapUsedMb: stats.heapUsedBytes / 1024 / 1024,
      retainedHeapMb: collected.heapUsedBytes / 1024 / 1024,
      nodeFlags,
    };
  } finally {
    await client.close();
    await service.stop();
    await emulator.close();
  }
}

/** The service's own report (/metrics) of how long it keeps a shared read now. */
async function sharedReadLifetimeSeconds(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('environment_sync_shared_read_lifetime_seconds '));
  if (!line) throw new Error('/metrics has no environment_sync_shared_read_lifetime_seconds');
  return Number(line.split(' ')[1]);
}

/** Each input once, at a seeded random offset within the window; returns the number of failed syncs. */
async function oneWindow(client: HookClient, inputs: SyncInput[], windowMs: number): Promise<number> {
  const random = mulberry32(0x5eed);
  const started = performance.now();
  let errors = 0;
  await Promise.all(
    inputs.map(async (input) => {
      const at = random() * windowMs;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, started + at - performance.now())));
      try {
        await client.sync(syncRequest(input));
      } catch {
        errors++;
      }
    }),
  );
  return errors;
}
