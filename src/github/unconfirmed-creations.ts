/**
 * Deployment creations whose outcome this process does not know yet. A hook must answer
 * within its budget, but a creation GitHub is still processing may land after the next
 * sync has read the ledger, and that sync would create the deployment a second time.
 * So a creation is not abandoned at the sync deadline: it runs on (up to the GitHub
 * request timeout) and, until it settles, the same deployment is not created again.
 * A creation that ended without an answer (timeout, lost connection) stays unconfirmed
 * for as long as GitHub may still be processing it. A creation GitHub confirmed stays
 * remembered just as long: GitHub's reads may lag behind its writes, and a read that does
 * not show the new deployment yet must not lead to creating it again.
 *
 * This is the in-process guard only (it also covers a sync this process answers before the
 * status of the last one is written). What holds across replicas and restarts is the
 * Environment's status.unconfirmedCreations (src/core/unconfirmed.ts), written from
 * `remainingMs` when the hook answers.
 */
import { LRUCache } from 'lru-cache';

/** GitHub ends any API request it has not finished processing after 10 seconds. */
export const GITHUB_PROCESSING_LIMIT_MS = 10_000;
const MAX_ENTRIES = 10_000;

/** The sync budget ran out first; named like the platform's timeouts so it classifies as GitHubTimeout. */
export class DeadlineExceeded extends Error {
  constructor() {
    super('the sync budget ran out while GitHub was still creating the deployment');
    this.name = 'TimeoutError';
  }
}

/** `open`: no answer yet, or none came; `confirmed`: GitHub answered 201, but a read may not show it yet. */
export type CreationState = 'open' | 'confirmed';

export class UnconfirmedCreations {
  /** Key → pending until its TTL ends; the oldest go first past MAX_ENTRIES. */
  private readonly entries: LRUCache<string, CreationState>;

  constructor(private readonly nowMs: () => number = Date.now) {
    this.entries = new LRUCache<string, CreationState>({ max: MAX_ENTRIES, ttlResolution: 0, perf: { now: nowMs } });
  }

  /** Whether the pending creation was confirmed by GitHub (undefined when none is pending). */
  state(key: string): CreationState | undefined {
    return this.remainingMs(key) === undefined ? undefined : this.entries.get(key);
  }

  /** Creations remembered (some may have expired). */
  get size(): number {
    return this.entries.size;
  }

  /** A read shows the deployment: nothing is pending for it any more. */
  shown(key: string): void {
    this.entries.delete(key);
  }

  /** Whether a creation with this key may still land on GitHub. */
  pending(key: string): boolean {
    return this.remainingMs(key) !== undefined;
  }

  /** How much longer the creation may still land (ms, above 0), or undefined when it is settled or expired. */
  remainingMs(key: string): number | undefined {
    if (!this.entries.has(key)) return undefined;
    const remaining = this.entries.getRemainingTTL(key);
    return remaining > 0 ? remaining : undefined;
  }

  /**
   * Awaits `creation` until `deadline`; past it, throws DeadlineExceeded while the creation
   * continues and stays pending. `settleBy` is when the creation's own request times out:
   * GitHub may record it up to its processing limit after that. `unanswered` tells whether
   * a failure left the outcome open.
   */
  async track<T>(key: string, creation: Promise<T>, deadline: number, settleBy: number, unanswered: (error: unknown) => boolean): Promise<T> {
    this.entries.set(key, 'open', { ttl: Math.max(1, settleBy + GITHUB_PROCESSING_LIMIT_MS - this.nowMs()) });
    creation.then(
      // Kept (for what remains of its time) until a read shows it: GitHub's reads may lag behind the 201.
      () => this.entries.set(key, 'confirmed', { ttl: Math.max(1, this.entries.getRemainingTTL(key)) }),
      (error: unknown) => {
        if (unanswered(error)) this.entries.set(key, 'open', { ttl: GITHUB_PROCESSING_LIMIT_MS });
        else this.entries.delete(key);
      },
    );
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new DeadlineExceeded()), Math.max(0, deadline - this.nowMs()));
    });
    try {
      return await Promise.race([creation, expired]);
    } finally {
      clearTimeout(timer);
    }
  }
}
