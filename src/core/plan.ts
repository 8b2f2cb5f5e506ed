/** Which GitHub writes publish the local Rollout history (and nothing else). */
import type { EnvironmentStatus } from '../generated/environment.js';
import type { RolloutHistoryEntry } from '../generated/kubernetes.js';
import { desiredStatus, newestRecognisable } from './bake-status.js';
import { pickVersion } from './environment-infos.js';
import { findDeployment } from './ledger.js';
import { deploymentTask, githubEnvironment } from './naming.js';
import { encodePayload } from './payload.js';
import type { DeploymentHistoryEntry, DesiredGitHubStatus, LedgerDeployment, Relationship } from './types.js';

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
  /** The entries of this environment as the previous sync saw them (recordedViews): what the Rollout said then. */
  previousViews?: readonly DeploymentHistoryEntry[];
}

/**
 * This environment's history in the observed status: each entry's bake state as the local
 * Rollout had it at the previous sync (environment-infos.ts takes it from the Rollout), so a
 * stateless sync can tell whether its own view of an entry changed since then.
 */
export function recordedViews(status: EnvironmentStatus, environment: string): readonly DeploymentHistoryEntry[] {
  return status.environmentInfos?.find((i) => i.environment === environment)?.history ?? [];
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
    const shown = newestRecognisable(existing.statuses);
    if (shown && sameStatus(shown, status)) continue;
    if (!yields(existing, entry, status, inputs.previousViews ?? [])) writes.push({ kind: 'postStatus', key, deploymentId: existing.nodeId, status });
  }
  return writes;
}

/**
 * Whether a newer status of another writer stands: ours was recorded before it and the local
 * view has not changed since the previous sync. kuberik's Go controller posts only when no
 * identical status exists (environment-controller internal/controller/githubenvironment_controller.go:894-913
 * at 676400d); a changed view (a retry: Failed, then Deploying again) is still posted once,
 * so two writers of one entry write at most once per change of their views.
 */
function yields(
  existing: LedgerDeployment,
  entry: RolloutHistoryEntry,
  status: DesiredGitHubStatus,
  previousViews: readonly DeploymentHistoryEntry[],
): boolean {
  if (!existing.statuses.some((s) => sameStatus(s, status))) return false;
  const previous = previousViews.find((e) => e.id === entry.id && e.version.revision === entry.version.revision);
  return previous === undefined || sameStatus(desiredStatus(previous.bakeStatus, previous.bakeStatusMessage), status);
}

export interface Conflict {
  key: EntryKey;
  tag: string;
  /** What GitHub shows for the entry (the newest recognisable status's description). */
  shown: string;
  /** What this Environment's Rollout says (already recorded on GitHub, older). */
  ours: string;
}

/**
 * Entries whose status on GitHub is another writer's: the newest recognisable status differs
 * from the local view, although the local view was recorded before it (another cluster that
 * names its environment the same, or kuberik's Go controller still running beside this one).
 */
export function conflictingEntries(
  history: readonly RolloutHistoryEntry[],
  deployments: readonly LedgerDeployment[],
  previousViews: readonly DeploymentHistoryEntry[],
): Conflict[] {
  const conflicts: Conflict[] = [];
  for (const entry of history) {
    const revision = entry.version.revision;
    if (!Number.isSafeInteger(entry.id) || entry.id! < 0 || !revision) continue;
    const existing = findDeployment(deployments, entry.id!, revision);
    if (!existing) continue;
    const ours = desiredStatus(entry.bakeStatus, entry.bakeStatusMessage);
    const shown = newestRecognisable(existing.statuses);
    if (shown && !sameStatus(shown, ours) && yields(existing, entry, ours, previousViews)) {
      conflicts.push({ key: { id: entry.id!, revision }, tag: entry.version.tag, shown: shown.description, ours: ours.description });
    }
  }
  return conflicts;
}

function sameStatus(a: DesiredGitHubStatus, b: DesiredGitHubStatus): boolean {
  return a.state === b.state && a.description === b.description;
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
