/**
 * Warning Events for failed syncs, as Metacontroller records them (`SyncError`), so that
 * `kubectl describe` shows why an Environment is stuck. Rate-limited per parent like
 * client-go's event spam filter: a burst, then one per interval.
 */
import { kubeTime } from '../core/time.js';
import type { KubeObject } from './types.js';

export const EVENT_SOURCE = 'environment-sync-runner';
const MAX_MESSAGE = 1024;

export function syncErrorEvent(parent: KubeObject, message: string, now: Date): KubeObject {
  const at = kubeTime(now);
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `${parent.metadata.name}.${now.getTime().toString(16)}`, namespace: parent.metadata.namespace || 'default' },
    involvedObject: {
      apiVersion: parent.apiVersion,
      kind: parent.kind,
      name: parent.metadata.name,
      ...(parent.metadata.namespace ? { namespace: parent.metadata.namespace } : {}),
      uid: parent.metadata.uid,
      resourceVersion: parent.metadata.resourceVersion,
    },
    reason: 'SyncError',
    message: `Sync error: ${message}`.slice(0, MAX_MESSAGE),
    type: 'Warning',
    source: { component: EVENT_SOURCE },
    firstTimestamp: at,
    lastTimestamp: at,
    count: 1,
  };
}

/** A token bucket per key: `burst` events at once, then one more per `intervalMs`. */
export class EventLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly burst = 25,
    private readonly intervalMs = 300_000,
  ) {}

  allow(key: string, nowMs: number): boolean {
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, at: nowMs };
    const refilled = Math.min(this.burst, bucket.tokens + (nowMs - bucket.at) / this.intervalMs);
    const allowed = refilled >= 1;
    this.buckets.set(key, { tokens: allowed ? refilled - 1 : refilled, at: nowMs });
    return allowed;
  }

  forget(key: string): void {
    this.buckets.delete(key);
  }
}
