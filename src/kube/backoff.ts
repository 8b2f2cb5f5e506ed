/** Retry timing: bounded exponential backoff and HTTP Retry-After. */

export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

/** Delay before retry number `failures` (1 = first retry): base·2^(failures−1), capped. */
export function backoffMs(failures: number, policy: BackoffPolicy): number {
  if (failures < 1) return 0;
  const exponent = Math.min(failures - 1, 40);
  return Math.min(policy.maxMs, policy.baseMs * 2 ** exponent);
}

/** Retry-After as seconds or an HTTP date, in ms from `now`; 0 when absent or unreadable (retry now, as Metacontroller does). */
export function retryAfterMs(header: string | undefined, now: Date): number {
  if (!header) return 0;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? 0 : Math.max(0, at - now.getTime());
}
