/** status.environmentInfos: what every environment of the relationship component has run. */
import type { RolloutHistoryEntry, RolloutVersionInfo } from '../generated/kubernetes.js';
import type { EnvironmentInfo } from '../generated/environment.js';
import { readBake } from './bake-status.js';
import { MAX_HISTORY_ENTRIES } from './history-bound.js';
import type { RelationshipGraph } from './graph.js';
import { deploymentsOf, findDeployment } from './ledger.js';
import { boundedString, MAX_LABEL, MAX_URL, sanitiseEntry } from './sanitise.js';
import type { DeploymentHistoryEntry, Ledger, LedgerDeployment, LedgerStatus, VersionInfo } from './types.js';

export interface EnvironmentInfoInputs {
  self: string;
  graph: RelationshipGraph;
  ledger: Ledger;
  /** The local Rollout's history (newest first): the truth for this environment's bake states. */
  localHistory: readonly RolloutHistoryEntry[];
  /** environment_url this service posts for the local environment ('' when unknown). */
  localEnvironmentUrl: string;
  /** The local Rollout's release candidates: their entries in the upstream environment are kept first. */
  releaseCandidates?: readonly RolloutVersionInfo[];
}

export { MAX_HISTORY_ENTRIES } from './history-bound.js';

export function environmentInfos(inputs: EnvironmentInfoInputs): EnvironmentInfo[] {
  const { self, graph, ledger } = inputs;
  return graph.component.map((environment) => {
    const deployments = deploymentsOf(ledger, environment);
    const recorded = (environment === self ? localEntries(inputs.localHistory, deployments) : deployments.map(fromDeployment)).flatMap((r) => {
      const clean = sanitiseEntry(r.entry);
      return clean ? [{ ...r, entry: clean }] : [];
    });
    let history = dedupe(sinceNewestRestart(recorded).sort(newestEntryFirst));
    const upstream = graph.relationshipOf(self)?.environment === environment;
    history = graph.isDirectlyConnected(environment) ? bounded(history, upstream ? (inputs.releaseCandidates ?? []) : []) : history.slice(0, 1);
    const info: EnvironmentInfo = { environment: boundedString(environment, MAX_LABEL) ?? '' };
    const url = boundedString(environment === self && inputs.localEnvironmentUrl ? inputs.localEnvironmentUrl : newestUrl(deployments), MAX_URL);
    if (url) info.environmentUrl = url;
    const relationship = graph.relationshipOf(environment);
    if (relationship) info.relationship = { environment: boundedString(relationship.environment, MAX_LABEL) ?? '', type: relationship.type };
    info.history = history;
    return info;
  });
}

/**
 * At most MAX_HISTORY_ENTRIES of `history` (newest first), still newest first: the entries of
 * release candidates (what kuberik's rollout-dashboard looks up for a version's upstream bake,
 * rollout-dashboard frontend/src/routes/rollouts/[namespace]/[name]/+page.svelte:532-565),
 * then the newest of the rest.
 */
function bounded(history: DeploymentHistoryEntry[], candidates: readonly RolloutVersionInfo[]): DeploymentHistoryEntry[] {
  if (history.length <= MAX_HISTORY_ENTRIES) return history;
  const tags = new Set(candidates.map((c) => c.tag).filter((t) => t !== ''));
  const revisions = new Set(candidates.flatMap((c) => (c.revision ? [c.revision] : [])));
  const isCandidate = (e: DeploymentHistoryEntry) => tags.has(e.version.tag) || (e.version.revision !== undefined && revisions.has(e.version.revision));
  const kept = new Set([...new Set([...history.filter(isCandidate), ...history])].slice(0, MAX_HISTORY_ENTRIES));
  return history.filter((e) => kept.has(e));
}

/** An entry and when GitHub recorded it (NOT_YET_RECORDED for local entries still to be published). */
interface Recorded {
  entry: DeploymentHistoryEntry;
  recordedAt: string;
}

/** Sorts after every RFC 3339 time: local entries not on GitHub yet are the newest. */
const NOT_YET_RECORDED = '\uffff';

/**
 * Rollout history ids restart at 1 when a Rollout is recreated, and kuberik's dashboard
 * sorts an environment's history by id and shows the first entry with a bake status as
 * current (rollout-dashboard frontend/src/routes/rollouts/[namespace]/[name]/environments/+page.svelte:122-131).
 * Entries recorded before the newest restart (an id not above every id recorded before
 * it) would outrank the live ones there, so they are left out. Gating reads the ledger,
 * not this list: their bakes still count.
 */
function sinceNewestRestart(recorded: readonly Recorded[]): DeploymentHistoryEntry[] {
  const chronological = [...recorded].sort(
    (a, b) => (a.recordedAt < b.recordedAt ? -1 : a.recordedAt > b.recordedAt ? 1 : 0) || (a.entry.id ?? 0) - (b.entry.id ?? 0),
  );
  let restart = 0;
  let highest = Number.NEGATIVE_INFINITY;
  chronological.forEach((r, i) => {
    const id = r.entry.id ?? 0;
    // Local entries still to be published sort last in any order: they are the live Rollout's.
    if (id <= highest && r.recordedAt !== NOT_YET_RECORDED) {
      restart = i;
      highest = id;
    }
    highest = Math.max(highest, id);
  });
  return chronological.slice(restart).map((r) => r.entry);
}

/** Local history from the Rollout (bake state is local truth), timestamps from GitHub once published. */
function localEntries(local: readonly RolloutHistoryEntry[], deployments: readonly LedgerDeployment[]): Recorded[] {
  const entries: Recorded[] = [];
  const published = new Set<LedgerDeployment>();
  for (const e of local) {
    if (!Number.isSafeInteger(e.id) || !e.version.revision) continue;
    const deployment = findDeployment(deployments, e.id!, e.version.revision);
    if (deployment) published.add(deployment);
    entries.push({
      entry: entry({
        id: e.id!,
        version: pickVersion(e.version),
        timestamp: deployment?.createdAt ?? e.timestamp ?? '',
        message: e.message,
        bakeStatus: e.bakeStatus,
        bakeStatusMessage: e.bakeStatusMessage,
      }),
      recordedAt: deployment?.createdAt ?? NOT_YET_RECORDED,
    });
  }
  // Older entries the Rollout no longer keeps are still on GitHub. The Rollout keeps a
  // contiguous run of its newest ids, so one of ours at or above its oldest id that it does
  // not hold was recorded by an earlier incarnation of the Rollout (ids restarted).
  const oldestLocal = Math.min(...entries.map((e) => e.entry.id ?? 0));
  for (const d of deployments) if (!published.has(d) && d.payload.id < oldestLocal) entries.push(fromDeployment(d));
  return entries;
}

function fromDeployment(d: LedgerDeployment): Recorded {
  const bake = readBake(d.statuses);
  return {
    entry: entry({
      id: d.payload.id,
      version: pickVersion(d.payload.version),
      timestamp: d.createdAt,
      message: d.description,
      bakeStatus: bake.bakeStatus,
      bakeStatusMessage: bake.bakeStatusMessage,
    }),
    recordedAt: d.createdAt,
  };
}

/** Builds an entry with a fixed key order and no empty optional fields (byte-stable status). */
function entry(e: {
  id: number;
  version: VersionInfo;
  timestamp: string;
  message: string | undefined;
  bakeStatus: string | undefined;
  bakeStatusMessage: string | undefined;
}): DeploymentHistoryEntry {
  const out: DeploymentHistoryEntry = { id: e.id, version: e.version, timestamp: e.timestamp };
  if (e.message) out.message = e.message;
  if (e.bakeStatus) out.bakeStatus = e.bakeStatus;
  if (e.bakeStatusMessage) out.bakeStatusMessage = e.bakeStatusMessage;
  return out;
}

const VERSION_FIELDS = ['tag', 'revision', 'digest', 'version', 'created'] as const;

export function pickVersion(v: Partial<VersionInfo>): VersionInfo {
  const out: VersionInfo = { tag: v.tag ?? '' };
  for (const f of VERSION_FIELDS) if (f !== 'tag' && v[f]) out[f] = v[f];
  return out;
}

function newestEntryFirst(a: DeploymentHistoryEntry, b: DeploymentHistoryEntry): number {
  if (a.id !== b.id) return (b.id ?? 0) - (a.id ?? 0);
  if (a.timestamp !== b.timestamp) return a.timestamp < b.timestamp ? 1 : -1;
  const ra = a.version.revision ?? '';
  const rb = b.version.revision ?? '';
  return ra < rb ? -1 : ra > rb ? 1 : 0;
}

function dedupe(entries: DeploymentHistoryEntry[]): DeploymentHistoryEntry[] {
  const seen = new Set<string>();
  return entries.filter((e) => {
    const key = e.version.tag ? `tag:${e.version.tag}` : `rev:${e.version.revision}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function newestUrl(deployments: readonly LedgerDeployment[]): string {
  let best: LedgerStatus | undefined;
  for (const d of deployments)
    for (const s of d.statuses) {
      if (!s.environmentUrl) continue;
      // Ties broken by the URL itself, so the answer never depends on ledger order.
      if (!best || s.createdAt > best.createdAt || (s.createdAt === best.createdAt && s.environmentUrl > best.environmentUrl)) best = s;
    }
  return best?.environmentUrl ?? '';
}
