/**
 * Turns a hook request into the facts a sync needs, or the problem with the object that
 * stops it. Pure: no GitHub, no clock.
 */
import type { Condition, EnvironmentInfo, EnvironmentSpec, EnvironmentStatus, UnconfirmedCreation } from '../generated/environment.js';
import type { SyncRequest } from '../generated/hooks.js';
import type { KubernetesObject, Rollout, RolloutGate, RolloutHistoryEntry, RolloutVersionInfo, Secret } from '../generated/kubernetes.js';
import { discoverDashboardUrl, GATEWAY_GVK, HTTPROUTE_GVK, INGRESS_GVK } from './dashboard.js';
import type { ApiUrlPolicy } from './api-urls.js';
import { credentialsFrom, isCredentials, type GitHubCredentials } from './credentials.js';
import { parseDurationSeconds } from './duration.js';
import type { Problem } from './problems.js';
import { deploymentName, githubEnvironment, resolveIdentity, type ResolvedIdentity } from './naming.js';
import { isPlainObject } from './payload.js';
import type { Relationship } from './types.js';

export type { Problem } from './problems.js';

export const DEFAULT_REQUEUE_SECONDS = 60;
export const DEFAULT_SECRET_NAME = 'github-token';
const MAX_GITHUB_ENVIRONMENT = 255;
const CONTROL_CHARACTER = /\p{Cc}/u;
const PREFIX_ONLY = 'kuberik/';
const PROJECT = /^([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))\/([A-Za-z0-9._-]{1,100})$/;

export interface SpecCheck {
  (spec: unknown): { field: string; problem: string }[];
}

/** Identity and settings of the Environment being synced. */
export interface EnvironmentIdentity {
  namespace: string;
  name: string;
  generation: number;
  deletionTimestamp?: string;
  observedStatus: EnvironmentStatus;
  /** Observed RolloutGate children (what Metacontroller currently manages). */
  observedGates: RolloutGate[];
  requeueSeconds: number;
  /** Set when the spec is usable enough to know it (for fail-closed gates). */
  relationship?: Relationship;
  rolloutName?: string;
  /** Resolved from either spec form (naming.resolveIdentity), with the `kuberik/` prefix: `kuberik/my-app`. */
  application?: string;
  /** Resolved environment name, e.g. `production`. */
  environment?: string;
}

export interface SyncContext extends EnvironmentIdentity {
  /** The application as the spec names it (`my-app` or `kuberik/my-app`); naming.ts adds the prefix. */
  application: string;
  environment: string;
  owner: string;
  repo: string;
  rolloutName: string;
  secretName: string;
  credentials: GitHubCredentials;
  history: RolloutHistoryEntry[];
  releaseCandidates: RolloutVersionInfo[];
  /** Sibling Environments of the same application and repository: environment → relationship. */
  siblings: Map<string, Relationship | undefined>;
  /** Dashboard base URL found in related Ingresses/HTTPRoutes ('' when none). */
  discoveredDashboardUrl: string;
}

export type Interpretation = { ok: true; context: SyncContext } | { ok: false; identity: EnvironmentIdentity; problem: Problem };

const ROLLOUT_GVK = 'Rollout.kuberik.com/v1alpha1';
const SECRET_GVK = 'Secret.v1';
const ENVIRONMENT_GVK = 'Environment.environments.kuberik.com/v1alpha1';
const GATE_GVK = 'RolloutGate.kuberik.com/v1alpha1';

export interface InterpretOptions {
  /** Finalize needs only the spec and the token, not the Rollout. */
  requireRollout?: boolean;
  /** The API base URLs a Secret's `apiUrl` may name (without it, any well-formed one). */
  apiUrls?: ApiUrlPolicy;
}

export function interpret(request: SyncRequest, checkSpec: SpecCheck, options: InterpretOptions = {}): Interpretation {
  const parent = request.parent;
  const namespace = parent.metadata.namespace!;
  const rawSpec = (parent as { spec?: unknown }).spec;
  const rawStatus = (parent as { status?: unknown }).status;
  const identity: EnvironmentIdentity = {
    namespace,
    name: parent.metadata.name,
    generation: parent.metadata.generation ?? 0,
    observedStatus: observedStatus(rawStatus),
    observedGates: objectsOf(request.children, GATE_GVK, namespace).filter(
      (o) => typeof o.metadata.name === 'string' && o.metadata.name !== '',
    ) as unknown as RolloutGate[],
    requeueSeconds: DEFAULT_REQUEUE_SECONDS,
  };
  if (parent.metadata.deletionTimestamp) identity.deletionTimestamp = parent.metadata.deletionTimestamp;

  const fail = (reason: string, message: string): Interpretation => ({ ok: false, identity, problem: { reason, message } });

  const specProblems = checkSpec(rawSpec);
  const spec = (isPlainObject(rawSpec) ? rawSpec : {}) as Partial<EnvironmentSpec>;
  // Learn what we safely can even from a broken spec: the gate must fail closed.
  if (
    isPlainObject(spec.relationship) &&
    typeof spec.relationship.environment === 'string' &&
    (spec.relationship.type === 'After' || spec.relationship.type === 'Parallel')
  ) {
    identity.relationship = { environment: spec.relationship.environment, type: spec.relationship.type };
  }
  if (isPlainObject(spec.rolloutRef) && typeof spec.rolloutRef.name === 'string' && spec.rolloutRef.name) {
    identity.rolloutName = spec.rolloutRef.name;
  }
  const resolved = resolveIdentity(spec);
  if (resolved && !resolved.environment.includes('/') && deploymentName(resolved.application) !== PREFIX_ONLY) {
    identity.application = deploymentName(resolved.application);
    identity.environment = resolved.environment;
  }
  if (typeof spec.requeueInterval === 'string') {
    const seconds = parseDurationSeconds(spec.requeueInterval);
    if (seconds !== null && seconds >= 1) identity.requeueSeconds = seconds;
  }

  if (specProblems.length > 0) {
    const requeue = specProblems.find((p) => p.field === '/requeueInterval');
    if (requeue && specProblems.length === 1)
      return fail('InvalidRequeueInterval', `spec.requeueInterval ${JSON.stringify(spec.requeueInterval)} is not a duration such as 30s, 1m or 1h30m`);
    const backendType = specProblems.find((p) => p.field === '/backend/type');
    if (backendType && specProblems.length === 1 && isPlainObject(spec.backend) && spec.backend.type !== undefined)
      return fail('UnsupportedBackend', `spec.backend.type ${JSON.stringify(spec.backend?.type)} is not supported; the only backend is "github"`);
    const listed = specProblems.map((p) => `${p.field === '/' ? 'spec' : `spec${p.field.replaceAll('/', '.')}`} ${p.problem}`).join('; ');
    return fail('InvalidSpec', listed);
  }
  const valid = spec as EnvironmentSpec;
  if (valid.requeueInterval !== undefined && (parseDurationSeconds(valid.requeueInterval) ?? 0) < 1) {
    return fail('InvalidRequeueInterval', `spec.requeueInterval ${JSON.stringify(valid.requeueInterval)} must be at least 1s`);
  }
  if (!valid.rolloutRef.name) return fail('InvalidSpec', 'spec.rolloutRef.name is required');
  const goForm = valid.environment !== undefined && valid.environment !== '';
  const { application, environment } = resolveIdentity(valid) ?? { application: '', environment: '' };
  if (!environment) return fail('InvalidSpec', 'spec.name is required (the environment, for example "production", when spec.environment is not set)');
  if (environment.includes('/'))
    return fail(
      'InvalidSpec',
      goForm ? 'spec.environment must not contain "/"' : 'spec.name must not contain "/" when spec.environment is not set (it names the environment)',
    );
  if (!application.replace(/^kuberik\//, ''))
    return fail('InvalidSpec', goForm ? 'spec.name must name the application' : 'spec.rolloutRef.name must name the application');
  if (valid.relationship?.environment === '') return fail('InvalidSpec', 'spec.relationship.environment must not be empty');
  // These become GitHub environment names: short labels, so bounded here (GitHub documents no limit) and free of control characters.
  const githubName = githubEnvironment(application, environment);
  if (githubName.length > MAX_GITHUB_ENVIRONMENT)
    return fail(
      'InvalidSpec',
      `${goForm ? 'spec.name and spec.environment' : 'spec.rolloutRef.name and spec.name'} make the GitHub environment name longer than ${MAX_GITHUB_ENVIRONMENT} characters`,
    );
  for (const [field, value] of [
    ['name', valid.name],
    ['environment', valid.environment ?? ''],
    ['rolloutRef.name', valid.rolloutRef.name],
    ['relationship.environment', valid.relationship?.environment ?? ''],
  ] as const) {
    if (CONTROL_CHARACTER.test(value)) return fail('InvalidSpec', `spec.${field} must not contain control characters`);
  }
  const project = PROJECT.exec(valid.backend.project);
  // "." and ".." would be normalised away inside the REST URL path.
  if (!project || project[2] === '.' || project[2] === '..') {
    return fail('InvalidProject', `spec.backend.project ${JSON.stringify(valid.backend.project)} is not of the form "owner/repo"`);
  }
  const [, owner, repo] = project as unknown as [string, string, string];

  const rolloutName = valid.rolloutRef.name;
  const rollout = findByName(request.related, ROLLOUT_GVK, namespace, rolloutName) as Rollout | undefined;
  if (!rollout && options.requireRollout !== false) return fail('RolloutNotFound', `Rollout ${namespace}/${rolloutName} not found`);

  const secretName = valid.backend.secret || DEFAULT_SECRET_NAME;
  const secret = findByName(request.related, SECRET_GVK, namespace, secretName) as Secret | undefined;
  if (!secret) return fail('SecretNotFound', `Secret ${namespace}/${secretName} not found`);
  const credentials = credentialsFrom(secret, `${namespace}/${secretName}`, options.apiUrls);
  if (!isCredentials(credentials)) return fail(credentials.reason, credentials.message);

  const context: SyncContext = {
    ...identity,
    application,
    environment,
    owner,
    repo,
    rolloutName,
    secretName,
    credentials,
    history: validHistory(rollout?.status?.history),
    releaseCandidates: validCandidates(rollout?.status?.releaseCandidates),
    siblings: siblingRelationships(request, { application, environment }, valid.backend.project, parent.metadata.name),
    discoveredDashboardUrl: discoverDashboardUrl(
      objectsOf(request.related, INGRESS_GVK),
      objectsOf(request.related, HTTPROUTE_GVK),
      objectsOf(request.related, GATEWAY_GVK),
    ),
  };
  if (valid.relationship) context.relationship = { environment: valid.relationship.environment, type: valid.relationship.type };
  return { ok: true, context };
}

/**
 * The API server validates these objects, but a hook must survive anything: keep only
 * well-typed fields so nothing downstream meets a surprise.
 */
function validHistory(history: unknown): RolloutHistoryEntry[] {
  if (!Array.isArray(history)) return [];
  const entries: RolloutHistoryEntry[] = [];
  for (const e of history) {
    if (!isPlainObject(e) || !isPlainObject(e.version) || typeof e.version.tag !== 'string') continue;
    const entry: RolloutHistoryEntry = { version: versionOf(e.version) };
    if (typeof e.id === 'number' && Number.isSafeInteger(e.id)) entry.id = e.id;
    for (const field of ['timestamp', 'message', 'bakeStatus', 'bakeStatusMessage'] as const) {
      const value = e[field];
      if (typeof value === 'string') entry[field] = value;
    }
    entries.push(entry);
  }
  return entries;
}

function validCandidates(candidates: unknown): RolloutVersionInfo[] {
  if (!Array.isArray(candidates)) return [];
  return candidates.filter((c) => isPlainObject(c) && typeof c.tag === 'string').map((c) => versionOf(c as Record<string, unknown>));
}

function versionOf(v: Record<string, unknown>): RolloutVersionInfo {
  const out: RolloutVersionInfo = { tag: v.tag as string };
  for (const field of ['revision', 'digest', 'version', 'created'] as const) {
    const value = v[field];
    if (typeof value === 'string' && value !== '') out[field] = value;
  }
  return out;
}

/** The observed status as far as it is well-formed; what is not is treated as absent. */
function observedStatus(raw: unknown): EnvironmentStatus {
  if (!isPlainObject(raw)) return {};
  const status: EnvironmentStatus = {};
  if (typeof raw.application === 'string') status.application = raw.application;
  if (typeof raw.environment === 'string') status.environment = raw.environment;
  if (Array.isArray(raw.conditions)) {
    status.conditions = raw.conditions.filter(
      (c): c is Condition =>
        isPlainObject(c) &&
        typeof c.type === 'string' &&
        typeof c.status === 'string' &&
        typeof c.lastTransitionTime === 'string' &&
        typeof c.reason === 'string' &&
        typeof c.message === 'string',
    );
  }
  if (typeof raw.currentVersion === 'string') status.currentVersion = raw.currentVersion;
  if (typeof raw.currentTag === 'string') status.currentTag = raw.currentTag;
  if (Array.isArray(raw.environmentInfos)) {
    status.environmentInfos = raw.environmentInfos.filter(
      (i): i is EnvironmentInfo => isPlainObject(i) && typeof i.environment === 'string' && (i.history === undefined || Array.isArray(i.history)),
    );
  }
  if (typeof raw.lastStatusChangeTime === 'string') status.lastStatusChangeTime = raw.lastStatusChangeTime;
  if (isPlainObject(raw.rolloutGateRef) && typeof raw.rolloutGateRef.name === 'string') status.rolloutGateRef = { name: raw.rolloutGateRef.name };
  if (typeof raw.observedGeneration === 'number') status.observedGeneration = raw.observedGeneration;
  if (Array.isArray(raw.unconfirmedCreations)) {
    status.unconfirmedCreations = raw.unconfirmedCreations.filter(
      (c): c is UnconfirmedCreation =>
        isPlainObject(c) && Number.isSafeInteger(c.id) && typeof c.revision === 'string' && typeof c.until === 'string' && !Number.isNaN(Date.parse(c.until)),
    );
  }
  return status;
}

/**
 * Siblings of the same application and repository, matched by resolved identity (either
 * spec form); the first by object name wins an environment.
 */
function siblingRelationships(request: SyncRequest, self: ResolvedIdentity, backendProject: string, selfName: string): Map<string, Relationship | undefined> {
  const app = deploymentName(self.application);
  const project = backendProject.toLowerCase();
  const result = new Map<string, Relationship | undefined>();
  const siblings = objectsOf(request.related, ENVIRONMENT_GVK, request.parent.metadata.namespace)
    .filter((o) => o.metadata.name !== selfName)
    .sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0));
  for (const sibling of siblings) {
    const s = (sibling as { spec?: unknown }).spec;
    if (!isPlainObject(s)) continue;
    const resolved = resolveIdentity(s);
    if (!resolved || resolved.environment === self.environment || resolved.environment.includes('/')) continue;
    if (deploymentName(resolved.application) !== app) continue;
    if (!isPlainObject(s.backend) || typeof s.backend.project !== 'string' || s.backend.project.toLowerCase() !== project) continue;
    if (result.has(resolved.environment)) continue;
    const rel = s.relationship;
    const relationship: Relationship | undefined =
      isPlainObject(rel) && typeof rel.environment === 'string' && rel.environment && (rel.type === 'After' || rel.type === 'Parallel')
        ? { environment: rel.environment, type: rel.type }
        : undefined;
    result.set(resolved.environment, relationship);
  }
  return result;
}

/**
 * Objects of one kind, optionally only those in `namespace`; iterates values rather than
 * trusting key formats.
 */
export function objectsOf(map: SyncRequest['related'] | undefined, gvk: string, namespace?: string): KubernetesObject[] {
  const group = map?.[gvk];
  if (!isPlainObject(group)) return [];
  return Object.values(group).filter(
    (o): o is KubernetesObject =>
      isPlainObject(o) && isPlainObject(o.metadata) && (namespace === undefined || o.metadata.namespace === undefined || o.metadata.namespace === namespace),
  );
}

function findByName(map: SyncRequest['related'] | undefined, gvk: string, namespace: string, name: string): KubernetesObject | undefined {
  return objectsOf(map, gvk, namespace).find((o) => o.metadata.name === name);
}
