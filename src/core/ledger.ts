/** Queries over a decoded GitHub ledger. */
import { readBake } from './bake-status.js';
import type { BakeReading, Ledger, LedgerDeployment } from './types.js';

const byEnvironment = new WeakMap<Ledger, Map<string, LedgerDeployment[]>>();

/** One environment's deployments; the grouping is built once per (immutable) ledger. */
export function deploymentsOf(ledger: Ledger, environment: string): readonly LedgerDeployment[] {
  let groups = byEnvironment.get(ledger);
  if (!groups) {
    groups = new Map();
    for (const d of ledger.deployments) {
      const group = groups.get(d.environment);
      if (group) group.push(d);
      else groups.set(d.environment, [d]);
    }
    byEnvironment.set(ledger, groups);
  }
  return groups.get(environment) ?? [];
}

/** Newest first: by creation time, then payload id, then node id (stable for identical inputs). */
export function newestFirst(a: LedgerDeployment, b: LedgerDeployment): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? 1 : -1;
  if (a.payload.id !== b.payload.id) return b.payload.id - a.payload.id;
  return a.nodeId < b.nodeId ? 1 : a.nodeId > b.nodeId ? -1 : 0;
}

/** The deployment recording history entry (id, revision): a recreated Rollout reuses ids. */
export function findDeployment(deployments: readonly LedgerDeployment[], id: number, revision: string): LedgerDeployment | undefined {
  return deployments.filter((d) => d.payload.id === id && d.payload.version.revision === revision).sort(newestFirst)[0];
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

/** Bake states that are a verdict on the revision; the others (deploying, baking, cancelled) are not. */
const VERDICTS = new Set(['Succeeded', 'Failed']);

/**
 * Per revision, the newest bake that reached a verdict (Succeeded or Failed). A redeploy of a
 * revision (a rollback) that is still deploying or baking, or was cancelled, leaves the
 * earlier verdict standing; a redeploy that fails replaces it.
 */
export function verdictByRevision(deployments: readonly LedgerDeployment[]): Map<string, string> {
  const result = new Map<string, string>();
  for (const d of [...deployments].sort(newestFirst)) {
    const revision = d.payload.version.revision;
    if (result.has(revision)) continue;
    const bake = readBake(d.statuses).bakeStatus;
    if (bake !== undefined && VERDICTS.has(bake)) result.set(revision, bake);
  }
  return result;
}
