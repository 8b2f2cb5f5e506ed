/**
 * How far back a sync needs GitHub's history (the read horizon), and the part of a ledger a
 * sync decides from. GitHub never retires deployments, so a year-old application holds
 * thousands per environment; a sync needs only:
 * - its own entries' deployments (publication, duplicate protection): created after the
 *   Rollout recorded the entry;
 * - the upstream bakes of its release candidates (the gate): created after the image was;
 * - the newest MIN_PER_ENVIRONMENT deployments of each environment (status history, current
 *   versions, relationships from the newest payloads).
 * The read stops paging once a page is older than the horizon and holds that many of each
 * of its environments. Every sync decides from the same view (ledgerView) however much a
 * shared read holds, so its status does not depend on which read it was given.
 */
import { MIN_PER_ENVIRONMENT } from './history-bound.js';
import { deploymentsOf, newestFirst } from './ledger.js';
import type { RolloutHistoryEntry, RolloutVersionInfo } from '../generated/kubernetes.js';
import type { Ledger, Relationship } from './types.js';

export { MIN_PER_ENVIRONMENT } from './history-bound.js';
/** Clocks differ: the Rollout's, the image builder's and GitHub's. A day costs a few deployments more. */
export const HORIZON_SLACK_MS = 24 * 3_600_000;

export interface HorizonInput {
  history: readonly RolloutHistoryEntry[];
  releaseCandidates: readonly RolloutVersionInfo[];
  relationship?: Relationship | undefined;
}

/**
 * The oldest creation time a sync needs (an RFC 3339 time), or undefined when it needs all of
 * history: an entry without a timestamp, or (with a relationship) a release candidate
 * without `created` (an image without the org.opencontainers.image.created annotation).
 */
export function readHorizon({ history, releaseCandidates, relationship }: HorizonInput): string | undefined {
  const times: (string | undefined)[] = history.map((e) => e.timestamp);
  if (relationship) times.push(...releaseCandidates.map((c) => c.created));
  let oldest = Number.POSITIVE_INFINITY;
  for (const time of times) {
    const ms = time === undefined ? Number.NaN : Date.parse(time);
    if (!Number.isFinite(ms)) return undefined;
    oldest = Math.min(oldest, ms);
  }
  // Nothing local yet: the newest deployments of each environment are all a sync decides from.
  if (oldest === Number.POSITIVE_INFINITY) return new Date(8.64e15).toISOString();
  return new Date(Math.max(oldest - HORIZON_SLACK_MS, 0)).toISOString();
}

/** Whether `ledger` holds everything a sync with this horizon decides from. */
export function covers(ledger: Ledger, horizon: string | undefined): boolean {
  if (ledger.readSince === undefined) return true;
  return horizon !== undefined && Date.parse(ledger.readSince) <= Date.parse(horizon);
}

/** The deployments a sync with this horizon decides from: those created at or after it, and the newest MIN_PER_ENVIRONMENT of each environment. */
export function ledgerView(ledger: Ledger, horizon: string | undefined): Ledger {
  if (horizon === undefined) return ledger;
  const since = Date.parse(horizon);
  const environments = new Set(ledger.deployments.map((d) => d.environment));
  const kept = new Set([...environments].flatMap((env) => [...deploymentsOf(ledger, env)].sort(newestFirst).slice(0, MIN_PER_ENVIRONMENT)));
  const deployments = ledger.deployments.filter((d) => kept.has(d) || Date.parse(d.createdAt) >= since);
  return { environments: ledger.environments, deployments };
}
