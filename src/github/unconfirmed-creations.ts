/**
 * Deployment creations whose outcome this process does not know yet. A hook must answer
 * within its budget, but a creation GitHub is still processing may land after the next
 * sync has read the ledger, and that sync would create the deployment a second time.
 * So a creation is not abandoned at the sync deadline: it runs on (up to the GitHub
 * request timeout) and, until it settles, the same deployment is not created again.
 * A creation that ended without an answer (timeout, lost connection) stays unconfirmed
 * for as long as GitHub may still be processing it.
 *
 * In-process only: an optimisation against duplicates, not a guarantee across replicas.
 */

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

export class UnconfirmedCreations {
  /** Key → epoch ms until which the creation may still land (Infinity while in flight). */
  private readonly entries = new Map<string, number>();

  constructor(private readonly nowMs: () => number = Date.now) {}

  /** Whether a creation with this key may still land on GitHub. */
  pending(key: string): boolean {
    const until = this.entries.get(key);
    if (until === undefined) return false;
    if (until > this.nowMs()) return true;
    this.entries.delete(key);
    return false;
  }

  /**
   * Awaits `creation` until `deadline`; past it, throws DeadlineExceeded while the creation
   * continues and stays pending. `unanswered` tells whether a failure left the outcome open.
   */
  async track<T>(key: string, creation: Promise<T>, deadline: number, unanswered: (error: unknown) => boolean): Promise<T> {
    this.entries.set(key, Number.POSITIVE_INFINITY);
    this.prune();
    creation.then(
      () => this.entries.delete(key),
      (error: unknown) => {
        if (unanswered(error)) this.entries.set(key, this.nowMs() + GITHUB_PROCESSING_LIMIT_MS);
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

  private prune(): void {
    if (this.entries.size <= MAX_ENTRIES) return;
    const now = this.nowMs();
    for (const [key, until] of this.entries) if (until <= now) this.entries.delete(key);
    // Still too many: forget the oldest (Map keeps insertion order).
    for (const key of this.entries.keys()) {
      if (this.entries.size <= MAX_ENTRIES) break;
      this.entries.delete(key);
    }
  }
}
