import { pacedLifetimeMs, type GraphQLBudget } from '../../../src/github/budget.js';

const NOW = Date.parse('2026-11-26T12:00:00Z');
const MINUTE = 60_000;
const budget = (remaining: number, resetInMs: number, limit = 5000): GraphQLBudget => ({ limit, remaining, resetAtMs: NOW + resetInMs });
const pace = (b: GraphQLBudget, pointsPerRound: number, ttlMs = 10_000, maxTtlMs = 300_000) =>
  pacedLifetimeMs({ budget: b, pointsPerRound, nowMs: NOW, ttlMs, maxTtlMs });

describe('pacedLifetimeMs', () => {
  test('keeps a read long enough that a round of reads spends at most 90 % of what remains, spread until the reset', () => {
    // 100 applications at 1 point each; 3,600 points left for 60 minutes: 0.9 points/s, one round every 111.1 s.
    expect(pace(budget(3600, 60 * MINUTE), 100)).toBeCloseTo(100 / ((0.9 * 3600) / (60 * MINUTE)), 6);
    expect(pace(budget(3600, 60 * MINUTE), 100)).toBeCloseTo(111_111.111, 2);
    // The same token later in its window, with less left for less time.
    expect(pace(budget(900, 30 * MINUTE), 100)).toBeCloseTo(222_222.222, 2);
  });

  test('is the TTL while a round every TTL fits the budget (one application per token, or a healthy shared one)', () => {
    expect(pace(budget(4990, 59 * MINUTE), 1)).toBe(10_000);
    expect(pace(budget(4000, 30 * MINUTE), 10)).toBe(10_000);
  });

  test('spends at most 80 % of the hourly limit at a steady pace, even with the whole budget left', () => {
    // A batched round of 10 points every 5 s would be 7,200 points/hour; 80 % of 5,000 is 4,000: one round every 9 s.
    expect(pace(budget(5000, 60 * MINUTE), 10, 5_000)).toBeCloseTo(9_000, 6);
    // 3 points every 5 s is 2,160 points/hour: the TTL.
    expect(pace(budget(5000, 60 * MINUTE), 3, 5_000)).toBe(5_000);
  });

  test('never exceeds the maximum, and is the maximum once nothing remains', () => {
    expect(pace(budget(100, 60 * MINUTE), 1000)).toBe(300_000);
    expect(pace(budget(0, 10 * MINUTE), 1)).toBe(300_000);
  });

  test('is the TTL for reports that describe no current window; 0 when sharing is off; the TTL when the maximum is below it', () => {
    expect(pace(budget(10, -1), 100)).toBe(10_000);
    expect(pace(budget(10, 61 * MINUTE), 100)).toBe(10_000);
    expect(pace(budget(0, 10 * MINUTE, 0), 100)).toBe(10_000);
    expect(pace({ limit: 5000, remaining: 10, resetAtMs: Number.NaN }, 100)).toBe(10_000);
    expect(pace(budget(10, 60 * MINUTE), 100, 0)).toBe(0);
    expect(pace(budget(10, 60 * MINUTE), 100, 10_000, 5_000)).toBe(10_000);
  });
});

describe('pacing over a whole window', () => {
  /**
   * 100 applications share one token, each reading its ledger whenever its shared read has
   * expired (Environments resync every 60 s, so some sync needs it soon after), with
   * LEDGER_CACHE_TTL_MS 10 s and LEDGER_CACHE_MAX_TTL_MS 300 s. The window opens with a
   * restart: every application's first read is cold (10 points), later ones warm (1).
   * Unpaced that is 1,000 + 100 × 359 = 36,900 points in the hour.
   */
  function simulateHour(limit: number, maxTtlMs = 300_000): { used: number; lowestRemaining: number; longestLifetimeS: number } {
    const resetAtMs = NOW + 60 * MINUTE;
    const lastCost = new Array<number>(100).fill(0);
    const expiresAt = new Array<number>(100).fill(NOW);
    let used = 0;
    let lowestRemaining = limit;
    let longestLifetimeS = 0;
    for (let t = NOW; t < resetAtMs; t += 1000) {
      for (let app = 0; app < 100; app++) {
        if (t < expiresAt[app]!) continue;
        const cost = lastCost[app] === 0 ? 10 : 1;
        used += cost;
        lastCost[app] = cost;
        const pointsPerRound = lastCost.reduce((a, b) => a + b, 0);
        const lifetime = pacedLifetimeMs({ budget: { limit, remaining: limit - used, resetAtMs }, pointsPerRound, nowMs: t, ttlMs: 10_000, maxTtlMs });
        longestLifetimeS = Math.max(longestLifetimeS, lifetime / 1000);
        expiresAt[app] = t + lifetime;
      }
      lowestRemaining = Math.min(lowestRemaining, limit - used);
    }
    return { used, lowestRemaining, longestLifetimeS };
  }

  test('unpaced (maximum = TTL) the same token runs dry within the hour', () => {
    const { used, lowestRemaining } = simulateHour(5000, 10_000);
    expect(used).toBe(36_900);
    expect(lowestRemaining).toBe(5000 - 36_900);
  });

  test('a token shared by 100 applications lasts the hour and still spends most of its budget', () => {
    const { used, lowestRemaining } = simulateHour(5000);
    expect(lowestRemaining).toBeGreaterThan(0);
    expect(used).toBeLessThanOrEqual(5000);
    expect(used).toBeGreaterThan(4000);
  });

  test('a budget too small even for reads kept LEDGER_CACHE_MAX_TTL_MS runs out: the cap bounds how stale gates get', () => {
    // 1,000 points of first reads plus 100 reads per 300 s (about 1,200 an hour) do not fit in 1,500.
    const { lowestRemaining, longestLifetimeS } = simulateHour(1500);
    expect(lowestRemaining).toBeLessThanOrEqual(0);
    expect(longestLifetimeS).toBe(300);
  });
});
