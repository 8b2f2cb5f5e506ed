/**
 * Shares ledger reads between Environments of the same application and repository:
 * concurrent syncs wait for one in-flight read, and a short TTL serves the ones that
 * follow (longer while the read's token spends its GitHub budget too fast: budget.ts).
 * An optimisation only: anything that writes re-reads fresh first and drops the entry
 * afterwards. A read is remembered with the time it STARTED: a sync carrying a GitHub event
 * mark that read may predate (core/event-freshness.ts) neither uses it nor joins it in flight.
 */
import { LRUCache } from 'lru-cache';
import { markIdentity, readIsRecentEnough, readNotBeforeMs } from '../core/event-freshness.js';
import type { GithubEventMark } from '../core/github-event.js';
import type { Ledger } from '../core/types.js';
import { pacedLifetimeMs, type GraphQLBudget } from './budget.js';
import type { StatusWindows } from './status-windows.js';

interface Entry {
  ledger: Ledger;
  storedAt: number;
  /** When the read began asking GitHub: what it shows was recorded before then. */
  startedAt: number;
  /** How long it is shared: the TTL, stretched while its token spends its budget too fast. */
  lifetimeMs: number;
}

export interface CachedRead {
  ledger: Ledger;
  /** True when served from an earlier read (possibly stale by up to the TTL). */
  fromCache: boolean;
  /** How old the read is: 0 when it was made for this call (or was in flight). */
  ageMs: number;
}

const MAX_ENTRIES = 1000;
/** How long a read horizon a sync of a key needed keeps widening that key's reads (several requeue intervals). */
export const HORIZON_MEMORY_MS = 10 * 60_000;
/** Event marks remembered with when this replica first saw them. */
const MAX_SEEN_EVENTS = 10_000;

/**
 * Loads a ledger. A load that joins a read already under way (a batched round) reports when
 * that read started, so that later syncs do not take it for a newer one.
 */
export type Load = (startedAt: (ms: number) => void) => Promise<Ledger>;

export interface ReadOptions {
  /** Skip the shared read and any read in flight (a read before writes). */
  fresh?: boolean;
  /** Only reads started at or after this time may serve (the sync's event marks: readNotBeforeMs). */
  notBeforeMs?: number;
}

export class LedgerCache {
  private readonly entries = bounded<Entry>();
  private readonly inFlight = new Map<string, { promise: Promise<Ledger>; startedAt: number }>();
  private readonly seenEvents = new LRUCache<string, number>({ max: MAX_SEEN_EVENTS });
  /** Environments seen per key, so the next read fetches them in its first request. */
  private readonly environments = bounded<readonly string[]>();
  /** Status windows of the last read per key; they outlive the TTL because each read checks them. */
  private readonly windows = bounded<StatusWindows>();
  /** Deployments per environment the last read of a key found, so the next read's connections each fit a page. */
  private readonly counts = bounded<Readonly<Record<string, number>>>();
  /** Per key: the token its last read used, that read's points and when it was made. */
  private readonly costs = bounded<{ token: string; points: number; at: number }>();
  /** Per key: the newest ledger known, whatever its age (what a sync answers from while GitHub has its token on hold). */
  private readonly known = bounded<Ledger>();
  /** Per key: how long its read in progress will be kept, paced by the budget that read reported. */
  private readonly lifetimes = bounded<number>();
  /** Per key: the widest read horizon its syncs needed lately (undefined since: all of history), and when. */
  private readonly horizons = bounded<{ since: string | undefined; at: number }>();
  /** Keys whose last sync saw GitHub events flowing for their repository (core/event-freshness.ts eventsFlowing). */
  private readonly eventDriven = bounded<true>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
    /** Longest a read is shared when its token's budget runs short; at most the TTL disables pacing. */
    private readonly maxTtlMs: number = ttlMs,
    /**
     * How long a read is shared, at least, where events flow: news then comes with an event
     * mark, which never accepts an older read, so the shared read only serves the safety net.
     */
    private readonly eventsFlowingTtlMs: number = ttlMs,
  ) {}

  async read(key: string, load: Load, options: ReadOptions = {}): Promise<CachedRead> {
    if (!options.fresh) {
      const entry = this.entries.get(key);
      const age = entry ? this.now() - entry.storedAt : 0;
      if (entry && age < this.withEvents(key, entry.lifetimeMs) && readIsRecentEnough(entry.startedAt, options.notBeforeMs))
        return { ledger: entry.ledger, fromCache: true, ageMs: age };
      const pending = this.inFlight.get(key);
      if (pending && readIsRecentEnough(pending.startedAt, options.notBeforeMs)) return { ledger: await pending.promise, fromCache: true, ageMs: 0 };
    }
    const record = { startedAt: this.now(), promise: undefined as unknown as Promise<Ledger> };
    record.promise = load((startedAt) => {
      record.startedAt = Math.min(record.startedAt, startedAt);
    });
    this.inFlight.set(key, record);
    try {
      const ledger = await record.promise;
      this.store(key, ledger, record.startedAt);
      return { ledger, fromCache: false, ageMs: 0 };
    } finally {
      if (this.inFlight.get(key) === record) this.inFlight.delete(key);
    }
  }

  /**
   * The earliest start of a read that may serve a sync carrying `marks`; remembers when this
   * replica first saw each of them (a read started after that is newer than its event).
   */
  readNotBeforeMs(marks: readonly GithubEventMark[]): number | undefined {
    const now = this.now();
    return readNotBeforeMs(marks, (mark) => {
      const id = markIdentity(mark);
      const seen = this.seenEvents.get(id);
      if (seen !== undefined) return seen;
      this.seenEvents.set(id, now);
      return now;
    });
  }

  /**
   * What the read of `key` in progress cost and the budget GitHub reported for `token`
   * (the credentials and API it used); the read is then kept for a lifetime paced by it.
   */
  noteRead(key: string, token: string, points: number, budget?: GraphQLBudget): void {
    const now = this.now();
    this.costs.set(key, { token, points, at: now });
    if (!budget) {
      this.lifetimes.delete(key);
      return;
    }
    // Applications read on this token within the longest lifetime are the ones that will read again.
    let pointsPerRound = 0;
    for (const cost of this.costs.values()) {
      if (cost.token === token && now - cost.at <= Math.max(this.ttlMs, this.maxTtlMs)) pointsPerRound += cost.points;
    }
    this.lifetimes.set(key, pacedLifetimeMs({ budget, pointsPerRound, nowMs: now, ttlMs: this.ttlMs, maxTtlMs: this.maxTtlMs }));
  }

  /** The longest lifetime of the reads shared now (0 when none is). */
  longestLifetimeMs(): number {
    const now = this.now();
    let longest = 0;
    for (const entry of this.entries.values()) if (now - entry.storedAt < entry.lifetimeMs) longest = Math.max(longest, entry.lifetimeMs);
    return longest;
  }

  /** How old the shared read of `key` is (Infinity when there is none). */
  ageMs(key: string): number {
    const entry = this.entries.get(key);
    return entry ? this.now() - entry.storedAt : Number.POSITIVE_INFINITY;
  }

  /** Stores a read made elsewhere (a batched round, fleet-reads.ts) that started at `startedAt`, shared for `lifetimeMs`. */
  put(key: string, ledger: Ledger, lifetimeMs: number, startedAt: number = this.now()): void {
    this.lifetimes.set(key, lifetimeMs);
    this.store(key, ledger, startedAt);
  }

  /** How long the current read of `key` is shared (else the next one): the TTL, stretched by budget pacing, or while events flow. */
  sharedLifetimeMs(key: string): number {
    return this.withEvents(key, this.pacedLifetimeMs(key));
  }

  /** The TTL, stretched by budget pacing: how soon a read of `key` may be renewed by polling. */
  pacedLifetimeMs(key: string): number {
    return this.entries.get(key)?.lifetimeMs ?? this.lifetimeMs(key);
  }

  /** How long the next stored read of `key` will be shared by the budget (the TTL unless its read noted a budget). */
  lifetimeMs(key: string): number {
    return this.lifetimes.get(key) ?? this.ttlMs;
  }

  private withEvents(key: string, lifetimeMs: number): number {
    return this.eventDriven.has(key) ? Math.max(lifetimeMs, this.eventsFlowingTtlMs) : lifetimeMs;
  }

  /** Whether GitHub events flowed for `key`'s repository when its latest sync ran. */
  eventsFlowing(key: string): boolean {
    return this.eventDriven.has(key);
  }

  /** Whether GitHub events flow for `key`'s repository, as its latest sync found: its reads are then shared longer. */
  noteEventsFlowing(key: string, flowing: boolean): void {
    if (flowing) this.eventDriven.set(key, true);
    else this.eventDriven.delete(key);
  }

  invalidate(key: string): void {
    this.entries.delete(key);
  }

  /** The newest ledger read or written for `key`, however old: never shared as a read, only shown while GitHub cannot be asked. */
  lastKnown(key: string): Ledger | undefined {
    return this.known.get(key);
  }

  /** The ledger as a sync's writes left it (its read with their results applied). */
  remember(key: string, ledger: Ledger): void {
    this.known.set(key, ledger);
  }

  /**
   * The horizon a read of `key` for a sync that needs `since` uses: the widest any sync of the
   * key needed within HORIZON_MEMORY_MS, so one read serves the application's Environments
   * whichever of them reads first (the upstream needs less history than a gated downstream).
   */
  readSince(key: string, since: string | undefined): string | undefined {
    const now = this.now();
    const noted = this.horizons.get(key);
    const current = noted && now - noted.at <= HORIZON_MEMORY_MS ? noted : undefined;
    if (!current || wider(since, current.since) === since) {
      this.horizons.set(key, { since, at: now });
      return since;
    }
    return wider(since, current.since);
  }

  knownEnvironments(key: string): readonly string[] {
    return this.environments.get(key) ?? [];
  }

  /** Undefined until a read of `key` kept its windows: the next read is then cold. */
  statusWindows(key: string): StatusWindows | undefined {
    return this.windows.get(key);
  }

  keepStatusWindows(key: string, windows: StatusWindows): void {
    this.windows.set(key, windows);
  }

  /** Undefined until a read of `key` kept its counts. */
  deploymentCounts(key: string): Readonly<Record<string, number>> | undefined {
    return this.counts.get(key);
  }

  keepDeploymentCounts(key: string, counts: Readonly<Record<string, number>>): void {
    this.counts.set(key, counts);
  }

  private store(key: string, ledger: Ledger, startedAt: number): void {
    if (this.entries.get(key)?.ledger === ledger) return; // already stored by put()
    this.known.set(key, ledger);
    if (this.ttlMs > 0) {
      this.entries.set(key, { ledger, storedAt: this.now(), startedAt, lifetimeMs: this.lifetimeMs(key) });
      this.lifetimes.delete(key);
    }
    this.environments.set(key, ledger.environments);
  }
}

/** The older of two read horizons; undefined (all of history) is older than any time. */
function wider(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined || b === undefined) return undefined;
  return Date.parse(a) <= Date.parse(b) ? a : b;
}

/** Per key, at most MAX_ENTRIES: the least recently used key goes first. */
function bounded<T extends NonNullable<unknown>>(): LRUCache<string, T> {
  return new LRUCache<string, T>({ max: MAX_ENTRIES });
}
