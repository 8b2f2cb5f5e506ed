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
 *   each of them syncs carrying the mark, which no read started before it may serve: it waits
 *   for its token's next batched round. Rounds start once a sync waits and
 *   FLEET_ROUND_INTERVAL_MS (2 s) has passed since the previous one began (fleet-reads.ts), so
 *   everything waiting meanwhile shares one: deliveries for one repository close together cost
 *   one read, and reads of several repositories share the round's query.
 * - A sync whose application's shared read has expired waits for the next round too. A round
 *   also refreshes every application whose shared read is old enough (refreshAlongAgeMs: half its
 *   lifetime, three quarters where events flow) and costs points(requests of its repositories)
 *   plus a point for the new statuses of deployments written since those applications' reads.
 * - Where events flow (a mark within EVENTS_FLOWING_WINDOW_SECONDS on the repository's
 *   Environments), a read is shared EVENTS_FLOWING_TTL_MS (60 s) and there is no near-change
 *   polling: Environments resync at their requeueInterval (60 s), the safety net for missed
 *   deliveries. A finished local bake is a change of the related Rollout, which Metacontroller
 *   watches: that Environment syncs RECEIVER_TO_SYNC_S after it.
 * - Writes: a status post is a GraphQL mutation, 1 point (a new version's deployment is created
 *   over REST first: the core bucket, counted apart). A sync decides to write from its read; when
 *   that read was shared (not its own round's), it re-reads in the next round before writing, as
 *   reconciler.ts does. Rounds that carry only such reads are counted with the writes.
 * GitHub's answer time is left out, as in section 7: latency is from the upstream's bake
 * success recorded on GitHub to the sync of the downstream whose read shows it.
 */
import { freshResyncSeconds, DEFAULT_NEAR_CHANGE_RESYNC_SECONDS } from '../../src/core/freshness.js';
import { DEFAULT_EVENTS_FLOWING_WINDOW_SECONDS } from '../../src/core/event-freshness.js';
import { pacedLifetimeMs, type GraphQLBudget } from '../../src/github/budget.js';
import { DEFAULT_FLEET_ROUND_INTERVAL_MS, refreshAlongAgeMs } from '../../src/github/fleet-reads.js';
import { mulberry32 } from '../stats.js';
import {
  ENVIRONMENTS,
  fleetEnvironments,
  HOUR_S,
  points,
  recordPublished,
  repositoryRequests,
  STEP_S,
  takeUpstreamNews,
  toPublish,
  type FleetEnv,
  type FleetModelOptions,
  type PendingNews,
} from './fleet.js';

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
  /** Points of the rounds that read for syncs (marked, expired, refreshed along). */
  readPoints: number;
  /** Status posts (1 point each) and the rounds that only re-read before writes. */
  writePoints: number;
  /** Status posts (GraphQL mutations), and deployments created (REST: the core bucket, not these points). */
  statusPosts: number;
  deploymentsCreated: number;
  latenciesS: number[];
  /** News no gate saw although it was recorded longer than the safety net's bound before the hour ended. */
  stalled: number;
  /** News recorded within that bound of the hour's end and not seen yet (any design has some). */
  inFlight: number;
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
  /** FLEET_ROUND_INTERVAL_MS in seconds (default: the service's default); what-if rows set 0. */
  roundIntervalS?: number;
}

export function simulateEventDriven(o: EventModelOptions): EventModelRow {
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
    statusPosts: 0,
    deploymentsCreated: 0,
    latenciesS: [],
    stalled: 0,
    inFlight: 0,
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
  const appFlowing = (app: number, now: number) => flowing(envs[app * ENVIRONMENTS.length]!.repo, now);
  const lifetimeS = (app: number, now: number) => {
    const paced = apps[app]!.pacedLifetimeS;
    return appFlowing(app, now) ? Math.max(paced, EVENTS_FLOWING_TTL_S) : paced;
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
  const pending: PendingNews = new Map();
  for (let e = 0; e < envs.length; e++) push(resyncs, stepOf(envs[e]!.nextSync), e);

  /** Posts a status (a new version's comes with its deployment, created over REST); GitHub then delivers it. */
  const write = (index: number, env: Env, now: number, newDeployment: boolean): boolean => {
    if (used + 1 > o.hourlyLimit) {
      row.exhaustedAtS ??= now;
      return false;
    }
    used += 1;
    row.writePoints += 1;
    row.statusPosts++;
    if (newDeployment) row.deploymentsCreated++;
    apps[env.app]!.changed++;
    row.deliveries++;
    const markAt = now + DELIVERY_S.min + delivery() * (DELIVERY_S.max - DELIVERY_S.min);
    push(nudges, stepOf(markAt + RECEIVER_TO_SYNC_S), { envs: [index, ...env.downstream], repo: env.repo, markAt });
    return true;
  };

  const intervalSteps = Math.max(1, Math.round((o.roundIntervalS ?? DEFAULT_FLEET_ROUND_INTERVAL_MS / 1000) / STEP_S));
  let lastRoundStep = Number.NEGATIVE_INFINITY;
  /** Syncs waiting for their token's next round: marked ones, expired reads, and reads before writes (`fresh`). */
  const waitingSyncs = new Map<number, { marked: boolean; fresh: boolean }>();

  /** A sync of `index` deciding from a read made at `readAt` (its own round's when `own`; undefined: no read, the budget refused it). */
  const decide = (index: number, now: number, readAt: number | undefined, own: boolean) => {
    const env = envs[index]!;
    let near = now < env.bakeEndsAt;
    if (readAt !== undefined) {
      const news = takeUpstreamNews(envs, index, readAt, now, o.bakeSeconds, pending, row.latenciesS);
      // The new version's bake will end: a change of the related Rollout, which Metacontroller watches.
      if (news.deployed) push(watchSyncs, stepOf(env.bakeEndsAt + RECEIVER_TO_SYNC_S), index);
      if (news.upstreamFailed) near = true;
      const publish = toPublish(env, now);
      if (publish && !own) {
        // Never written from a shared read: the sync re-reads in its token's next round first.
        waitingSyncs.set(index, { marked: waitingSyncs.get(index)?.marked ?? false, fresh: true });
        return;
      }
      // Written after the round's read: a read made at `now` does not show it.
      if (publish && write(index, env, now, publish.newDeployment)) recordPublished(env, publish.success, now, now + WRITE_AFTER_READ_S, pending);
      near ||= now < env.bakeEndsAt;
    }
    const nearChangeSeconds = Math.max(DEFAULT_NEAR_CHANGE_RESYNC_SECONDS, apps[env.app]!.pacedLifetimeS);
    env.nextSync = now + freshResyncSeconds({ requeueSeconds: o.requeueSeconds, near, nearChangeSeconds, eventsFlowing: flowing(env.repo, now) });
    push(resyncs, stepOf(env.nextSync), index);
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
    for (const e of due) {
      const app = envs[e]!.app;
      const already = waitingSyncs.get(e);
      if (marked.has(e) || already) waitingSyncs.set(e, { marked: marked.has(e) || (already?.marked ?? false), fresh: already?.fresh ?? false });
      else if (now - apps[app]!.readAt >= lifetimeS(app, now)) waitingSyncs.set(e, { marked: false, fresh: false });
      else decide(e, now, apps[app]!.readAt, false);
    }
    // The token's next round: once a sync waits and FLEET_ROUND_INTERVAL_MS has passed since the last one began.
    if (waitingSyncs.size === 0 || step - lastRoundStep < intervalSteps) continue;
    const waiting = new Set<number>();
    const markedApps = new Set<number>();
    let onlyFresh = true;
    for (const [e, flags] of waitingSyncs) {
      waiting.add(envs[e]!.app);
      if (flags.marked) markedApps.add(envs[e]!.app);
      if (!flags.fresh) onlyFresh = false;
    }
    // Refreshed along, as fleet-reads.ts does (not in a round of reads before writes only).
    const included = new Set(waiting);
    if (!onlyFresh) {
      for (let a = 0; a < appCount; a++) {
        if ((now - apps[a]!.readAt) * 1000 >= refreshAlongAgeMs(lifetimeS(a, now) * 1000, appFlowing(a, now))) included.add(a);
      }
    }
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
    const syncs = [...waitingSyncs.keys()];
    waitingSyncs.clear();
    lastRoundStep = step;
    if (used + cost > o.hourlyLimit) {
      row.exhaustedAtS ??= now;
      for (const e of syncs) decide(e, now, undefined, false);
      continue;
    }
    used += cost;
    if (onlyFresh) row.writePoints += cost;
    else row.readPoints += cost;
    row.rounds++;
    if (markedApps.size > 0) row.eventRounds++;
    row.markedReads += markedApps.size;
    const paced = pacedLifetimeMs({ budget: budget(), pointsPerRound: cost, nowMs: now * 1000, ttlMs: TTL_S * 1000, maxTtlMs: MAX_TTL_S * 1000 }) / 1000;
    for (const a of included) {
      apps[a]!.readAt = now;
      apps[a]!.pacedLifetimeS = paced;
      apps[a]!.changed = 0;
    }
    for (const e of syncs) decide(e, now, now, true);
  }
  for (const newsAt of pending.values()) {
    if (newsAt < HOUR_S - SAFETY_NET_S(o)) row.stalled++;
    else row.inFlight++;
  }
  row.releases = apps.reduce((sum, app) => sum + app.released, 0);
  return row;
}

/** The safety net's bound on news unseen (docs/webhooks.md): requeueInterval + EVENTS_FLOWING_TTL_MS + 15 s. */
const SAFETY_NET_S = (o: FleetModelOptions) => o.requeueSeconds + EVENTS_FLOWING_TTL_S + 15;
/** A write follows the read it was decided from. */
const WRITE_AFTER_READ_S = 1e-3;
