/** Domain types of the pure core. Kubernetes-facing shapes come from src/generated (schemas/). */
import type { DeploymentHistoryEntry, Relationship, VersionInfo } from '../generated/environment.js';

export type { DeploymentHistoryEntry, Relationship, VersionInfo };

/** GitHub deployment status states as REST spells them (GraphQL upper-cases them). */
export type GitHubState = 'error' | 'failure' | 'inactive' | 'in_progress' | 'pending' | 'queued' | 'success' | 'waiting';

/** What we store in a deployment's payload (wire-compatible with kuberik's Go controller). */
export interface DeploymentPayload {
  id: number;
  relationship?: Relationship;
  version: VersionInfo & { revision: string };
}

export interface LedgerStatus {
  state: GitHubState;
  description: string;
  environmentUrl: string;
  createdAt: string;
}

/** One GitHub deployment of this application, decoded. */
export interface LedgerDeployment {
  nodeId: string;
  /** Short environment name: the last `/`-separated segment of the GitHub environment. */
  environment: string;
  payload: DeploymentPayload;
  createdAt: string;
  description: string;
  /** Newest first. */
  statuses: LedgerStatus[];
}

/** Everything GitHub knows about one application (`kuberik/<name>`) in one repository. */
export interface Ledger {
  /** Short names of every environment discovered for the application, sorted. */
  environments: string[];
  deployments: LedgerDeployment[];
  /**
   * Set when the read stopped paging early (read-horizon.ts): it holds every deployment
   * created at or after this time, and the newest MIN_PER_ENVIRONMENT of each environment.
   * Absent: all of history.
   */
  readSince?: string;
}

export interface BakeReading {
  bakeStatus?: string;
  bakeStatusMessage?: string;
}

export interface DesiredGitHubStatus {
  state: GitHubState;
  description: string;
}
