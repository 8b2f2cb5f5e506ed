/**
 * When to sync again. Most of the time nothing is about to change and the Environment's
 * requeueInterval is right. When change is near — the upstream environment has a
 * deployment in progress (deploying or baking), or the local Rollout is deploying or
 * baking — the next GitHub status is what opens a gate, so the sync comes back sooner.
 * Pure: the caller says how soon (the configured near-change interval, never below the
 * time the token's budget lets a shared read be kept).
 */
import { newestRecognisable, readBake } from './bake-status.js';
import { deploymentsOf, newestFirst } from './ledger.js';
import type { RolloutHistoryEntry } from '../generated/kubernetes.js';
import type { Ledger, Relationship } from './types.js';

export const DEFAULT_NEAR_CHANGE_RESYNC_SECONDS = 10;

/** Bake states during which the next status decides something. */
const MOVING = new Set(['Deploying', 'InProgress']);

export interface NearChangeInput {
  relationship: Relationship | undefined;
  /** The local Rollout's history, newest first. */
  history: readonly RolloutHistoryEntry[];
  ledger: Ledger;
}

/** Whether the upstream's newest deployment or the local newest history entry is deploying or baking. */
export function changeIsNear({ relationship, history, ledger }: NearChangeInput): boolean {
  const local = history[0]?.bakeStatus;
  if (local !== undefined && MOVING.has(local)) return true;
  if (!relationship) return false;
  const newest = [...deploymentsOf(ledger, relationship.environment)].sort(newestFirst)[0];
  if (!newest) return false;
  const bake = readBake(newest.statuses).bakeStatus;
  if (bake !== undefined) return MOVING.has(bake);
  // Written without a bake state: `pending` "Deploying".
  return newestRecognisable(newest.statuses)?.state === 'pending';
}

export interface ResyncInput {
  requeueSeconds: number;
  near: boolean;
  /** The configured near-change interval, already raised to what the token's budget allows. */
  nearChangeSeconds: number;
  /**
   * GitHub events demonstrably reach this Environment's repository (event-freshness.ts
   * eventsFlowing): the next status arrives as a nudge, so no fast polling while change is near.
   */
  eventsFlowing?: boolean;
}

/**
 * The requeueInterval, or the near-change interval when that is sooner and change is near
 * while no events flow; at least 1 s.
 */
export function freshResyncSeconds({ requeueSeconds, near, nearChangeSeconds, eventsFlowing = false }: ResyncInput): number {
  const requeue = Math.max(requeueSeconds, 1);
  return near && !eventsFlowing ? Math.max(Math.min(requeue, Math.ceil(nearChangeSeconds)), 1) : requeue;
}
