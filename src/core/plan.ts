/** Which GitHub writes publish the local Rollout history (and nothing else). */
import type { RolloutHistoryEntry } from '../generated/kubernetes.js';
import { desiredStatus, newestRecognisable } from './bake-status.js';
import { pickVersion } from './environment-infos.js';
import { findDeployment } from './ledger.js';
import { deploymentTask, githubEnvironment } from './naming.js';
import { encodePayload } from './payload.js';
import type { DesiredGitHubStatus, LedgerDeployment, Relationship } from './types.js';

export interface EntryKey {
  id: number;
  revision: string;
}

export interface StatusWrite extends DesiredGitHubStatus {
  environmentUrl: string;
}

/** Body of REST `POST /repos/{owner}/{repo}/deployments`. */
export interface CreateDeploymentBody {
  ref: string;
  task: string;
  environment: string;
  description: string;
  payload: string;
  auto_merge: false;
  required_contexts: [];
  production_environment: boolean;
  transient_environment: false;
}

export type PlannedWrite =
  | { kind: 'createDeployment'; key: EntryKey; body: CreateDeploymentBody; status: StatusWrite }
  | { kind: 'postStatus'; key: EntryKey; deploymentId: string; status: StatusWrite };

export interface PublicationInputs {
  specName: string;
  environment: string;
  relationship: Relationship | undefined;
  /** Newest first, as the Rollout keeps it. */
  history: readonly RolloutHistoryEntry[];
  /** This environment's deployments on GitHub. */
  deployments: readonly LedgerDeployment[];
  environmentUrl: string;
}

/** Oldest entry first, so GitHub's "latest deployment" ends up being the newest entry. */
export function planPublication(inputs: PublicationInputs): PlannedWrite[] {
  const writes: PlannedWrite[] = [];
  for (const entry of [...inputs.history].reverse()) {
    const revision = entry.version.revision;
    if (!Number.isSafeInteger(entry.id) || entry.id! < 0 || !revision) continue;
    const key = { id: entry.id!, revision };
    const status = { ...desiredStatus(entry.bakeStatus, entry.bakeStatusMessage), environmentUrl: inputs.environmentUrl };
    const existing = findDeployment(inputs.deployments, key.id, revision);
    if (!existing) {
      writes.push({ kind: 'createDeployment', key, body: deploymentBody(inputs, entry, key), status });
      continue;
    }
    const current = newestRecognisable(existing.statuses);
    if (!current || current.state !== status.state || current.description !== status.description) {
      writes.push({ kind: 'postStatus', key, deploymentId: existing.nodeId, status });
    }
  }
  return writes;
}

/** GitHub writes one planned write makes: a new deployment gets its first status right away. */
export function writeCost(write: PlannedWrite): number {
  return write.kind === 'createDeployment' ? 2 : 1;
}

/**
 * The planned writes (oldest entry first) that fit in `maxWrites` GitHub writes, and the
 * ones left for the next sync. The first write always goes, so every sync makes progress.
 */
export function paceWrites(writes: readonly PlannedWrite[], maxWrites: number): { now: PlannedWrite[]; later: PlannedWrite[] } {
  let spent = 0;
  let i = 0;
  for (; i < writes.length; i++) {
    const cost = writeCost(writes[i]!);
    if (i > 0 && spent + cost > maxWrites) break;
    spent += cost;
  }
  return { now: writes.slice(0, i), later: writes.slice(i) };
}

function deploymentBody(inputs: PublicationInputs, entry: RolloutHistoryEntry, key: EntryKey): CreateDeploymentBody {
  const payload = {
    id: key.id,
    ...(inputs.relationship ? { relationship: inputs.relationship } : {}),
    version: { ...pickVersion(entry.version), revision: key.revision },
  };
  return {
    ref: key.revision,
    task: deploymentTask(inputs.specName),
    environment: githubEnvironment(inputs.specName, inputs.environment),
    description: entry.message ?? '',
    payload: encodePayload(payload),
    auto_merge: false,
    required_contexts: [],
    production_environment: inputs.environment === 'production',
    transient_environment: false,
  };
}
