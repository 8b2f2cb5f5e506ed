/**
 * Fleet freshness: one token serving 1,000 Environments in 100 repositories, over a simulated
 * hour. A MODEL, not the service: every Environment syncs on its own clock (requeueInterval,
 * or NEAR_CHANGE_RESYNC_SECONDS while a change is near, as core/freshness.ts decides), versions
 * move dev → staging → three productions, each baking 5 minutes. What a read costs comes from
 * the service's own pieces: the query plan of a repository's read (LedgerRead, plannedRequests)
 * priced by GitHub's formula (requests / 100, rounded, at least 1 point per query), and how long
 * a read is shared from the budget pacing (pacedLifetimeMs). Three read policies side by side:
 *
 * - per-application reads (before batching): each application reads alone when its shared read
 *   expired (at least 1 point), TTL 10 s, paced by the sum of the applications' reads;
 * - batched reads (fleet-reads.ts): a sync finding the token's reads expired makes a round that
 *   refreshes every application, one part per repository, TTL 5 s, paced by the round's points;
 * - the Go controller's pattern: 5·H + E + D + 2 REST requests per reconcile every requeue
 *   (bench/go-model.ts), from the same 5,000-request hourly budget; no shared reads.
 *
 * Promotion latency is from "the upstream's bake success is recorded on GitHub" to "the
 * downstream's gate allows the version" (the sync whose read was made after the news).
 */
import { DEFAULT_NEAR_CHANGE_RESYNC_SECONDS, freshResyncSeconds } from '../../src/core/freshness.js';
import { mulberry32 } from '../stats.js';
import { pacedLifetimeMs, type GraphQLBudget } from '../../src/github/budget.js';
import { plannedRequests } from '../../src/github/ledger-query.js';
import { LedgerRead } from '../../src/github/ledger-read.js';

export interface FleetModelOptions {
  repositories: number;
  applicationsPerRepository: number;
  /** Releases of each application per hour (each moves through every environment). */
  releasesPerApplicationPerHour: number;
  bakeSeconds: number;
  requeueSeconds: number;
  hourlyLimit: number;
  seed: number;
}

export type Policy = 'per-application reads (before)' | 'batched reads' | 'Go controller model';

export interface FleetModelRow {
  policy: Policy;
  environments: number;
  /** Points (GraphQL) or requests (Go model, REST) spent on reads in the hour. */
  readPoints: number;
  /** Status posts (GraphQL mutations, 1 point each) and reads before writes. */
  writePoints: number;
  latenciesS: number[];
  /** Promotions whose news no gate saw within the hour. */
  stalled: number;
  /** Releases made in the hour (each promoted through 4 gates when the budget allows). */
  releases: number;
  /** When the hourly budget first refused a request (seconds into the hour). */
  exhaustedAtS?: number;
}

/** dev → staging → three productions: 5 Environments per application. */
export const ENVIRONMENTS = ['dev', 'staging', 'prod-a', 'prod-b', 'prod-c'] as const;
export const UPSTREAM: Record<string, string | undefined> = { dev: undefined, staging: 'dev', 'prod-a': 'staging', 'prod-b': 'staging', 'prod-c': 'staging' };
export const STEP_S = 0.25;
export const HOUR_S = 3600;
/** Go model: history entries and environments of one reconcile (bench/go-model.ts). */
const GO_HISTORY = 10;

/** One Environment of the modelled fleet (this section's model and section 9's). */
export interface FleetEnv {
  app: number;
  name: string;
  repo: number;
  upstream: number | undefined;
  downstream: number[];
  nextSync: number;
  /** Version running locally, and when its bake ends (Infinity while not deployed). */
  version: number;
  bakeEndsAt: number;
  /** What GitHub records for this environment: newest version, whether its bake succeeded, and when. */
  recordedVersion: number;
  recordedSuccess: boolean;
  /** Every record, oldest first: what a read made at some time saw. */
  records: { at: number; version: number; success: boolean }[];
}
type Env = FleetEnv;

/**
 * Every application's ENVIRONMENTS, wired to their upstreams, all running version 0, first
 * syncs drawn from `rand` (after the applications' first releases, so both models draw alike).
 */
export function fleetEnvironments(o: FleetModelOptions, appCount: number, rand: () => number): FleetEnv[] {
  const envs: FleetEnv[] = [];
  for (let a = 0; a < appCount; a++) {
    const base = envs.length;
    for (const name of ENVIRONMENTS) {
      envs.push({
        app: a,
        name,
        repo: Math.floor(a / o.applicationsPerRepository),
        upstream: undefined,
        downstream: [],
        nextSync: rand() * o.requeueSeconds,
        version: 0,
        bakeEndsAt: Number.NEGATIVE_INFINITY,
        recordedVersion: 0,
        recordedSuccess: true,
        records: [{ at: Number.NEGATIVE_INFINITY, version: 0, success: true }],
      });
    }
    ENVIRONMENTS.forEach((name, i) => {
      const up = UPSTREAM[name];
      if (up === undefined) return;
      const u = base + ENVIRONMENTS.indexOf(up as (typeof ENVIRONMENTS)[number]);
      envs[base + i]!.upstream = u;
      envs[u]!.downstream.push(base + i);
    });
  }
  return envs;
}

/** Promotions waiting to be seen: when the news was recorded on GitHub, by downstream Environment. */
export type PendingNews = Map<number, number>;

/**
 * The gate's part of a sync of `envs[index]` from a read made at `readAt`: the upstream's
 * newest version whose bake success GitHub recorded before the read is deployed (its bake
 * starts, and the promotion's latency is taken). Returns whether the version changed, and
 * whether the upstream shows a failed bake (a change is near).
 */
export function takeUpstreamNews(
  envs: FleetEnv[],
  index: number,
  readAt: number,
  now: number,
  bakeSeconds: number,
  pending: PendingNews,
  latenciesS: number[],
): { deployed: boolean; upstreamFailed: boolean } {
  const env = envs[index]!;
  const up = env.upstream === undefined ? undefined : asOf(envs[env.upstream]!, readAt);
  const deployed = up !== undefined && up.success && up.version > env.version;
  if (deployed) {
    env.version = up.version;
    env.bakeEndsAt = now + bakeSeconds;
    const newsAt = pending.get(index);
    if (newsAt !== undefined) {
      latenciesS.push(now - newsAt);
      pending.delete(index);
    }
  }
  return { deployed, upstreamFailed: up !== undefined && !up.success };
}

/** What a sync at `now` would publish: a newly deployed version (baking), or a finished bake; undefined when GitHub shows it already. */
export function toPublish(env: FleetEnv, now: number): { success: boolean; newDeployment: boolean } | undefined {
  const success = now >= env.bakeEndsAt;
  if (env.version === env.recordedVersion && success === env.recordedSuccess) return undefined;
  return { success, newDeployment: env.version !== env.recordedVersion };
}

/** GitHub recorded `env`'s status at `at`: a bake success is news for its downstreams from `now`. */
export function recordPublished(env: FleetEnv, success: boolean, now: number, at: number, pending: PendingNews): void {
  env.recordedVersion = env.version;
  env.recordedSuccess = success;
  env.records.push({ at, version: env.version, success });
  if (success) for (const d of env.downstream) if (!pending.has(d)) pending.set(d, now);
}

/** The environment's newest record made before `readAt`. */
export function asOf(env: Pick<Env, 'records'>, readAt: number): { at: number; version: number; success: boolean } | undefined {
  for (let i = env.records.length - 1; i >= 0; i--) if (env.records[i]!.at <= readAt) return env.records[i];
  return undefined;
}

interface App {
  /** Releases waiting for dev: version and time. */
  nextRelease: number;
  released: number;
  readAt: number;
  lifetimeS: number;
}

/** GitHub's price of one query: requests / 100, rounded, at least 1. */
export function points(requests: number): number {
  return Math.max(1, Math.round(requests / 100));
}

/** Requests of a repository's first read step, from the service's own planner. */
export function repositoryRequests(applications: number): number {
  const read = new LedgerRead({
    applications: Array.from({ length: applications }, (_, a) => ({ specName: `app-${a}`, knownEnvironments: [...ENVIRONMENTS] })),
    statusWindows: new Map(),
  });
  return plannedRequests(read.next()!);
}

export function simulateFleet(policy: Policy, o: FleetModelOptions): FleetModelRow {
  const rand = mulberry32(o.seed);
  const appCount = o.repositories * o.applicationsPerRepository;
  const apps: App[] = Array.from({ length: appCount }, () => ({
    nextRelease: rand() * (HOUR_S / o.releasesPerApplicationPerHour),
    released: 0,
    readAt: Number.NEGATIVE_INFINITY,
    lifetimeS: 0,
  }));
  const envs = fleetEnvironments(o, appCount, rand);
  const row: FleetModelRow = { policy, environments: envs.length, readPoints: 0, writePoints: 0, latenciesS: [], stalled: 0, releases: 0 };
  const resetAtS = HOUR_S;
  let used = 0;
  const budget = (): GraphQLBudget => ({ limit: o.hourlyLimit, remaining: Math.max(0, o.hourlyLimit - used), resetAtMs: resetAtS * 1000 });
  const roundRequests = o.repositories * repositoryRequests(o.applicationsPerRepository);
  let roundAt = Number.NEGATIVE_INFINITY;
  let roundLifetimeS = 0;
  let changedSinceRound = 0;
  const changedSinceRead = new Array<number>(appCount).fill(0);
  /** Pending promotions: news recorded at, per downstream env, not yet seen. */
  const pending: PendingNews = new Map();

  /** When the data a sync of `env` uses was read; charges the read. */
  const refuse = (now: number): undefined => {
    row.exhaustedAtS ??= now;
    return undefined;
  };
  const readFor = (env: Env, now: number): number | undefined => {
    if (policy === 'Go controller model') {
      const deployments = Math.min(GO_HISTORY, apps[env.app]!.released + 1) * ENVIRONMENTS.length;
      const cost = 5 * GO_HISTORY + ENVIRONMENTS.length + deployments + 2;
      if (used + cost > o.hourlyLimit) return refuse(now); // rate limited until the window resets
      used += cost;
      row.readPoints += cost;
      return now;
    }
    if (policy === 'batched reads') {
      if (now - roundAt < roundLifetimeS) return roundAt;
      const cost = points(roundRequests) + (changedSinceRound > 0 ? points(changedSinceRound) : 0);
      if (used + cost > o.hourlyLimit) return refuse(now);
      used += cost;
      row.readPoints += cost;
      changedSinceRound = 0;
      roundAt = now;
      roundLifetimeS = pacedLifetimeMs({ budget: budget(), pointsPerRound: cost, nowMs: now * 1000, ttlMs: 5_000, maxTtlMs: 300_000 }) / 1000;
      return now;
    }
    const app = apps[env.app]!;
    if (now - app.readAt < app.lifetimeS) return app.readAt;
    const cost = 1 + (changedSinceRead[env.app]! > 0 ? 1 : 0);
    if (used + cost > o.hourlyLimit) return refuse(now);
    used += cost;
    row.readPoints += cost;
    changedSinceRead[env.app] = 0;
    app.readAt = now;
    // Each application's read is 1 point in steady state: a round of all of them costs one per application.
    app.lifetimeS = pacedLifetimeMs({ budget: budget(), pointsPerRound: appCount, nowMs: now * 1000, ttlMs: 10_000, maxTtlMs: 300_000 }) / 1000;
    return now;
  };

  /** Records a status on GitHub: a read before the write (GraphQL models) and the status post. */
  const write = (env: Env, now: number): boolean => {
    // Ours: a read before the write (1 point) and the status (a GraphQL mutation, 1 point); Go: the same two as REST requests.
    const cost = 2;
    if (used + cost > o.hourlyLimit) {
      refuse(now);
      return false;
    }
    used += cost;
    row.writePoints += cost;
    changedSinceRound++;
    changedSinceRead[env.app]!++;
    return true;
  };

  for (let now = 0; now < HOUR_S; now += STEP_S) {
    for (const [a, app] of apps.entries()) {
      if (now < app.nextRelease) continue;
      app.released++;
      app.nextRelease += HOUR_S / o.releasesPerApplicationPerHour;
      const dev = envs[a * ENVIRONMENTS.length]!;
      dev.version = app.released;
      dev.bakeEndsAt = now + o.bakeSeconds;
    }
    for (const [index, env] of envs.entries()) {
      if (now < env.nextSync) continue;
      const readAt = readFor(env, now);
      let near = now < env.bakeEndsAt;
      if (readAt !== undefined) {
        if (takeUpstreamNews(envs, index, readAt, now, o.bakeSeconds, pending, row.latenciesS).upstreamFailed) near = true;
        const publish = toPublish(env, now);
        if (publish && write(env, now)) recordPublished(env, publish.success, now, now, pending);
        near ||= now < env.bakeEndsAt;
      }
      // Only the batched policy is this service now; before it (and the Go controller) every Environment resynced at its requeueInterval.
      const nearChangeSeconds = Math.max(DEFAULT_NEAR_CHANGE_RESYNC_SECONDS, roundLifetimeS);
      env.nextSync = now + freshResyncSeconds({ requeueSeconds: o.requeueSeconds, near: policy === 'batched reads' && near, nearChangeSeconds });
    }
  }
  row.stalled = pending.size;
  row.releases = apps.reduce((sum, app) => sum + app.released, 0);
  return row;
}
