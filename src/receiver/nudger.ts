/**
 * Coalesces nudges: deliveries concerning one Environment within `windowMs` of each other
 * become one merge patch of GITHUB_EVENT_ANNOTATION, carrying the newest delivery. The patch
 * changes the parent object, so Metacontroller (or the runner) syncs it at once.
 */
import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import { formatGithubEventAnnotation, GITHUB_EVENT_ANNOTATION } from '../core/github-event.js';
import type { ReceiverMetrics } from './metrics.js';
import type { EnvironmentRef } from './targets.js';

/** Writes the annotation; rejects with `{ status: 404 }`-like errors that `isGone` recognises. */
export interface AnnotationWriter {
  patch(target: EnvironmentRef, patch: Record<string, unknown>): Promise<void>;
  isGone(error: unknown): boolean;
}

interface Pending {
  target: EnvironmentRef;
  deliveryId: string;
  /** When the newest coalesced delivery was accepted: the annotation's time. */
  latestMs: number;
  /** When the first was: the start of the delivery-to-nudge histogram. */
  firstMs: number;
}

export interface NudgerOptions {
  writer: AnnotationWriter;
  metrics: ReceiverMetrics;
  logger: Logger;
  windowMs: number;
  now?: () => number;
  /** At most this many Environments wait for one flush; beyond it the oldest waits for the next event or resync. */
  maxPending?: number;
}

export class Nudger {
  private readonly pending: LRUCache<string, Pending>;
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;
  private inFlight: Promise<void> = Promise.resolve();

  constructor(private readonly options: NudgerOptions) {
    this.now = options.now ?? Date.now;
    this.pending = new LRUCache({ max: options.maxPending ?? 10_000 });
  }

  /** Queues a nudge of each target; the patch follows within `windowMs` (or at `flush()`). */
  submit(targets: readonly EnvironmentRef[], deliveryId: string, acceptedMs: number): void {
    for (const target of targets) {
      const key = `${target.namespace}/${target.name}`;
      const existing = this.pending.peek(key);
      if (existing) {
        if (acceptedMs >= existing.latestMs) Object.assign(existing, { deliveryId, latestMs: acceptedMs });
        existing.firstMs = Math.min(existing.firstMs, acceptedMs);
      } else {
        this.pending.set(key, { target, deliveryId, latestMs: acceptedMs, firstMs: acceptedMs });
      }
    }
    if (this.pending.size > 0 && !this.timer && this.options.windowMs >= 0) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        void this.flush();
      }, this.options.windowMs);
      this.timer.unref();
    }
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  /** Patches every pending Environment once; resolves when the patches are done. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = [...this.pending.rvalues()].filter((p): p is Pending => p !== undefined);
    this.pending.clear();
    const run = this.inFlight.then(() => Promise.all(batch.map((p) => this.patchOne(p)))).then(() => undefined);
    this.inFlight = run;
    return run;
  }

  private async patchOne(p: Pending): Promise<void> {
    const value = formatGithubEventAnnotation(p.deliveryId, p.latestMs);
    const log = { delivery: p.deliveryId, namespace: p.target.namespace, environment: p.target.name };
    try {
      await this.options.writer.patch(p.target, { metadata: { annotations: { [GITHUB_EVENT_ANNOTATION]: value } } });
      const seconds = Math.max(0, this.now() - p.firstMs) / 1000;
      this.options.metrics.nudge('patched', seconds);
      this.options.logger.info({ ...log, delayMs: Math.round(seconds * 1000) }, 'nudged Environment');
    } catch (error) {
      const gone = this.options.writer.isGone(error);
      this.options.metrics.nudge(gone ? 'gone' : 'failed');
      const message = error instanceof Error ? error.message : String(error);
      if (gone) this.options.logger.info(log, 'Environment to nudge is gone');
      else this.options.logger.warn({ ...log, error: message }, 'could not nudge Environment; its next resync picks the news up');
    }
  }

  async close(): Promise<void> {
    await this.flush();
  }
}
