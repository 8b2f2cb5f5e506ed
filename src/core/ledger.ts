/** Queries over a decoded GitHub ledger. */
import { readBake } from './bake-status.js';
import type { BakeReading, Ledger, LedgerDeployment } from './types.js';

export function deploymentsOf(ledger: Ledger, environment: string): LedgerDeployment[] {
  return ledger.deployments.filter((d) => d.environment === environment);
}

/** Newest first: by creation time, then payload id, then node id (stable for identical inputs). */
export function newestFirst(a: LedgerDeployment, b: LedgerDeployment): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? 1 : -1;
  if (a.payload.id !== b.payload.id) return b.payload.id - a.payload.id;
  return a.nodeId < b.nodeId ? 1 : a.nodeId > b.nodeId ? -1 : 0;
}

/** The deployment recording history entry (id, revision): a recreated Rollout reuses ids. */
export function findDeployment(
  deployments: readonly LedgerDeployment[],
  id: number,
  revision: string,
): LedgerDeployment | undefined {
  return deployments
    .filter((d) => d.payload.id === id && d.payload.version.revision === revision)
    .sort(newestFirst)[0];
}

/** Bake state per revision, from the newest deployment of each revision. */
export function bakeByRevision(deployments: readonly LedgerDeployment[]): Map<string, BakeReading> {
  const result = new Map<string, BakeReading>();
  for (const d of [...deployments].sort(newestFirst)) {
    const revision = d.payload.version.revision;
    if (!result.has(revision)) result.set(revision, readBake(d.statuses));
  }
  return result;
}
