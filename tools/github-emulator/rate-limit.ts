/**
 * Primary rate-limit buckets per credential and resource, as GitHub keeps them, reported
 * through x-ratelimit-* headers and `rateLimit`.
 */

export type RateLimitResource = 'core' | 'graphql' | 'unauthenticated';

export interface RateLimitSnapshot {
  resource: 'core' | 'graphql';
  limit: number;
  used: number;
  remaining: number;
  /** Epoch seconds. */
  reset: number;
}

interface Bucket {
  limit: number;
  used: number;
  resetMs: number;
}

const WINDOW_MS = 3600_000;

export class RateLimiter {
  /** By credential (the token; '' for unauthenticated requests) and resource. */
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly limit: number,
    private readonly enforce: boolean,
    private readonly nowMs: () => number,
  ) {}

  private bucket(resource: RateLimitResource, credential: string): Bucket {
    const now = this.nowMs();
    const key = `${credential}\u0000${resource}`;
    let b = this.buckets.get(key);
    if (!b || now >= b.resetMs) {
      b = { limit: resource === 'unauthenticated' ? 60 : this.limit, used: 0, resetMs: now + WINDOW_MS };
      this.buckets.set(key, b);
    }
    return b;
  }

  private snapshot(resource: RateLimitResource, b: Bucket): RateLimitSnapshot {
    return {
      resource: resource === 'graphql' ? 'graphql' : 'core',
      limit: b.limit,
      used: b.used,
      remaining: Math.max(0, b.limit - b.used),
      reset: Math.floor(b.resetMs / 1000),
    };
  }

  peek(resource: RateLimitResource, credential = ''): RateLimitSnapshot {
    return this.snapshot(resource, this.bucket(resource, credential));
  }

  /** Charges `cost` points; `exceeded` when enforcing and the budget is spent (nothing is charged then). */
  take(resource: RateLimitResource, cost: number, credential = ''): { exceeded: boolean; snapshot: RateLimitSnapshot } {
    let b = this.bucket(resource, credential);
    if (b.used + cost > b.limit) {
      if (this.enforce || resource === 'unauthenticated') return { exceeded: true, snapshot: this.snapshot(resource, b) };
      // Not enforced: start a fresh window instead of advertising an exhausted budget forever.
      b = { limit: b.limit, used: 0, resetMs: this.nowMs() + WINDOW_MS };
      this.buckets.set(`${credential}\u0000${resource}`, b);
    }
    b.used += cost;
    return { exceeded: false, snapshot: this.snapshot(resource, b) };
  }
}

export function rateLimitHeaders(s: RateLimitSnapshot): Record<string, string> {
  return {
    'x-ratelimit-limit': String(s.limit),
    'x-ratelimit-remaining': String(s.remaining),
    'x-ratelimit-reset': String(s.reset),
    'x-ratelimit-used': String(s.used),
    'x-ratelimit-resource': s.resource,
  };
}
