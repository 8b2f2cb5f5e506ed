/**
 * The annotation through which the webhook receiver nudges an Environment when GitHub
 * reports a deployment or deployment status it depends on. Writing it changes the parent
 * object, which makes Metacontroller (or the runner) sync at once; the hook service reads
 * it back to know that GitHub has news newer than any read it cached before that time.
 *
 * Value: `<X-GitHub-Delivery id>@<RFC 3339 time, UTC, milliseconds>` — the time the receiver
 * accepted the delivery.
 */
export const GITHUB_EVENT_ANNOTATION = 'environments.kuberik.com/github-event';

/** Delivery ids are GUIDs; anything else is cut to this many safe characters. */
const MAX_DELIVERY_ID_LENGTH = 64;
const DELIVERY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

export interface GithubEventMark {
  deliveryId: string;
  /** Epoch milliseconds at which the receiver accepted the delivery. */
  atMs: number;
}

export function formatGithubEventAnnotation(deliveryId: string, atMs: number): string {
  const safeId = deliveryId.replace(/[^A-Za-z0-9._-]/g, '').slice(0, MAX_DELIVERY_ID_LENGTH) || 'unknown';
  return `${safeId}@${new Date(atMs).toISOString()}`;
}

/** The mark in an annotation value, or undefined when the value is not one the receiver writes. */
export function parseGithubEventAnnotation(value: unknown): GithubEventMark | undefined {
  if (typeof value !== 'string' || value.length > 128) return undefined;
  const at = value.lastIndexOf('@');
  if (at <= 0) return undefined;
  const deliveryId = value.slice(0, at);
  const time = value.slice(at + 1);
  if (!DELIVERY_ID.test(deliveryId) || !ISO_MS.test(time)) return undefined;
  const atMs = Date.parse(time);
  return Number.isFinite(atMs) ? { deliveryId, atMs } : undefined;
}
