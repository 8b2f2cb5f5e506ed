import { budgetStretch } from '../../src/github/budget.js';

const NOW = Date.parse('2026-11-26T12:00:00Z');
const MINUTE = 60_000;

describe('budgetStretch', () => {
  test('is the spending rate so far over the rate the remaining points sustain until the reset', () => {
    // 355 points in the window's first minute; 4,645 must last 59 minutes.
    expect(budgetStretch({ limit: 5000, remaining: 4645, resetAtMs: NOW + 59 * MINUTE }, NOW)).toBeCloseTo((355 / MINUTE) / (4645 / (59 * MINUTE)), 12);
    expect(budgetStretch({ limit: 5000, remaining: 4645, resetAtMs: NOW + 59 * MINUTE }, NOW)).toBeCloseTo(4.50915, 5);
    // Half the budget gone in the first quarter: twice too fast... and then some.
    expect(budgetStretch({ limit: 5000, remaining: 2500, resetAtMs: NOW + 45 * MINUTE }, NOW)).toBeCloseTo((2500 / (15 * MINUTE)) / (2500 / (45 * MINUTE)), 12);
    expect(budgetStretch({ limit: 5000, remaining: 2500, resetAtMs: NOW + 45 * MINUTE }, NOW)).toBeCloseTo(3, 12);
  });

  test('is 1 while the budget lasts at the current pace, and in the window\'s first minute unless spending is heavy', () => {
    expect(budgetStretch({ limit: 5000, remaining: 4990, resetAtMs: NOW + 30 * MINUTE }, NOW)).toBe(1);
    expect(budgetStretch({ limit: 5000, remaining: 2500, resetAtMs: NOW + 30 * MINUTE }, NOW)).toBe(1);
    // 10 points in the first 10 seconds count as 10 per minute, not 60.
    expect(budgetStretch({ limit: 5000, remaining: 4990, resetAtMs: NOW + 3590_000 }, NOW)).toBe(1);
  });

  test('is infinite when nothing remains, and 1 for reports that describe no current window', () => {
    expect(budgetStretch({ limit: 5000, remaining: 0, resetAtMs: NOW + 10 * MINUTE }, NOW)).toBe(Number.POSITIVE_INFINITY);
    expect(budgetStretch({ limit: 5000, remaining: 0, resetAtMs: NOW - 1 }, NOW)).toBe(1);
    expect(budgetStretch({ limit: 5000, remaining: 10, resetAtMs: NOW + 61 * MINUTE }, NOW)).toBe(1);
    expect(budgetStretch({ limit: 0, remaining: 0, resetAtMs: NOW + 10 * MINUTE }, NOW)).toBe(1);
    expect(budgetStretch({ limit: 5000, remaining: 10, resetAtMs: Number.NaN }, NOW)).toBe(1);
  });
});
