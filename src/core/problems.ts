/**
 * Why an Environment cannot be synced as asked, in one place: the problem types the core
 * decides from, and the problems the sync use case raises itself. GitHub's own failures are
 * classified in src/github/errors.ts into these types.
 */
import type { PlannedWrite } from './plan.js';

/** A condition reason and a message for status. */
export interface Problem {
  reason: string;
  message: string;
}

/** A problem met while reading from or writing to GitHub. */
export interface GitHubProblem extends Problem {
  /** Worth retrying soon (5xx, timeouts, connection errors). */
  transient: boolean;
  /** From retry-after or the rate-limit reset. */
  retryAfterSeconds?: number;
}

/** Not a failure: the backlog continues at the next (sooner) sync. GitHub limits content creation to about 80 requests a minute. */
export function publishingPaced(waiting: number, planned: number, maxWrites: number): GitHubProblem {
  return {
    reason: 'PublishingPaced',
    message: `${waiting} of ${planned} history updates wait for the next sync: at most ${maxWrites} GitHub writes per sync keep a long history within GitHub's content-creation limits`,
    transient: true,
  };
}

/** Seconds between the calls of a paced backlog: 10 writes every 10 s stay below GitHub's ~80 content creations a minute. */
export const PACED_RESYNC_SECONDS = 10;

/** Not a failure: finalize marks the rest inactive in its next calls, as a sync paces a backlog. */
export function finalizePaced(marked: number, maxWrites: number): GitHubProblem {
  return {
    reason: 'FinalizePaced',
    message: `${marked} marked in this call; at most ${maxWrites} GitHub writes per call keep a deletion within GitHub's content-creation limits`,
    transient: true,
    retryAfterSeconds: PACED_RESYNC_SECONDS,
  };
}

export function creationUnconfirmed(write: Extract<PlannedWrite, { kind: 'createDeployment' }>): GitHubProblem {
  return {
    reason: 'DeploymentUnconfirmed',
    message: `An earlier attempt at ${describeWrite(write)} got no answer and GitHub may still record it; it is not attempted again until that is settled`,
    transient: true,
  };
}

export function creationNotShown(write: Extract<PlannedWrite, { kind: 'createDeployment' }>): GitHubProblem {
  return {
    reason: 'DeploymentUnconfirmed',
    message: `GitHub confirmed ${describeWrite(write)}, but its reads do not show the deployment yet; it is not created again while they catch up`,
    transient: true,
  };
}

export function describeWrite(write: PlannedWrite): string {
  return write.kind === 'createDeployment'
    ? `creating the deployment of history entry ${write.key.id} (${write.key.revision.slice(0, 12)})`
    : `posting the status of history entry ${write.key.id} (${write.key.revision.slice(0, 12)})`;
}
