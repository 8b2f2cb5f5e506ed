/**
 * Deployment creations whose outcome is not known yet, carried in the Environment's status
 * (status.unconfirmedCreations) so that the guard against creating a deployment twice holds
 * across replicas and restarts: Metacontroller sends the last status with every sync, to
 * whichever replica answers it. Pure: times are inputs.
 */
import { kubeTimeCeil } from './time.js';
import type { UnconfirmedCreation } from '../generated/environment.js';
import { findDeployment } from './ledger.js';
import type { EntryKey } from './plan.js';
import type { LedgerDeployment } from './types.js';

/**
 * Entries that still count at `nowMs`: `until` not yet passed, and no further ahead than
 * `windowMs` (the longest a creation of ours can stay open), so a hand-edited status cannot
 * block a creation for longer.
 */
export function liveCreations(observed: readonly UnconfirmedCreation[], nowMs: number, windowMs: number): UnconfirmedCreation[] {
  return observed.filter((c) => {
    const until = Date.parse(c.until);
    return until > nowMs && until <= nowMs + windowMs;
  });
}

/** Whether a creation of this history entry may still land on GitHub. */
export function creationPending(observed: readonly UnconfirmedCreation[], key: EntryKey, nowMs: number, windowMs: number): boolean {
  return liveCreations(observed, nowMs, windowMs).some((c) => c.id === key.id && c.revision === key.revision);
}

export interface CarryInputs {
  /** From the observed status. */
  observed: readonly UnconfirmedCreation[];
  /**
   * Creations this sync left pending: without an answer (they may still land on GitHub), or
   * confirmed but not yet shown by a read (GitHub's reads may lag behind its writes).
   */
  added: readonly UnconfirmedCreation[];
  /** The environment's deployments as GitHub shows them now; absent when GitHub was not read. */
  deployments?: readonly LedgerDeployment[];
  nowMs: number;
  windowMs: number;
}

/**
 * The list for the next status: live entries, one per history entry (the latest `until`),
 * without the earlier ones GitHub now shows (this sync's own stay until a later read shows
 * them), ordered by id and revision.
 */
export function carriedCreations(inputs: CarryInputs): UnconfirmedCreation[] {
  const byKey = new Map<string, UnconfirmedCreation>();
  const shown = (c: UnconfirmedCreation) => inputs.deployments !== undefined && findDeployment(inputs.deployments, c.id, c.revision) !== undefined;
  const live = (list: readonly UnconfirmedCreation[]) => liveCreations(list, inputs.nowMs, inputs.windowMs);
  for (const c of [...live(inputs.observed).filter((o) => !shown(o)), ...live(inputs.added)]) {
    const key = `${c.id}|${c.revision}`;
    const known = byKey.get(key);
    if (!known || Date.parse(known.until) < Date.parse(c.until)) byKey.set(key, { id: c.id, revision: c.revision, until: c.until });
  }
  return [...byKey.values()].sort((a, b) => a.id - b.id || (a.revision < b.revision ? -1 : a.revision > b.revision ? 1 : 0));
}

/** metav1.Time has second precision: rounded up, so an entry never ends early. */
export function untilTime(ms: number): string {
  return kubeTimeCeil(ms);
}
