/**
 * Pacing shared reads by a token's GraphQL budget. GitHub grants each token (or App
 * installation) a number of points per hour-long window; a token shared by many
 * applications can spend them faster than that. A shared read is then kept long enough
 * that re-reading every application on the token, each at the cost its last read had,
 * spends no more than the points that remain, spread until the window resets: gates see
 * upstream changes later instead of not at all.
 */
import { LRUCache } from 'lru-cache';

/** GitHub's `rateLimit` as a ledger read last reported it. */
export interface GraphQLBudget {
  limit: number;
  remaining: number;
  /** Epoch milliseconds at which the window resets. */
  resetAtMs: number;
}

const WINDOW_MS = 3600_000;
/** Share of the remaining points the pace plans to spend: the rest absorbs bursts and other users of the token. */
const PLANNED_SHARE = 0.9;
/** Share of the hourly limit reads may spend at a steady pace, however much remains: writes and other users of the token keep the rest. */
export const SUSTAINED_SHARE = 0.8;

export interface PaceInput {
  budget: GraphQLBudget;
  /** Points one round of re-reading every application that uses the token costs (each at its last read's cost). */
  pointsPerRound: number;
  nowMs: number;
  ttlMs: number;
  maxTtlMs: number;
}

/**
 * How long a shared read is kept: the TTL, or longer when a round of reads every TTL
 * would spend the token's remaining points before its window resets, or more than 80 % of
 * its hourly limit at a steady pace; at most maxTtlMs
 * (never below the TTL). The TTL when the report describes no current window.
 */
export function pacedLifetimeMs({ budget, pointsPerRound, nowMs, ttlMs, maxTtlMs }: PaceInput): number {
  if (ttlMs <= 0) return 0;
  const ceiling = Math.max(ttlMs, maxTtlMs);
  const untilReset = budget.resetAtMs - nowMs;
  if (!(untilReset > 0) || untilReset > WINDOW_MS || !(budget.limit > 0)) return ttlMs;
  if (budget.remaining <= 0) return ceiling;
  const affordablePerMs = Math.min((PLANNED_SHARE * budget.remaining) / untilReset, (SUSTAINED_SHARE * budget.limit) / WINDOW_MS);
  return Math.min(ceiling, Math.max(ttlMs, pointsPerRound / affordablePerMs));
}

/** Tokens held at once; the least recently held go first past it. */
const MAX_HOLDS = 10_000;

/**
 * One back-off per token and API host. When GitHub answers a request with a rate limit
 * (retry-after, or the reset time of a spent budget), nothing is sent with that token to
 * that host until then: not by another Environment, another application or a write. GitHub
 * asks integrations to stop until then and may ban those that keep calling.
 */
export class RateLimitHolds {
  private readonly holds: LRUCache<string, number>;

  constructor(private readonly now: () => number = Date.now) {
    this.holds = new LRUCache<string, number>({ max: MAX_HOLDS });
  }

  /** Holds `key` for `seconds` from now; a longer hold in place stays. True when this starts or extends the hold. */
  hold(key: string, seconds: number): boolean {
    const until = this.now() + seconds * 1000;
    if (until <= (this.holds.get(key) ?? 0)) return false;
    this.holds.set(key, until);
    return true;
  }

  /** Milliseconds until `key` may send again (0 when it is not held). */
  remainingMs(key: string): number {
    const until = this.holds.get(key);
    if (until === undefined) return 0;
    const remaining = until - this.now();
    if (remaining > 0) return remaining;
    this.holds.delete(key);
    return 0;
  }
}
