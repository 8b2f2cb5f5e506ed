/**
 * What finalize marks inactive when an Environment is deleted: only the deployments whose
 * `inactive` status changes what GitHub shows. GitHub shows an environment by its newest
 * deployment (the environments list, `Environment.latestCompletedDeployment`, the "latest"
 * badge of the deployments page), and a deployment still pending, queued, in progress or
 * waiting looks alive whatever its age. An older deployment that finished (success, failure,
 * error) is history GitHub keeps showing as such either way: marking it inactive costs a
 * write each (120 for a year-old production environment, where GitHub never auto-inactivates)
 * and shows nothing new.
 */
import { newestFirst } from './ledger.js';
import type { GitHubState, LedgerDeployment } from './types.js';

/** States GitHub shows as not finished; a deployment without any status is pending. */
const UNFINISHED: ReadonlySet<GitHubState> = new Set(['pending', 'queued', 'in_progress', 'waiting']);

/** The environment's deployments to mark inactive, in order: its newest first, then the unfinished ones, newest first. */
export function inactivations(deployments: readonly LedgerDeployment[]): LedgerDeployment[] {
  return [...deployments].sort(newestFirst).filter((d, i) => {
    const state = d.statuses[0]?.state ?? 'pending';
    return state !== 'inactive' && (i === 0 || UNFINISHED.has(state));
  });
}
