/**
 * Reads of many applications on one token share queries. GitHub prices a GraphQL query by
 * the connections it asks for, at least 1 point, so 40 applications read one by one cost 40
 * points where one query reading all of them costs about 1.
 *
 * Per token, the applications synced recently are tracked. A sync that needs a read waits
 * FLEET_BATCH_WINDOW_MS for others, and on a busy token until FLEET_ROUND_INTERVAL_MS has passed
 * since its previous round started; the round then reads every waiting application, and
 * every tracked one whose shared read is old enough (refreshAlongAgeMs), in batched queries: one
 * part per repository, covering all of that repository's applications' environments. Each
 * application's result becomes its shared read, so the syncs that follow find a fresh one.
 * A round is priced as a whole by the budget pacing: its points are what re-reading the
 * token's applications costs.
 *
 * Nothing depends on this for correctness: writes re-read first. A repository that fails
 * (missing, unreadable) fails only its part; a round that fails as a whole over one
 * repository falls back to each waiting application's own read, but never one failed by a
 * rate limit or a timeout: those would only repeat, one request per application.
 */
import { LRUCache } from 'lru-cache';
import { readIsRecentEnough } from '../core/event-freshness.js';
import type { Ledger } from '../core/types.js';
import { pacedLifetimeMs, type GraphQLBudget } from './budget.js';
import type { GitHubSession } from './client.js';
import { failsOneRepository } from './errors.js';
import type { LedgerCache } from './ledger-cache.js';
import { LedgerRead, type LedgerReadApplication } from './ledger-read.js';
import type { StatusWindow } from './status-windows.js';

export const DEFAULT_FLEET_BATCH_WINDOW_MS = 20;
/**
 * The least time between the starts of two rounds of one token. GitHub prices every query at
 * least a point however little it reads, so on a busy token (webhook nudges, reads before
 * writes) many small rounds cost far more than a few that carry everything waiting; a quiet
 * token's first read is not delayed.
 */
export const DEFAULT_FLEET_ROUND_INTERVAL_MS = 2_000;
/** Applications not synced for this long are no longer refreshed with the others. */
const TRACK_MS = 180_000;
/** The longest a read waits for others, in batch windows. */
const MAX_WINDOWS = 10;
/** Applications tracked per token. */
const MAX_TRACKED = 10_000;

export interface FleetTarget {
  /** The shared read's key (LedgerCache). */
  key: string;
  /** Whose budget the read spends: credentials and API (never the credential itself). */
  tokenKey: string;
  /** Reads this application's repository with its credentials. */
  session: GitHubSession;
  /** Repository identity on its API, lower-cased: applications with the same one share a part. */
  repositoryKey: string;
  specName: string;
  /** Environments the application's syncs know of (short names). */
  knownEnvironments: readonly string[];
  /** The oldest creation time the sync needs (core/read-horizon.ts); absent: all of history. */
  since?: string;
  /** Only a round started at or after this time may serve the read (GitHub event marks: core/event-freshness.ts). */
  notBeforeMs?: number;
}

export interface RoundReport {
  tokenKey: string;
  applications: number;
  repositories: number;
  requests: number;
  points: number;
}

/**
 * Starts a token's round once its batch window has passed. The default uses a timer; tests
 * start rounds themselves once the reads they expect are waiting (no wall-clock windows).
 */
export interface RoundScheduler {
  /** Calls `start` in `delayMs` (`waiting`: reads queued for the round now); returns what cancels it. */
  schedule(start: () => void, delayMs: number, waiting: number): () => void;
}

export const timerScheduler: RoundScheduler = {
  schedule(start, delayMs) {
    const timer = setTimeout(start, delayMs);
    return () => clearTimeout(timer);
  },
};

export interface FleetReadsOptions {
  windowMs: number;
  /** Least time between the starts of two rounds of one token (default DEFAULT_FLEET_ROUND_INTERVAL_MS). */
  roundIntervalMs?: number;
  /** Monotonic clock of the batch window and the round interval (default performance.now; tests). */
  monotonicNow?: () => number;
  /** When a waiting round starts (default: a timer of the batch window). */
  scheduler?: RoundScheduler;
  ttlMs: number;
  maxTtlMs: number;
  now?: () => number;
  onRound?: (round: RoundReport) => void;
  /** Applications tracked per token (default 10,000). */
  maxTracked?: number;
}

interface Waiting {
  target: FleetTarget;
  deadline: number;
  fresh: boolean;
  resolve: (ledger: Ledger) => void;
  reject: (error: unknown) => void;
}

interface Outcome {
  promise: Promise<Ledger>;
  resolve: (ledger: Ledger) => void;
  reject: (error: unknown) => void;
}

/** A promise settled from outside; its rejection is never unhandled (whoever awaits it sees it). */
function outcome(): Outcome {
  let resolve!: (ledger: Ledger) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<Ledger>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

interface TokenState {
  tracked: LRUCache<string, FleetTarget>;
  waiting: Map<string, Waiting[]>;
  /** Cancels the scheduled start of the next round. */
  cancel?: () => void;
  /** Applications whose own read failed after a failed round: they read alone until one succeeds. */
  alone: Set<string>;
  /** A round is in flight: reads arriving meanwhile wait for it to end and go together in the next. */
  busy: boolean;
  /** The in-flight round's reads by key (prefetched ones too): a read that need not be fresh joins it. */
  current: Map<string, Promise<Ledger>>;
  /** When the in-flight round started (its reads show what GitHub recorded before then). */
  currentStartedAt: number;
  /** When the first of the waiting reads arrived (monotonic clock). */
  firstWaitingAt: number;
  /** When the token's last round started (monotonic clock). */
  lastRoundAt: number;
}

export class FleetReads {
  private readonly tokens = new Map<string, TokenState>();
  private readonly now: () => number;
  private readonly monotonicNow: () => number;
  private readonly scheduler: RoundScheduler;

  constructor(
    private readonly cache: LedgerCache,
    private readonly options: FleetReadsOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.monotonicNow = options.monotonicNow ?? (() => performance.now());
    this.scheduler = options.scheduler ?? timerScheduler;
  }

  /**
   * A read of `target`'s ledger made in the next round of its token, or in the one in flight
   * unless `fresh` (a read before writes must start after the decision to write). A read
   * that joins the round in flight calls `onJoined`: that round may have started before a
   * write this sync has not seen (another replica's, or an earlier sync's), so the caller
   * treats it like a shared read and re-reads fresh before writing; `onJoined` gets the
   * round's start. A round started before `target.notBeforeMs` is not joined.
   */
  read(target: FleetTarget, deadline: number, fresh = false, onJoined?: (startedAtMs: number) => void): Promise<Ledger> {
    const state = this.state(target.tokenKey);
    if (state.alone.has(target.key)) return this.readAlone(state, target, deadline);
    state.tracked.set(target.key, target);
    const current = fresh || !readIsRecentEnough(state.currentStartedAt, target.notBeforeMs) ? undefined : state.current.get(target.key);
    if (current) {
      onJoined?.(state.currentStartedAt);
      return current;
    }
    if (state.waiting.size === 0) state.firstWaitingAt = this.monotonicNow();
    return new Promise<Ledger>((resolve, reject) => {
      const list = state.waiting.get(target.key);
      const waiting: Waiting = { target, deadline, fresh, resolve, reject };
      if (list) list.push(waiting);
      else state.waiting.set(target.key, [waiting]);
      this.schedule(target.tokenKey, state);
    });
  }

  /**
   * The round starts once no read has arrived for the window (a burst of syncs goes together),
   * at most ten windows after the first waiting read, and never sooner than the round interval
   * after the token's previous round started.
   */
  private schedule(tokenKey: string, state: TokenState): void {
    if (state.busy || state.waiting.size === 0) return;
    state.cancel?.();
    const { windowMs } = this.options;
    const now = this.monotonicNow();
    const batched = Math.min(windowMs, state.firstWaitingAt + MAX_WINDOWS * windowMs - now);
    const spaced = state.lastRoundAt + (this.options.roundIntervalMs ?? DEFAULT_FLEET_ROUND_INTERVAL_MS) - now;
    const delay = Math.max(0, batched, spaced);
    const waiting = [...state.waiting.values()].reduce((sum, list) => sum + list.length, 0);
    state.cancel = this.scheduler.schedule(
      () => {
        state.cancel = undefined;
        state.busy = true;
        state.lastRoundAt = this.monotonicNow();
        this.round(tokenKey, state)
          .catch(() => undefined) // each waiting read got its own outcome
          .finally(() => {
            state.busy = false;
            this.schedule(tokenKey, state);
          });
      },
      delay,
      waiting,
    );
  }

  private state(tokenKey: string): TokenState {
    let state = this.tokens.get(tokenKey);
    if (!state) {
      this.forgetIdleTokens();
      state = {
        tracked: trackedApplications(this.options.maxTracked ?? MAX_TRACKED, this.now),
        waiting: new Map(),
        alone: new Set(),
        busy: false,
        current: new Map(),
        currentStartedAt: Number.NEGATIVE_INFINITY,
        firstWaitingAt: 0,
        lastRoundAt: Number.NEGATIVE_INFINITY,
      };
      this.tokens.set(tokenKey, state);
    }
    return state;
  }

  /** Tokens seen now: the ones with an application synced within TRACK_MS or a read waiting or in flight. */
  get tokenCount(): number {
    return this.tokens.size;
  }

  /**
   * A token whose applications all went unsynced for TRACK_MS (a rotated or removed credential)
   * is forgotten, so that the tokens kept stay those in use. Checked when a new token appears.
   */
  private forgetIdleTokens(): void {
    for (const [tokenKey, state] of this.tokens) {
      state.tracked.purgeStale();
      if (!state.busy && state.cancel === undefined && state.waiting.size === 0 && state.tracked.size === 0) this.tokens.delete(tokenKey);
    }
  }

  private async round(tokenKey: string, state: TokenState): Promise<void> {
    state.currentStartedAt = this.now();
    const waiting = state.waiting;
    state.waiting = new Map();
    const targets = new Map<string, FleetTarget>();
    for (const [key, list] of waiting) targets.set(key, coveringAll(list.map((w) => w.target)));
    // Refreshed along: tracked applications whose shared read is old enough (refreshAlongAgeMs). Not
    // when only reads before writes wait: those come whenever syncs write, and must not pull a round each.
    const onlyFresh = [...waiting.values()].every((list) => list.every((w) => w.fresh));
    for (const [key, target] of onlyFresh ? [] : state.tracked.entries()) {
      if (!targets.has(key) && this.cache.ageMs(key) >= refreshAlongAgeMs(this.cache.sharedLifetimeMs(key), this.cache.eventsFlowing(key))) {
        targets.set(key, target);
      }
    }
    const outcomes = new Map<string, Outcome>();
    for (const key of targets.keys()) outcomes.set(key, outcome());
    state.current = new Map([...outcomes].map(([key, o]) => [key, o.promise]));
    for (const [key, list] of waiting) for (const w of list) outcomes.get(key)!.promise.then(w.resolve, w.reject);
    try {
      await this.readRound(state, tokenKey, targets, waiting, outcomes);
    } finally {
      state.current = new Map();
      // Prefetched applications of a failed round: nobody waits for them.
      for (const o of outcomes.values()) o.reject(new Error('the batched read ended without this application'));
    }
  }

  private async readRound(
    state: TokenState,
    tokenKey: string,
    targets: Map<string, FleetTarget>,
    waiting: Map<string, Waiting[]>,
    outcomes: Map<string, Outcome>,
  ): Promise<void> {
    const deadline = Math.min(...[...waiting.values()].flatMap((list) => list.map((w) => w.deadline)));
    const groups = new Map<string, FleetTarget[]>();
    for (const target of targets.values()) {
      const group = groups.get(target.repositoryKey);
      if (group) group.push(target);
      else groups.set(target.repositoryKey, [target]);
    }
    const solo = targets.size === 1;
    const parts = [...groups.values()].map((group) => ({
      group,
      owner: group[0]!.session.owner,
      repo: group[0]!.session.repo,
      read: new LedgerRead({ applications: group.map((t) => this.application(t)), ...this.windows(group), inlineWindows: solo }),
    }));
    const session = [...waiting.values()][0]![0]!.target.session;
    let batch: Awaited<ReturnType<GitHubSession['readLedgers']>>;
    try {
      batch = await session.readLedgers(parts, deadline);
    } catch (error) {
      // One repository's problem GitHub did not pin to its part (access refused to one of them) fails the whole query: each
      // waiting application reads alone. A problem of the token or of GitHub (a rate limit, a timeout) would only repeat.
      const perRepository = !solo && failsOneRepository(error);
      const alone = [...waiting].map(async ([key, list]) => {
        const o = outcomes.get(key)!;
        if (!perRepository) o.reject(error);
        else await this.readAlone(state, list[0]!.target, list[0]!.deadline).then(o.resolve, o.reject);
      });
      await Promise.all(alone);
      return;
    }
    this.options.onRound?.({ tokenKey, applications: targets.size, repositories: parts.length, requests: batch.requests, points: batch.points });
    const lifetimeMs = this.lifetimeMs(batch.points, batch.budget);
    parts.forEach((part, index) => {
      const failure = batch.failures.get(index);
      const results = failure ? undefined : part.read.results();
      for (const target of part.group) {
        const result = results?.get(target.specName);
        const o = outcomes.get(target.key)!;
        if (!result) {
          o.reject(failure);
          continue;
        }
        this.cache.keepStatusWindows(target.key, result.statusWindows);
        this.cache.keepDeploymentCounts(target.key, result.deploymentCounts);
        this.cache.put(target.key, result.ledger, lifetimeMs, state.currentStartedAt);
        o.resolve(result.ledger);
      }
    });
  }

  private async readAlone(state: TokenState, target: FleetTarget, deadline: number): Promise<Ledger> {
    state.tracked.delete(target.key);
    const startedAt = this.now();
    try {
      const statusWindows = this.cache.statusWindows(target.key);
      const { knownEnvironments, deploymentCounts } = this.application(target);
      const result = await target.session.readLedger({
        specName: target.specName,
        knownEnvironments,
        deadline,
        ...(target.since !== undefined ? { since: target.since } : {}),
        ...(statusWindows ? { statusWindows } : {}),
        ...(deploymentCounts ? { deploymentCounts } : {}),
      });
      state.alone.delete(target.key);
      this.cache.keepStatusWindows(target.key, result.statusWindows);
      this.cache.keepDeploymentCounts(target.key, result.deploymentCounts);
      this.cache.put(target.key, result.ledger, this.lifetimeMs(result.points, result.budget), startedAt);
      return result.ledger;
    } catch (error) {
      state.alone.add(target.key);
      throw error;
    }
  }

  private application(target: FleetTarget): LedgerReadApplication {
    const known = new Set([...target.knownEnvironments, ...this.cache.knownEnvironments(target.key)]);
    const deploymentCounts = this.cache.deploymentCounts(target.key);
    return {
      specName: target.specName,
      knownEnvironments: [...known],
      ...(deploymentCounts ? { deploymentCounts } : {}),
      ...(target.since !== undefined ? { since: target.since } : {}),
    };
  }

  /** The kept windows of a repository's applications; none at all (a cold read) only when none of them has any. */
  private windows(group: readonly FleetTarget[]): { statusWindows?: Map<string, StatusWindow> } {
    const kept = group.map((t) => this.cache.statusWindows(t.key)).filter((w) => w !== undefined);
    if (kept.length === 0) return {};
    const merged = new Map<string, StatusWindow>();
    for (const windows of kept) for (const [id, window] of windows) merged.set(id, window);
    return { statusWindows: merged };
  }

  /** How long this round's reads are shared: the TTL, or longer while a round every TTL would outspend the budget. */
  private lifetimeMs(points: number, budget: GraphQLBudget | undefined): number {
    const { ttlMs, maxTtlMs } = this.options;
    return budget ? pacedLifetimeMs({ budget, pointsPerRound: points, nowMs: this.now(), ttlMs, maxTtlMs }) : ttlMs;
  }
}

/**
 * How old a tracked application's shared read must be for a round to refresh it along. Polled,
 * half its lifetime: its syncs then seldom find it expired and wait. Where events flow, three
 * quarters: news comes with event marks, which no older read serves, so these reads are only the
 * safety net, and refreshing them at half their lifetime would double its cost.
 */
export function refreshAlongAgeMs(sharedLifetimeMs: number, eventsFlowing: boolean): number {
  return sharedLifetimeMs * (eventsFlowing ? 0.75 : 0.5);
}

/** The newest of one application's waiting targets, with the horizon covering all of them: the oldest, or none when one needs all of history. */
function coveringAll(targets: readonly FleetTarget[]): FleetTarget {
  const { since: _since, ...newest } = targets.at(-1)!;
  if (targets.some((t) => t.since === undefined)) return newest;
  return { ...newest, since: targets.map((t) => t.since!).reduce((a, b) => (Date.parse(a) <= Date.parse(b) ? a : b)) };
}

/**
 * At most `max` applications, each for TRACK_MS after its last sync. Bounded by maxSize (one
 * unit per application), not `max`: lru-cache allocates `max` slots in seven arrays up front
 * (about 380 KB for 10,000), and there is one of these per token (the scale benchmark's 100
 * tokens retained 38 MB of empty slots); sized by maxSize its arrays grow with the entries.
 */
function trackedApplications(max: number, now: () => number): LRUCache<string, FleetTarget> {
  return new LRUCache<string, FleetTarget>({ maxSize: max, sizeCalculation: () => 1, ttl: TRACK_MS, perf: { now }, ttlResolution: 0 });
}
