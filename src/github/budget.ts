/**
 * Pacing shared reads by a token's GraphQL budget. GitHub grants each token (or App
 * installation) a number of points per hour-long window; a token shared by many
 * applications can spend them faster than that. A shared read is then kept long enough
 * that re-reading every application on the token, each at the cost its last read had,
 * spends no more than the points that remain, spread until the window resets: gates see
 * upstream changes later instead of not at all.
 */

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
