/** Go-style durations as the Environment CRD accepts them (`30s`, `1m`, `1h30m`, `1.5h`, `250ms`). */
const WHOLE = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h))+$/;
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600 };

/** Seconds, or null when the text is not a duration. */
export function parseDurationSeconds(text: string): number | null {
  if (!WHOLE.test(text)) return null;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(PART)) total += Number(amount) * (UNIT_SECONDS[unit as string] ?? 0);
  return total;
}
