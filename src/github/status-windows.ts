/**
 * The statuses of each deployment as the previous ledger read decoded them, so the next
 * read can skip fetching them again. GitHub's statuses are append-only and the newest is
 * the deployment's `latestStatus`: while that is unchanged, so is the window. A window is
 * used only when the latest status it was read with still matches; anything else is fetched.
 */
import type { LedgerStatus } from '../core/types.js';
import type { RawStatus } from './ledger-query.js';

export interface StatusWindow {
  /** `latestFingerprint` of the deployment's latest status when the window was read. */
  latest: string;
  /** Newest first, exactly as the read decoded them. */
  statuses: readonly LedgerStatus[];
}

/** By deployment node id. */
export type StatusWindows = ReadonlyMap<string, StatusWindow>;

/** Every field of a latest status, its node id included. */
export function latestFingerprint(status: RawStatus): string {
  return JSON.stringify([status.id ?? null, status.state, status.description, status.environmentUrl, status.createdAt]);
}
