/**
 * Pacing shared reads by a token's GraphQL budget. GitHub grants each token (or App
 * installation) a number of points per hour-long window; a token shared by many
 * applications can spend them faster than the window refills. The shared read's lifetime
 * then stretches by how much faster the token spends than it can sustain until the window
 * resets, so the budget lasts; gates see upstream changes later instead of not at all.
 */

/** GitHub's `rateLimit` as a ledger read last reported it. */
export interface GraphQLBudget {
  limit: number;
  remaining: number;
  /** Epoch milliseconds at which the window resets. */
  resetAtMs: number;
}

const WINDOW_MS = 3600_000;
/** Spending measured over less than this is not a rate yet. */
const MIN_ELAPSED_MS = 60_000;

/**
 * ≥ 1: the token's spending rate so far in this window over the rate that would leave
 * the remaining points until the reset. Infinity when nothing remains; 1 when the
 * budget is healthy or the report makes no sense (no window, no limit).
 */
export function budgetStretch(budget: GraphQLBudget, nowMs: number): number {
  const untilReset = budget.resetAtMs - nowMs;
  if (!(untilReset > 0) || !(budget.limit > 0) || untilReset > WINDOW_MS) return 1;
  if (budget.remaining <= 0) return Number.POSITIVE_INFINITY;
  const elapsed = Math.max(WINDOW_MS - untilReset, MIN_ELAPSED_MS);
  const spending = (budget.limit - budget.remaining) / elapsed;
  const sustainable = budget.remaining / untilReset;
  return Math.max(1, spending / sustainable);
}
