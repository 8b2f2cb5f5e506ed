/** Prometheus metrics of the webhook receiver, in its own Registry (served on its metrics port). */
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/**
 * accepted: nudges queued; ignored: not an event or repository this cluster follows;
 * ping; duplicate: a delivery id seen before; bad_signature: unsigned or wrongly signed (401);
 * too_large (413); malformed: bad headers or JSON (400).
 */
export type DeliveryOutcome = 'accepted' | 'ignored' | 'ping' | 'duplicate' | 'bad_signature' | 'too_large' | 'malformed';
/** patched; gone: the Environment was deleted meanwhile (404); failed: any other error. */
export type NudgeOutcome = 'patched' | 'gone' | 'failed';

const PREFIX = 'environment_sync_receiver_';

export class ReceiverMetrics {
  readonly registry = new Registry();
  private readonly deliveries = new Counter({
    name: `${PREFIX}deliveries_total`,
    help: 'GitHub webhook deliveries by X-GitHub-Event (other: any event not handled) and outcome (accepted, ignored, ping, duplicate, bad_signature, too_large, malformed).',
    labelNames: ['event', 'outcome'] as const,
    registers: [this.registry],
  });
  private readonly nudges = new Counter({
    name: `${PREFIX}nudges_total`,
    help: 'Environments annotated after a delivery, by outcome (patched, gone, failed); coalesced deliveries make one patch.',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  private readonly deliveryToNudge = new Histogram({
    name: `${PREFIX}delivery_to_nudge_seconds`,
    help: 'Time from accepting the first of the coalesced deliveries to the patch of an Environment.',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10],
    registers: [this.registry],
  });

  constructor(defaultMetrics = false) {
    if (defaultMetrics) collectDefaultMetrics({ register: this.registry, prefix: PREFIX });
  }

  delivery(event: string, outcome: DeliveryOutcome): void {
    this.deliveries.inc({ event: ['deployment', 'deployment_status', 'ping'].includes(event) ? event : 'other', outcome });
  }

  nudge(outcome: NudgeOutcome, seconds?: number): void {
    this.nudges.inc({ outcome });
    if (outcome === 'patched' && seconds !== undefined) this.deliveryToNudge.observe(seconds);
  }
}
