/**
 * Event-driven freshness (issue 21): the fleet of section 7 (bench/sections/fleet.ts) over a
 * simulated hour, with GitHub webhook deliveries nudging the Environments they concern. A
 * MODEL, not the service, built from the service's own pieces like section 7: the query plan
 * of a repository's read (LedgerRead, plannedRequests) priced by GitHub's formula, shared-read
 * lifetimes from the budget pacing (pacedLifetimeMs), the resync decision (freshResyncSeconds
 * with eventsFlowing) and the event rules of core/event-freshness.ts. The same seed gives the
 * same releases as section 7's model, so both designs make the same writes.
 *
 * What the service does, as modelled:
 * - Every status written to GitHub (by any Environment) is a delivery. After DELIVERY_S (GitHub
 *   to the receiver) the receiver marks that Environment and those with a relationship to it;
 *   after RECEIVER_TO_SYNC_S more (its PATCH, the API server's watch, Metacontroller's queue)
 *   each of them syncs carrying the mark, which no read started before it may serve: its
 *   application is read in the next batched round. A round is one model step (STEP_S, 0.25 s,
 *   about the service's batching: FLEET_BATCH_WINDOW_MS restarted up to ten windows while syncs
 *   keep arriving), so marked syncs in one step share it: deliveries for one repository close
 *   together cost one read, and reads of several repositories share the round's query.
 * - A round also refreshes every application whose shared read is past half its lifetime
 *   (fleet-reads.ts), and costs points(requests of its repositories) plus a point for the new
 *   statuses of deployments written since those applications' reads.
 * - Where events flow (a mark within EVENTS_FLOWING_WINDOW_SECONDS on the repository's
 *   Environments), a read is shared EVENTS_FLOWING_TTL_MS (60 s) and there is no near-change
 *   polling: Environments resync at their requeueInterval (60 s), the safety net for missed
 *   deliveries. A finished local bake is a change of the related Rollout, which Metacontroller
 *   watches: that Environment syncs RECEIVER_TO_SYNC_S after it (no GitHub read of its own; its
 *   write re-reads first, counted with the writes).
 * - Writes: as in section 7, a read before each write and the status post, 2 points.
 * GitHub's answer time is left out, as in section 7: latency is from the upstream's bake
 * success recorded on GitHub to the sync of the downstream whose read shows it.
 */
import { freshResyncSeconds, DEFAULT_NEAR_CHANGE_RESYNC_SECONDS } from '../../src/core/freshness.js';
import { DEFAULT_EVENTS_FLOWING_WINDOW_SECONDS } from '../../src/core/event-freshness.js';
import { pacedLifetimeMs, type GraphQLBudget } from '../../src/github/budget.js';
import { mulberry32 } from '../stats.js';
import { asOf, ENVIRONMENTS, fleetEnvironments, HOUR_S, points, repositoryRequests, STEP_S, type FleetEnv, type FleetModelOptions } from './fleet.js';

/** GitHub → receiver: deliveries are typically sent within a second or two (assumed uniform in this range). */
export const DELIVERY_S = { min: 0.5, max: 1.5 };
/** Receiver's PATCH → API server watch → Metacontroller's sync request. */
export const RECEIVER_TO_SYNC_S = 0.25;
const TTL_S = 5;
const MAX_TTL_S = 300;
const EVENTS_FLOWING_TTL_S = 60;

export interface EventModelRow {
  environments: number;
  repositories: number;
  readPoints: number;
  writePoints: number;
  latenciesS: number[];
  stalled: number;
  releases: number;
  exhaustedAtS?: number;
  /** Deliveries GitHub sent (one per status written). */
  deliveries: number;
  /** Syncs carrying a mark newer than any read (each needs its application read afresh). */
  markedSyncs: number;
  /** Application reads those syncs caused (after coalescing within a round). */
  markedReads: number;
  /** Batched rounds, and how many of them had a marked sync waiting. */
  rounds: number;
  eventRounds: number;
}

type Env = FleetEnv;

interface App {
  nextRelease: number;
  released: number;
  /** When its shared read started, and how long the budget pacing lets it be shared. */
  readAt: number;
  pacedLifetimeS: number;
  /** Deployments written since its read (their new statuses cost the round a second step). */
  changed: number;
}

interface Nudge {
  envs: number[];
  repo: number;
  markAt: number;
}

export interface EventModelOptions extends FleetModelOptions {
  /**
   * What-if, NOT what the service does: marked syncs wait for a round every this many seconds
   * (a longer batching window for event reads), so that more deliveries share one. Default:
   * one model step, the service's batching.
   */
  eventWindowS?: number;
}

export function simulateEventDriven(o: EventModelOptions): EventModelRow {
  const windowSteps = Math.max(1, Math.round((o.eventWindowS ?? STEP_S) / STEP_S));
  // Drawn in section 7's order, so that releases and first syncs are the same as its model's.
  const rand = mulberry32(o.seed);
  const delivery = mulberry32(o.seed ^ 0x5eed);
  const appCount = o.repositories * o.applicationsPerRepository;
  const apps: App[] = Array.from({ length: appCount }, () => ({
    nextRelease: rand() * (HOUR_S / o.releasesPerApplicationPerHour),
    released: 0,
    readAt: Number.NEGATIVE_INFINITY,
    pacedLifetimeS: TTL_S,
    changed: 0,
  }));
  const envs = fleetEnvironments(o, appCount, rand);
  const row: EventModelRow = {
    environments: envs.length,
    repositories: o.repositories,
    readPoints: 0,
    writePoints: 0,
    latenciesS: [],
    stalled: 0,
    releases: 0,
    deliveries: 0,
    markedSyncs: 0,
    markedReads: 0,
    rounds: 0,
    eventRounds: 0,
  };
  let used = 0;
  const budget = (): GraphQLBudget => ({ limit: o.hourlyLimit, remaining: Math.max(0, o.hourlyLimit - used), resetAtMs: HOUR_S * 1000 });
  // The fleet was running before this hour: each repository's newest mark is from its previous release (releases are periodic).
  const lastMarkAt = new Array<number>(o.repositories).fill(Number.NEGATIVE_INFINITY);
  for (let a = 0; a < appCount; a++) {
    const repo = Math.floor(a / o.applicationsPerRepository);
    lastMarkAt[repo] = Math.max(lastMarkAt[repo]!, apps[a]!.nextRelease - HOUR_S / o.releasesPerApplicationPerHour);
  }
  const flowing = (repo: number, now: number) => now - lastMarkAt[repo]! <= DEFAULT_EVENTS_FLOWING_WINDOW_SECONDS;
  const lifetimeS = (app: number, now: number) => {
    const paced = apps[app]!.pacedLifetimeS;
    return flowing(envs[app * ENVIRONMENTS.length]!.repo, now) ? Math.max(paced, EVENTS_FLOWING_TTL_S) : paced;
  };
  /** Nudges, Rollout-watch syncs and regular resyncs by the step they land in. */
  const nudges = new Map<number, Nudge[]>();
  const watchSyncs = new Map<number, number[]>();
  const resyncs = new Map<number, number[]>();
  const stepOf = (t: number) => Math.ceil(t / STEP_S - 1e-9);
  const push = <T>(map: Map<number, T[]>, step: number, item: T) => {
    const list = map.get(step);
    if (list) list.push(item);
    else map.set(step, [item]);
  };
  const pending = new Map<number, number>();
  for (let e = 0; e < envs.length; e++) push(resyncs, stepOf(envs[e]!.nextSync), e);

  const write = (index: number, env: Env, now: number): boolean => {
    const cost = 2;
    if (used + cost > o.hourlyLimit) {
      row.exhaustedAtS ??= now;
      return false;
    }
    used += cost;
    row.writePoints += cost;
    apps[env.app]!.changed++;
    row.deliveries++;
    const markAt = now + DELIVERY_S.min + delivery() * (DELIVERY_S.max - DELIVERY_S.min);
    const arrives = stepOf(markAt + RECEIVER_TO_SYNC_S);
    push(nudges, Math.ceil(arrives / windowSteps) * windowSteps, { envs: [index, ...env.downstream], repo: env.repo, markAt });
    return true;
  };

  for (let step = 0; step * STEP_S < HOUR_S; step++) {
    const now = step * STEP_S;
    for (let a = 0; a < appCount; a++) {
      const app = apps[a]!;
      if (now < app.nextRelease) continue;
      app.released++;
      app.nextRelease += HOUR_S / o.releasesPerApplicationPerHour;
      const dev = envs[a * ENVIRONMENTS.length]!;
      dev.version = app.released;
      dev.bakeEndsAt = now + o.bakeSeconds;
      // The Rollout deploys and later finishes baking: both change it, and Metacontroller syncs its Environment.
      push(watchSyncs, stepOf(now + RECEIVER_TO_SYNC_S), a * ENVIRONMENTS.length);
      push(watchSyncs, stepOf(dev.bakeEndsAt + RECEIVER_TO_SYNC_S), a * ENVIRONMENTS.length);
    }
    // Who syncs in this step, and which of them carry a mark no earlier read may serve.
    const due = new Set<number>();
    const marked = new Set<number>();
    for (const nudge of nudges.get(step) ?? []) {
      lastMarkAt[nudge.repo] = Math.max(lastMarkAt[nudge.repo]!, nudge.markAt);
      for (const e of nudge.envs) {
        due.add(e);
        marked.add(e);
      }
    }
    nudges.delete(step);
    for (const e of watchSyncs.get(step) ?? []) due.add(e);
    watchSyncs.delete(step);
    for (const e of resyncs.get(step) ?? []) if (stepOf(envs[e]!.nextSync) === step) due.add(e);
    resyncs.delete(step);
    row.markedSyncs += marked.size;

    const waiting = new Set<number>();
    const markedApps = new Set<number>();
    for (const e of due) {
      const app = envs[e]!.app;
      if (marked.has(e)) markedApps.add(app);
      if (marked.has(e) || now - apps[app]!.readAt >= lifetimeS(app, now)) waiting.add(app);
    }
    let roundOk = true;
    if (waiting.size > 0) {
      const included = new Set(waiting);
      for (let a = 0; a < appCount; a++) if (now - apps[a]!.readAt >= lifetimeS(a, now) / 2) included.add(a);
      const perRepo = new Map<number, number>();
      let changed = 0;
      for (const a of included) {
        const repo = envs[a * ENVIRONMENTS.length]!.repo;
        perRepo.set(repo, (perRepo.get(repo) ?? 0) + 1);
        changed += apps[a]!.changed;
      }
      let requests = 0;
      for (const count of perRepo.values()) requests += repositoryRequests(count);
      const cost = points(requests) + (changed > 0 ? points(changed) : 0);
      if (used + cost > o.hourlyLimit) {
        row.exhaustedAtS ??= now;
        roundOk = false;
      } else {
        used += cost;
        row.readPoints += cost;
        row.rounds++;
        if (markedApps.size > 0) row.eventRounds++;
        row.markedReads += markedApps.size;
        const paced = pacedLifetimeMs({ budget: budget(), pointsPerRound: cost, nowMs: now * 1000, ttlMs: TTL_S * 1000, maxTtlMs: MAX_TTL_S * 1000 }) / 1000;
        for (const a of included) {
          apps[a]!.readAt = now;
          apps[a]!.pacedLifetimeS = paced;
          apps[a]!.changed = 0;
        }
      }
    }

    for (const index of due) {
      const env = envs[index]!;
      const app = apps[env.app]!;
      const readAt = waiting.has(env.app) && !roundOk ? undefined : app.readAt;
      let near = now < env.bakeEndsAt;
      if (readAt !== undefined) {
        const up = env.upstream === undefined ? undefined : asOf(envs[env.upstream]!, readAt);
        if (up && up.success && up.version > env.version) {
          env.version = up.version;
          env.bakeEndsAt = now + o.bakeSeconds;
          push(watchSyncs, stepOf(env.bakeEndsAt + RECEIVER_TO_SYNC_S), index);
          const newsAt = pending.get(index);
          if (newsAt !== undefined) {
            row.latenciesS.push(now - newsAt);
            pending.delete(index);
          }
        }
        if (up && !up.success) near = true;
        const success = now >= env.bakeEndsAt;
        if (env.version !== env.recordedVersion || success !== env.recordedSuccess) {
          if (write(index, env, now)) {
            env.recordedVersion = env.version;
            env.recordedSuccess = success;
            env.records.push({ at: now, version: env.version, success });
            if (success) for (const d of env.downstream) if (!pending.has(d)) pending.set(d, now);
          }
        }
        near ||= now < env.bakeEndsAt;
      }
      const nearChangeSeconds = Math.max(DEFAULT_NEAR_CHANGE_RESYNC_SECONDS, app.pacedLifetimeS);
      env.nextSync = now + freshResyncSeconds({ requeueSeconds: o.requeueSeconds, near, nearChangeSeconds, eventsFlowing: flowing(env.repo, now) });
      push(resyncs, stepOf(env.nextSync), index);
    }
  }
  row.stalled = pending.size;
  row.releases = apps.reduce((sum, app) => sum + app.released, 0);
  return row;
}
