/**
 * The desired state of one Environment: status, RolloutGate child and resync interval,
 * from the interpreted request and what GitHub said. Pure: `now` is an input and only
 * shows up where something actually changed.
 */
import type { EnvironmentStatus, UnconfirmedCreation } from '../generated/environment.js';
import type { RolloutGate } from '../generated/kubernetes.js';
import { sameJson } from './canonical.js';
import { CONDITION_ORDER as CONDITION_TYPES, mergeConditions, type ConditionInput } from './conditions.js';
import { environmentInfos } from './environment-infos.js';
import { changeIsNear, DEFAULT_NEAR_CHANGE_RESYNC_SECONDS, freshResyncSeconds } from './freshness.js';
import { allowedVersions, DESCRIPTION_ANNOTATION, gateName, gateObject, PRETTY_NAME_ANNOTATION } from './gate.js';
import { buildGraph, compareNames, type RelationshipGraph } from './graph.js';
import { deploymentsOf, findDeployment, newestFirst } from './ledger.js';
import { deploymentName, deploymentTask, githubEnvironment } from './naming.js';
import type { EnvironmentIdentity, Interpretation, Problem, SyncContext } from './interpret.js';
import { conflictingEntries, recordedViews } from './plan.js';
import type { Ledger, LedgerDeployment, Relationship } from './types.js';
import { carriedCreations } from './unconfirmed.js';
import type { GitHubProblem } from './problems.js';

export type { GitHubProblem } from './problems.js';

export interface SyncOutcome {
  /** GitHub's view after this sync's writes; absent when GitHub could not be read. */
  ledger?: Ledger;
  readProblem?: GitHubProblem;
  writeProblem?: GitHubProblem;
  /** Deployment creations this sync left without an answer (they may still land on GitHub). */
  unconfirmedCreations?: UnconfirmedCreation[];
}

export interface DesiredState {
  status: EnvironmentStatus;
  children: RolloutGate[];
  resyncAfterSeconds: number;
}

export interface DecideOptions {
  now: string;
  localEnvironmentUrl: string;
  /** Resync interval while a change is near (freshness.ts); DEFAULT_NEAR_CHANGE_RESYNC_SECONDS when absent. */
  nearChangeResyncSeconds?: number;
  /** GitHub events reach this Environment's repository (event-freshness.ts): no near-change polling. */
  eventsFlowing?: boolean;
  /** The longest a deployment creation stays unconfirmed (GitHub request timeout plus its processing limit). */
  unconfirmedWindowMs: number;
}

const MAX_RETRY_AFTER_SECONDS = 3600;
const TRANSIENT_RESYNC_SECONDS = 10;

export function decideSync(interpretation: Interpretation, outcome: SyncOutcome | undefined, options: DecideOptions): DesiredState {
  if (!interpretation.ok) return keepPrevious(interpretation.identity, interpretation.problem, undefined, options);
  const ctx = interpretation.context;
  if (!outcome?.ledger) {
    const problem = outcome?.readProblem ?? { reason: 'GitHubUnavailable', message: 'GitHub was not read', transient: true };
    return keepPrevious(ctx, problem, problem, options, outcome?.unconfirmedCreations);
  }
  return fromLedger(ctx, outcome, outcome.ledger, options);
}

function fromLedger(ctx: SyncContext, outcome: SyncOutcome, ledger: Ledger, options: DecideOptions): DesiredState {
  const writeProblem = outcome.writeProblem;
  const graph = buildGraph(ctx.environment, relationships(ctx, ledger));
  const infos = environmentInfos({
    self: ctx.environment,
    graph,
    ledger,
    localHistory: ctx.history,
    localEnvironmentUrl: options.localEnvironmentUrl,
    releaseCandidates: ctx.releaseCandidates,
  });
  const selfCyclic = graph.cyclic.includes(ctx.environment);
  const children: RolloutGate[] = [];
  if (ctx.relationship) {
    const versions = selfCyclic ? [] : allowedVersions(ctx.relationship, deploymentsOf(ledger, ctx.relationship.environment), ctx.releaseCandidates);
    children.push(
      gateObject({
        environmentName: ctx.name,
        namespace: ctx.namespace,
        rolloutName: ctx.rolloutName,
        relationship: ctx.relationship,
        allowedVersions: versions,
      }),
    );
  }

  const cycle = graph.cyclic.length > 0 ? describeCycle(graph) : undefined;
  const missing = revisionMissing(ctx) ?? conflictingWriter(ctx, ledger);
  const githubSynced: ConditionInput = writeProblem
    ? { type: 'GitHubSynced', status: 'False', reason: writeProblem.reason, message: writeProblem.message }
    : missing
      ? { type: 'GitHubSynced', status: 'False', reason: missing.reason, message: missing.message }
      : {
          type: 'GitHubSynced',
          status: 'True',
          reason: 'Synced',
          message: `History of environment ${ctx.environment} is published to ${ctx.owner}/${ctx.repo}`,
        };
  const gateReady = gateCondition(ctx, ledger, selfCyclic ? cycle : undefined, children[0]);
  const failure: Problem | undefined = writeProblem ?? (cycle ? { reason: 'RelationshipCycle', message: cycle } : undefined);

  const status: EnvironmentStatus = {
    ...resolvedIdentity(ctx),
    conditions: conditions(ctx, [githubSynced, gateReady], failure, options.now, missing),
  };
  const current = currentVersion(ctx, ledger);
  if (current) status.currentVersion = current.revision;
  if (current?.tag) status.currentTag = current.tag;
  status.environmentInfos = infos;
  if (ctx.relationship) status.rolloutGateRef = { name: gateName(ctx.name) };
  withUnconfirmed(status, ctx, outcome.unconfirmedCreations, deploymentsOf(ledger, ctx.environment), options);
  return {
    status: withChangeTime(status, ctx.observedStatus, options.now),
    children,
    resyncAfterSeconds: writeProblem
      ? resyncSeconds(ctx.requeueSeconds, writeProblem)
      : freshResyncSeconds({
          requeueSeconds: ctx.requeueSeconds,
          near: changeIsNear({ relationship: ctx.relationship, history: ctx.history, ledger }),
          nearChangeSeconds: options.nearChangeResyncSeconds ?? DEFAULT_NEAR_CHANGE_RESYNC_SECONDS,
          eventsFlowing: options.eventsFlowing ?? false,
        }),
  };
}

/** Relationships by environment: payloads of each environment's newest deployment, then siblings, then self. */
function relationships(ctx: SyncContext, ledger: Ledger): Map<string, Relationship | undefined> {
  const map = new Map<string, Relationship | undefined>();
  for (const env of ledger.environments) map.set(env, undefined);
  for (const d of [...ledger.deployments].sort(newestFirst).reverse()) map.set(d.environment, d.payload.relationship);
  for (const [env, rel] of ctx.siblings) map.set(env, rel);
  map.set(ctx.environment, ctx.relationship);
  return map;
}

/** The newest history entry published here: its revision (status.currentVersion) and tag (status.currentTag). */
function currentVersion(ctx: SyncContext, ledger: Ledger): { revision: string; tag: string | undefined } | undefined {
  const local = deploymentsOf(ledger, ctx.environment);
  for (const entry of ctx.history) {
    const revision = entry.version.revision;
    if (Number.isSafeInteger(entry.id) && revision && findDeployment(local, entry.id!, revision)) return { revision, tag: entry.version.tag || undefined };
  }
  return undefined;
}

const MAX_LISTED_TAGS = 5;
export const REVISION_ANNOTATION = 'org.opencontainers.image.revision';

/**
 * History entries without version.revision cannot become GitHub deployments (the ref is
 * the revision). kuberik's rollout-controller takes the revision from the image's OCI
 * annotation (rollout-controller internal/controller/rollout_controller.go:557, :596).
 */
function revisionMissing(ctx: SyncContext): Problem | undefined {
  const missing = ctx.history.filter((e) => !e.version.revision);
  if (missing.length === 0) return undefined;
  const tags = [...new Set(missing.map((e) => e.version.tag))];
  const listed =
    tags
      .slice(0, MAX_LISTED_TAGS)
      .map((t) => JSON.stringify(t))
      .join(', ') + (tags.length > MAX_LISTED_TAGS ? `, and ${tags.length - MAX_LISTED_TAGS} more` : '');
  const count = missing.length === 1 ? '1 history entry' : `${missing.length} history entries`;
  return {
    reason: 'RevisionMissing',
    message: `${count} of Rollout ${ctx.rolloutName} (tag ${listed}) without version.revision cannot be published to ${ctx.owner}/${ctx.repo}: set the image annotation ${REVISION_ANNOTATION}`,
  };
}

/**
 * Another writer's status for entries of this environment (conflictingEntries): it is left
 * standing, so the writers do not overwrite each other forever; the operator fixes the names.
 */
function conflictingWriter(ctx: SyncContext, ledger: Ledger): Problem | undefined {
  const conflicts = conflictingEntries(ctx.history, deploymentsOf(ledger, ctx.environment), recordedViews(ctx.observedStatus, ctx.environment));
  if (conflicts.length === 0) return undefined;
  const listed =
    conflicts
      .slice(0, MAX_LISTED_TAGS)
      .map((c) => `id ${c.key.id} (tag ${JSON.stringify(c.tag)}): ${JSON.stringify(c.shown)} where this Rollout has ${JSON.stringify(c.ours)}`)
      .join('; ') + (conflicts.length > MAX_LISTED_TAGS ? `; and ${conflicts.length - MAX_LISTED_TAGS} more` : '');
  const count = conflicts.length === 1 ? '1 history entry' : `${conflicts.length} history entries`;
  return {
    reason: 'ConflictingWriter',
    message: `Another writer posted a different status for ${count} of GitHub environment ${githubEnvironment(ctx.application, ctx.environment)} in ${ctx.owner}/${ctx.repo} after this one recorded its own: ${listed}. Another cluster names its environment ${ctx.environment} for ${deploymentName(ctx.application)}, or kuberik's Go controller still runs for it; give each cluster its own environment name. Statuses are not posted again until the Rollout's view changes`,
  };
}

function describeCycle(graph: RelationshipGraph): string {
  const edges = graph.cyclic.map((env) => `${env} → ${graph.relationshipOf(env)?.environment}`);
  return `Relationship cycle between environments ${graph.cyclic.join(', ')} (${edges.join('; ')}); their gates allow no versions`;
}

function gateCondition(ctx: SyncContext, ledger: Ledger, cycle: string | undefined, gate: RolloutGate | undefined): ConditionInput {
  const relationship = ctx.relationship;
  if (!relationship || !gate)
    return { type: 'GateReady', status: 'True', reason: 'NoRelationship', message: 'No relationship: this environment needs no gate' };
  if (cycle) return { type: 'GateReady', status: 'False', reason: 'RelationshipCycle', message: cycle };
  const count = gate.spec.allowedVersions?.length ?? 0;
  const verb = relationship.type === 'After' ? `baked successfully in ${relationship.environment}` : `running in ${relationship.environment} without failure`;
  if (count > 0) return { type: 'GateReady', status: 'True', reason: 'GateComputed', message: `Gate ${gate.metadata.name} allows ${count} version(s) ${verb}` };
  // A closed gate says where it looked, so a naming mismatch between clusters shows in `kubectl describe`.
  const where = `GitHub environment ${githubEnvironment(ctx.application, relationship.environment)} of ${ctx.owner}/${ctx.repo}`;
  const upstream = deploymentsOf(ledger, relationship.environment);
  if (upstream.length === 0) {
    const found = [...new Set(ledger.deployments.map((d) => d.environment))].sort(compareNames);
    const listed = found.length > 0 ? found.join(', ') : 'none';
    return {
      type: 'GateReady',
      status: 'True',
      reason: 'UpstreamNotDeployed',
      message: `Gate ${gate.metadata.name} allows no versions: ${where} has no deployment of ${deploymentName(ctx.application)} (task ${deploymentTask(ctx.application)}); environments of ${deploymentName(ctx.application)} with deployments: ${listed}`,
    };
  }
  return {
    type: 'GateReady',
    status: 'True',
    reason: 'GateClosed',
    message: `Gate ${gate.metadata.name} allows no versions: none of the ${upstream.length} deployment(s) in ${where} is a release candidate of Rollout ${ctx.rolloutName} ${verb}`,
  };
}

/**
 * `warning`: the sync worked, but not everything could be published (Ready stays True
 * without claiming that it all was; Degraded says what is missing).
 */
function conditions(identity: EnvironmentIdentity, specific: ConditionInput[], failure: Problem | undefined, now: string, warning?: Problem) {
  const ready: ConditionInput = failure
    ? { type: 'Ready', status: 'False', reason: failure.reason, message: failure.message }
    : warning
      ? { type: 'Ready', status: 'True', reason: warning.reason, message: `Environment is synced with GitHub, except: ${warning.message}` }
      : { type: 'Ready', status: 'True', reason: 'Synced', message: 'Environment is in sync with GitHub' };
  const degraded: ConditionInput = failure
    ? { type: 'Degraded', status: 'True', reason: failure.reason, message: failure.message }
    : warning
      ? { type: 'Degraded', status: 'True', reason: warning.reason, message: warning.message }
      : { type: 'Degraded', status: 'False', reason: 'Synced', message: 'Environment is in sync with GitHub' };
  return mergeConditions(identity.observedStatus.conditions, [ready, ...specific, degraded], identity.generation, now);
}

/** Nothing is lost: previous environmentInfos and gate stay, a condition says why. */
function keepPrevious(
  identity: EnvironmentIdentity,
  problem: Problem,
  githubProblem: GitHubProblem | undefined,
  options: DecideOptions,
  added: UnconfirmedCreation[] = [],
): DesiredState {
  const children = keptGates(identity);
  const githubSynced: ConditionInput = githubProblem
    ? { type: 'GitHubSynced', status: 'False', reason: problem.reason, message: problem.message }
    : { type: 'GitHubSynced', status: 'Unknown', reason: problem.reason, message: `Not attempted: ${problem.message}` };
  const gateReady: ConditionInput =
    children.length === 0
      ? { type: 'GateReady', status: 'True', reason: 'NoRelationship', message: 'No relationship: this environment needs no gate' }
      : identity.observedGates.length === 0
        ? // Nothing to keep: a new gate fails closed.
          {
            type: 'GateReady',
            status: 'False',
            reason: 'GateClosed',
            message: `Gate ${children[0]!.metadata.name} allows no versions until this can be resolved: ${problem.message}`,
          }
        : { type: 'GateReady', status: 'False', reason: 'GateKept', message: `Gate kept at its last allowed versions: ${problem.message}` };
  const previous = identity.observedStatus;
  const status: EnvironmentStatus = { ...resolvedIdentity(identity), conditions: conditions(identity, [githubSynced, gateReady], problem, options.now) };
  if (previous.currentVersion) status.currentVersion = previous.currentVersion;
  if (previous.currentTag) status.currentTag = previous.currentTag;
  status.environmentInfos = previous.environmentInfos ?? [];
  if (children[0]) status.rolloutGateRef = { name: children[0].metadata.name };
  withUnconfirmed(status, identity, added, undefined, options);
  return {
    status: withChangeTime(status, previous, options.now),
    children,
    resyncAfterSeconds: resyncSeconds(identity.requeueSeconds, githubProblem),
  };
}

/** status.application and status.environment: what the spec resolved to (either form), when it did. */
function resolvedIdentity(identity: EnvironmentIdentity): Pick<EnvironmentStatus, 'application' | 'environment'> {
  if (identity.application === undefined || identity.environment === undefined) return {};
  return { application: deploymentName(identity.application), environment: identity.environment };
}

/** Fail closed: observed gates keep their allowed versions; a missing one allows nothing. */
function keptGates(identity: EnvironmentIdentity): RolloutGate[] {
  const kept = identity.observedGates.map((observed) => sanitizeGate(observed, identity));
  if (kept.length === 0 && identity.relationship && identity.rolloutName) {
    kept.push(
      gateObject({
        environmentName: identity.name,
        namespace: identity.namespace,
        rolloutName: identity.rolloutName,
        relationship: identity.relationship,
        allowedVersions: [],
      }),
    );
  }
  return kept.sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1));
}

function sanitizeGate(observed: RolloutGate, identity: EnvironmentIdentity): RolloutGate {
  const spec = (observed.spec ?? {}) as Partial<RolloutGate['spec']>;
  const annotations: Record<string, string> = {};
  for (const key of [DESCRIPTION_ANNOTATION, PRETTY_NAME_ANNOTATION]) {
    const value = observed.metadata.annotations?.[key];
    if (typeof value === 'string') annotations[key] = value;
  }
  const allowed = Array.isArray(spec.allowedVersions) ? spec.allowedVersions.filter((v): v is string => typeof v === 'string') : [];
  return {
    apiVersion: 'kuberik.com/v1alpha1',
    kind: 'RolloutGate',
    metadata: { name: observed.metadata.name, namespace: identity.namespace, annotations },
    spec: {
      rolloutRef: { name: spec.rolloutRef?.name ?? identity.rolloutName ?? '' },
      passing: true,
      allowedVersions: allowed,
    },
  };
}

/** Unconfirmed creations stay in the status, whichever replica answers next, until GitHub shows them or they expire. */
function withUnconfirmed(
  status: EnvironmentStatus,
  identity: EnvironmentIdentity,
  added: UnconfirmedCreation[] | undefined,
  deployments: readonly LedgerDeployment[] | undefined,
  options: DecideOptions,
): void {
  const carried = carriedCreations({
    observed: identity.observedStatus.unconfirmedCreations ?? [],
    added: added ?? [],
    ...(deployments ? { deployments } : {}),
    nowMs: Date.parse(options.now),
    windowMs: options.unconfirmedWindowMs,
  });
  if (carried.length > 0) status.unconfirmedCreations = carried;
}

/** lastStatusChangeTime moves only when something else in the status changed. */
function withChangeTime(status: EnvironmentStatus, observed: EnvironmentStatus, now: string): EnvironmentStatus {
  const { lastStatusChangeTime: previousTime, observedGeneration: _generation, ...previousRest } = observed;
  const unchanged = previousTime !== undefined && sameJson(previousRest, status);
  const { rolloutGateRef, ...head } = status;
  const out: EnvironmentStatus = { ...head, lastStatusChangeTime: unchanged ? previousTime : now };
  if (rolloutGateRef) out.rolloutGateRef = rolloutGateRef;
  return out;
}

/** The Environment's own interval, sooner after transient failures, later when GitHub asks us to wait. */
function resyncSeconds(requeueSeconds: number, problem: GitHubProblem | undefined): number {
  if (problem?.retryAfterSeconds !== undefined) return Math.min(Math.max(Math.ceil(problem.retryAfterSeconds), 1), MAX_RETRY_AFTER_SECONDS);
  if (problem?.transient) return Math.max(Math.min(requeueSeconds, TRANSIENT_RESYNC_SECONDS), 1);
  return Math.max(requeueSeconds, 1);
}

export interface FinalizeOutcome {
  /** Deployments still waiting for their `inactive` status; 0 when done. */
  remaining: number;
  problem?: Problem | GitHubProblem;
  /** Deletion must never hang: past the give-up window we finalize anyway. */
  gaveUp: boolean;
}

export interface FinalizeDecision extends DesiredState {
  finalized: boolean;
}

const FINALIZE_RETRY_SECONDS = 5;

/** Soon, unless GitHub asked us to wait (rate limits). */
function finalizeRetrySeconds(problem: FinalizeOutcome['problem']): number {
  const wait = problem && 'retryAfterSeconds' in problem ? problem.retryAfterSeconds : undefined;
  return wait === undefined ? FINALIZE_RETRY_SECONDS : Math.min(Math.max(Math.ceil(wait), FINALIZE_RETRY_SECONDS), MAX_RETRY_AFTER_SECONDS);
}

export function decideFinalize(identity: EnvironmentIdentity, outcome: FinalizeOutcome, now: string): FinalizeDecision {
  const finalized = outcome.remaining === 0 || outcome.gaveUp || !('transient' in (outcome.problem ?? {}));
  let ready: ConditionInput;
  if (!outcome.problem) {
    ready = {
      type: 'Ready',
      status: 'False',
      reason: 'Finalized',
      message: 'Environment deleted: its newest GitHub deployment and any unfinished ones are marked inactive',
    };
  } else if (finalized) {
    ready = {
      type: 'Ready',
      status: 'False',
      reason: outcome.problem.reason,
      message: `Finalized without marking deployments inactive: ${outcome.problem.message}`,
    };
  } else {
    ready = {
      type: 'Ready',
      status: 'False',
      reason: outcome.problem.reason,
      message: `Waiting to mark ${outcome.remaining} deployment(s) inactive: ${outcome.problem.message}`,
    };
  }
  const observed = identity.observedStatus;
  const others = (observed.conditions ?? [])
    .filter((c) => c.type !== 'Ready' && (CONDITION_TYPES as readonly string[]).includes(c.type))
    .map((c) => ({ type: c.type as ConditionInput['type'], status: c.status, reason: c.reason, message: c.message }));
  const { lastStatusChangeTime: _t, observedGeneration: _g, conditions: _c, ...rest } = observed;
  const status: EnvironmentStatus = { conditions: mergeConditions(observed.conditions, [ready, ...others], identity.generation, now), ...rest };
  return {
    status: withChangeTime(status, observed, now),
    children: keptGates(identity),
    resyncAfterSeconds: finalized ? identity.requeueSeconds : finalizeRetrySeconds(outcome.problem),
    finalized,
  };
}
