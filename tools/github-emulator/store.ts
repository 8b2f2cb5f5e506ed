/**
 * In-memory model of repositories, environments, deployments and deployment statuses, with GitHub's
 * write semantics (id allocation, environment auto-creation, auto-inactive, validation). Both the REST
 * routes and the GraphQL resolvers go through this class, so they observe one ledger.
 */
import { isoSeconds, nodeId } from './ids.js';
import type { EmulatedDeployment, EmulatedStatus, SeedDeployment, StatusState } from './types.js';

export const STATUS_STATES: readonly StatusState[] = ['error', 'failure', 'inactive', 'in_progress', 'queued', 'pending', 'success', 'waiting'];
export const MAX_STATUS_DESCRIPTION = 140;
export const INACTIVE_DESCRIPTION = 'This deployment is inactive';

const FIRST_DEPLOYMENT_ID = 5_000_001_000;
const FIRST_STATUS_ID = 12_000_001_000;
const FIRST_REPOSITORY_ID = 700_000_001;
// Below 2^31 so that GraphQL `Environment.databaseId` (an Int) stays selectable, as on GitHub today.
const FIRST_ENVIRONMENT_ID = 410_000_001;
const FIRST_USER_ID = 90_000_001;

export type StoreErrorKind = 'not_found' | 'no_ref' | 'description_too_long' | 'cannot_delete' | 'invalid';

export class StoreError extends Error {
  constructor(
    readonly kind: StoreErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}

export interface ActorRecord {
  __typename: 'User' | 'Bot';
  /** REST login (bots keep their "[bot]" suffix here). */
  login: string;
  dbId: number;
  nodeId: string;
}

export interface RepoRecord {
  __typename: 'Repository';
  dbId: number;
  nodeId: string;
  owner: string;
  name: string;
  fullName: string;
  createdAt: string;
  /** null = any 40-hex SHA exists. Lower-case SHAs. */
  commits: Set<string> | null;
  branches: Map<string, string>;
  /** key: lower-cased name (environment names are case-insensitive on GitHub). */
  environments: Map<string, EnvironmentRecord>;
  deployments: DeploymentRecord[];
  refs: Map<string, RefRecord>;
}

export interface EnvironmentRecord {
  __typename: 'Environment';
  dbId: number;
  nodeId: string;
  name: string;
  repo: RepoRecord;
  createdAt: string;
}

export interface RefRecord {
  __typename: 'Ref';
  nodeId: string;
  /** Short name, e.g. "main". */
  name: string;
  prefix: 'refs/heads/';
  repo: RepoRecord;
}

export interface CommitRecord {
  __typename: 'Commit';
  oid: string;
  repo: RepoRecord;
}

export interface DeploymentRecord {
  __typename: 'Deployment';
  id: number;
  nodeId: string;
  repo: RepoRecord;
  sha: string;
  /** The ref as requested (a SHA, or a branch name). */
  ref: string;
  /** Branch name when the deployment was created from a branch, else null (GraphQL `ref` is then null). */
  branch: string | null;
  task: string;
  /** Current ("latest") environment. */
  environment: string;
  originalEnvironment: string;
  description: string | null;
  payload: unknown;
  createdAt: string;
  updatedAt: string;
  productionEnvironment: boolean;
  transientEnvironment: boolean;
  creator: ActorRecord;
  /** Oldest → newest. */
  statuses: StatusRecord[];
}

export interface StatusRecord {
  __typename: 'DeploymentStatus';
  id: number;
  nodeId: string;
  deployment: DeploymentRecord;
  /** Index in `deployment.statuses` (oldest first); statuses are never removed on their own, so it never changes. */
  position: number;
  state: StatusState;
  description: string;
  environment: string;
  environmentUrl: string;
  logUrl: string;
  targetUrl: string;
  createdAt: string;
  updatedAt: string;
  creator: ActorRecord;
}

export type NodeRecord = RepoRecord | EnvironmentRecord | DeploymentRecord | StatusRecord | RefRecord | ActorRecord;

export interface CreateDeploymentInput {
  ref: string;
  task?: string;
  environment?: string;
  description?: string | null;
  payload?: unknown;
  productionEnvironment?: boolean;
  transientEnvironment?: boolean;
}

export interface CreateStatusInput {
  state: StatusState;
  description?: string | null;
  environment?: string | null;
  environmentUrl?: string | null;
  logUrl?: string | null;
  targetUrl?: string | null;
  autoInactive?: boolean | null;
}

/** Told of what the API creates (not of seeds, nor of GitHub's own auto-inactive statuses): the emulator's webhooks. */
export interface StoreListener {
  deploymentCreated(d: DeploymentRecord): void;
  statusCreated(s: StatusRecord): void;
}

const HEX40 = /^[0-9a-f]{40}$/i;

/** Creation order: created_at, then id (ids grow monotonically, timestamps have 1 s precision). */
export function compareDeployments(a: DeploymentRecord, b: DeploymentRecord): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? -1 : 1;
  return a.id - b.id;
}

export function latestStatus(d: DeploymentRecord): StatusRecord | undefined {
  return d.statuses[d.statuses.length - 1];
}

export function sameEnvironment(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

function normalizeTimestamp(value: string, what: string): string {
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) throw new StoreError('invalid', `${what}: invalid timestamp ${JSON.stringify(value)}`);
  return isoSeconds(d);
}

function asState(value: string): StatusState {
  const s = value.toLowerCase() as StatusState;
  if (!STATUS_STATES.includes(s)) throw new StoreError('invalid', `unknown deployment status state ${JSON.stringify(value)}`);
  return s;
}

/** A repository's deployments oldest first, whole and by lower-cased current environment. */
interface DeploymentIndex {
  sorted: DeploymentRecord[];
  byEnvironment: Map<string, DeploymentRecord[]>;
}

function buildIndex(repo: RepoRecord): DeploymentIndex {
  const sorted = [...repo.deployments].sort(compareDeployments);
  const byEnvironment = new Map<string, DeploymentRecord[]>();
  for (const d of sorted) {
    const key = d.environment.toLowerCase();
    const list = byEnvironment.get(key);
    if (list) list.push(d);
    else byEnvironment.set(key, [d]);
  }
  return { sorted, byEnvironment };
}

export class Store {
  private readonly repos = new Map<string, RepoRecord>();
  /** Built on the first read after a change of a repository's deployments or their environments. */
  private readonly indexes = new WeakMap<RepoRecord, DeploymentIndex>();
  /** While set, deployments created through the API are left out of listings (GitHub's reads lagging behind its writes). */
  private lagging = false;
  private readonly hidden = new Set<DeploymentRecord>();
  private readonly nodes = new Map<string, NodeRecord>();
  private readonly deploymentsById = new Map<number, DeploymentRecord>();
  private readonly statusesById = new Map<number, StatusRecord>();
  private readonly actors = new Map<string, ActorRecord>();
  private nextDeploymentId = FIRST_DEPLOYMENT_ID;
  private nextStatusId = FIRST_STATUS_ID;
  private nextRepoId = FIRST_REPOSITORY_ID;
  private nextEnvironmentId = FIRST_ENVIRONMENT_ID;
  private nextUserId = FIRST_USER_ID;
  listener: StoreListener | undefined;

  constructor(
    private readonly now: () => string,
    /** false: deployments do not create repository environments (GitHub documents no guarantee that they do). */
    private readonly createEnvironments = true,
  ) {}

  // ---- repositories and commits -------------------------------------------------------------

  addRepository(fullName: string, opts: { commits?: string[]; branches?: Record<string, string> } = {}): RepoRecord {
    const [owner, name, ...rest] = fullName.split('/');
    if (!owner || !name || rest.length > 0) throw new StoreError('invalid', `repository name must be "owner/name", got ${JSON.stringify(fullName)}`);
    const key = fullName.toLowerCase();
    if (this.repos.has(key)) throw new StoreError('invalid', `repository ${fullName} already exists`);
    const dbId = this.nextRepoId++;
    const repo: RepoRecord = {
      __typename: 'Repository',
      dbId,
      nodeId: nodeId('R', dbId),
      owner,
      name,
      fullName,
      createdAt: this.now(),
      commits: opts.commits ? new Set() : null,
      branches: new Map(),
      environments: new Map(),
      deployments: [],
      refs: new Map(),
    };
    this.repos.set(key, repo);
    this.nodes.set(repo.nodeId, repo);
    if (opts.commits) this.addCommits(repo, opts.commits);
    for (const [branch, sha] of Object.entries(opts.branches ?? {})) {
      if (!HEX40.test(sha)) throw new StoreError('invalid', `branch ${branch}: ${JSON.stringify(sha)} is not a 40-hex SHA`);
      repo.branches.set(branch, sha.toLowerCase());
      repo.commits?.add(sha.toLowerCase());
    }
    return repo;
  }

  addCommits(repo: RepoRecord, shas: string[]): void {
    for (const sha of shas) {
      if (!HEX40.test(sha)) throw new StoreError('invalid', `${JSON.stringify(sha)} is not a 40-hex SHA`);
      if (repo.commits === null) continue; // any SHA already exists
      repo.commits.add(sha.toLowerCase());
    }
  }

  repository(owner: string, name: string): RepoRecord | undefined {
    return this.repos.get(`${owner}/${name}`.toLowerCase());
  }

  repositoryByFullName(fullName: string): RepoRecord {
    const repo = this.repos.get(fullName.toLowerCase());
    if (!repo) throw new StoreError('not_found', `unknown repository ${fullName}`);
    return repo;
  }

  hasCommit(repo: RepoRecord, sha: string): boolean {
    if (!HEX40.test(sha)) return false;
    return repo.commits === null || repo.commits.has(sha.toLowerCase());
  }

  commit(repo: RepoRecord, sha: string): CommitRecord | null {
    return this.hasCommit(repo, sha) ? { __typename: 'Commit', oid: sha.toLowerCase(), repo } : null;
  }

  /** A branch ref by "main" or "refs/heads/main" (GitHub checks qualified names first, then short names). */
  branchRef(repo: RepoRecord, qualifiedName: string): RefRecord | null {
    const short = qualifiedName.startsWith('refs/heads/') ? qualifiedName.slice('refs/heads/'.length) : qualifiedName;
    if (!repo.branches.has(short)) return null;
    return this.refRecord(repo, short);
  }

  private refRecord(repo: RepoRecord, branch: string): RefRecord {
    let ref = repo.refs.get(branch);
    if (!ref) {
      ref = { __typename: 'Ref', nodeId: nodeId('REF', repo.dbId, `refs/heads/${branch}`), name: branch, prefix: 'refs/heads/', repo };
      repo.refs.set(branch, ref);
      this.nodes.set(ref.nodeId, ref);
    }
    return ref;
  }

  /** Resolves a REST `ref` (SHA, branch, refs/heads/branch, or with a commit list a unique ≥7-char SHA prefix). */
  resolveRef(repo: RepoRecord, ref: string): { sha: string; branch: string | null } {
    const branch = ref.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : ref;
    const head = repo.branches.get(branch);
    if (head) return { sha: head, branch };
    if (this.hasCommit(repo, ref)) return { sha: ref.toLowerCase(), branch: null };
    if (repo.commits && /^[0-9a-f]{7,39}$/i.test(ref)) {
      const matches = [...repo.commits].filter((c) => c.startsWith(ref.toLowerCase()));
      if (matches.length === 1) return { sha: matches[0]!, branch: null };
    }
    throw new StoreError('no_ref', `No ref found for: ${ref}`);
  }

  // ---- actors -------------------------------------------------------------------------------

  actor(login: string): ActorRecord {
    let a = this.actors.get(login);
    if (!a) {
      const bot = login.endsWith('[bot]');
      const dbId = this.nextUserId++;
      a = { __typename: bot ? 'Bot' : 'User', login, dbId, nodeId: nodeId(bot ? 'BOT' : 'U', dbId) };
      this.actors.set(login, a);
      this.nodes.set(a.nodeId, a);
    }
    return a;
  }

  // ---- environments -------------------------------------------------------------------------

  ensureEnvironment(repo: RepoRecord, name: string, createdAt: string = this.now()): void {
    const key = name.toLowerCase();
    if (!this.createEnvironments || repo.environments.has(key)) return;
    const dbId = this.nextEnvironmentId++;
    const env: EnvironmentRecord = { __typename: 'Environment', dbId, nodeId: nodeId('EN', repo.dbId, dbId), name, repo, createdAt };
    repo.environments.set(key, env);
    this.nodes.set(env.nodeId, env);
  }

  environmentsSorted(repo: RepoRecord): EnvironmentRecord[] {
    return [...repo.environments.values()].sort((a, b) =>
      a.name.toLowerCase() < b.name.toLowerCase() ? -1 : a.name.toLowerCase() > b.name.toLowerCase() ? 1 : a.dbId - b.dbId,
    );
  }

  // ---- deployments --------------------------------------------------------------------------

  private index(repo: RepoRecord): DeploymentIndex {
    let index = this.indexes.get(repo);
    if (!index) {
      index = buildIndex(repo);
      this.indexes.set(repo, index);
    }
    return index;
  }

  /** Oldest first; a new array the caller may reorder. */
  deploymentsSorted(repo: RepoRecord): DeploymentRecord[] {
    return this.index(repo).sorted.slice();
  }

  /** Deployments whose current environment is one of `names` (case-insensitive), oldest first; a new array. */
  deploymentsIn(repo: RepoRecord, names: readonly string[]): DeploymentRecord[] {
    const { byEnvironment } = this.index(repo);
    const keys = [...new Set(names.map((n) => n.toLowerCase()))];
    if (keys.length === 1) return byEnvironment.get(keys[0]!)?.slice() ?? [];
    return keys.flatMap((k) => byEnvironment.get(k) ?? []).sort(compareDeployments);
  }

  /** Reads lag behind writes from now on: a deployment created meanwhile is missing from listings until `catchUp`. */
  lagReads(): void {
    this.lagging = true;
  }

  /** Reads catch up: every deployment created while they lagged is listed again. */
  catchUp(): void {
    this.lagging = false;
    this.hidden.clear();
  }

  /** Whether listings (REST and GraphQL deployment lists) show the deployment yet. */
  listed(d: DeploymentRecord): boolean {
    return !this.hidden.has(d);
  }

  deployment(repo: RepoRecord, id: number): DeploymentRecord | undefined {
    const d = this.deploymentsById.get(id);
    return d && d.repo === repo ? d : undefined;
  }

  status(deployment: DeploymentRecord, id: number): StatusRecord | undefined {
    const s = this.statusesById.get(id);
    return s && s.deployment === deployment ? s : undefined;
  }

  node(id: string): NodeRecord | undefined {
    return this.nodes.get(id);
  }

  createDeployment(repo: RepoRecord, input: CreateDeploymentInput, actor: ActorRecord): DeploymentRecord {
    const { sha, branch } = this.resolveRef(repo, input.ref);
    const environment = input.environment ?? 'production';
    const now = this.now();
    const id = this.nextDeploymentId++;
    const d: DeploymentRecord = {
      __typename: 'Deployment',
      id,
      nodeId: nodeId('DE', repo.dbId, id),
      repo,
      sha,
      ref: input.ref,
      branch,
      task: input.task ?? 'deploy',
      environment,
      originalEnvironment: environment,
      description: input.description === undefined ? null : input.description,
      payload: input.payload === undefined ? {} : input.payload,
      createdAt: now,
      updatedAt: now,
      productionEnvironment: input.productionEnvironment ?? environment === 'production',
      transientEnvironment: input.transientEnvironment ?? false,
      creator: actor,
      statuses: [],
    };
    this.ensureEnvironment(repo, environment, now);
    this.register(d);
    this.listener?.deploymentCreated(d);
    if (this.lagging) this.hidden.add(d);
    return d;
  }

  private register(d: DeploymentRecord): void {
    if (this.deploymentsById.has(d.id)) throw new StoreError('invalid', `deployment id ${d.id} already exists`);
    if (this.nodes.has(d.nodeId)) throw new StoreError('invalid', `node id ${d.nodeId} already exists`);
    d.repo.deployments.push(d);
    this.indexes.delete(d.repo);
    this.deploymentsById.set(d.id, d);
    this.nodes.set(d.nodeId, d);
  }

  createStatus(d: DeploymentRecord, input: CreateStatusInput, actor: ActorRecord): StatusRecord {
    const description = input.description ?? '';
    if ([...description].length > MAX_STATUS_DESCRIPTION) {
      throw new StoreError('description_too_long', `description is too long (maximum is ${MAX_STATUS_DESCRIPTION} characters)`);
    }
    const previous = latestStatus(d);
    const environment = input.environment || previous?.environment || d.environment;
    const logUrl = input.logUrl || input.targetUrl || '';
    const now = this.now();
    const status = this.appendStatus(d, {
      state: input.state,
      description,
      environment,
      environmentUrl: input.environmentUrl ?? '',
      logUrl,
      targetUrl: logUrl,
      createdAt: now,
      updatedAt: now,
      creator: actor,
    });
    if (environment !== d.environment) {
      d.environment = environment;
      d.updatedAt = now;
      this.indexes.delete(d.repo);
    }
    this.ensureEnvironment(d.repo, environment, now);
    if (input.state === 'success' && (input.autoInactive ?? true)) this.autoInactivate(d, actor, now);
    this.listener?.statusCreated(status);
    return status;
  }

  /**
   * GitHub: "Adds a new inactive status to all prior non-transient, non-production environment deployments
   * with the same repository and environment name as the created status's deployment. An inactive status
   * is only added to deployments that had a success state."
   */
  private autoInactivate(target: DeploymentRecord, actor: ActorRecord, now: string): void {
    for (const other of this.deploymentsIn(target.repo, [target.environment])) {
      if (other === target || compareDeployments(other, target) >= 0) continue;
      if (other.transientEnvironment || other.productionEnvironment) continue;
      if (latestStatus(other)?.state !== 'success') continue;
      this.appendStatus(other, {
        state: 'inactive',
        description: INACTIVE_DESCRIPTION,
        environment: other.environment,
        environmentUrl: '',
        logUrl: '',
        targetUrl: '',
        createdAt: now,
        updatedAt: now,
        creator: actor,
      });
    }
  }

  private appendStatus(
    d: DeploymentRecord,
    s: Omit<StatusRecord, '__typename' | 'id' | 'nodeId' | 'deployment' | 'position'> & { id?: number; nodeId?: string },
  ): StatusRecord {
    const id = s.id ?? this.nextStatusId++;
    if (this.statusesById.has(id)) throw new StoreError('invalid', `deployment status id ${id} already exists`);
    const record: StatusRecord = {
      ...s,
      __typename: 'DeploymentStatus',
      id,
      nodeId: s.nodeId ?? nodeId('DES', d.repo.dbId, id),
      deployment: d,
      position: d.statuses.length,
    };
    if (this.nodes.has(record.nodeId)) throw new StoreError('invalid', `node id ${record.nodeId} already exists`);
    if (id >= this.nextStatusId) this.nextStatusId = id + 1;
    d.statuses.push(record);
    this.statusesById.set(id, record);
    this.nodes.set(record.nodeId, record);
    return record;
  }

  /** REST: "If the repository has more than one deployment, you can only delete inactive deployments." */
  deleteDeployment(d: DeploymentRecord): void {
    if (d.repo.deployments.length > 1 && latestStatus(d)?.state !== 'inactive') {
      throw new StoreError('cannot_delete', 'We cannot delete an active deployment unless it is the only deployment in a given environment.');
    }
    d.repo.deployments = d.repo.deployments.filter((x) => x !== d);
    this.indexes.delete(d.repo);
    this.deploymentsById.delete(d.id);
    this.nodes.delete(d.nodeId);
    for (const s of d.statuses) {
      this.statusesById.delete(s.id);
      this.nodes.delete(s.nodeId);
    }
  }

  // ---- seeding ------------------------------------------------------------------------------

  seedDeployment(repo: RepoRecord, seed: SeedDeployment, defaultActor: ActorRecord): DeploymentRecord {
    if (!HEX40.test(seed.sha)) throw new StoreError('invalid', `seed sha ${JSON.stringify(seed.sha)} is not a 40-hex SHA`);
    const id = seed.id ?? this.nextDeploymentId++;
    if (!Number.isSafeInteger(id) || id <= 0) throw new StoreError('invalid', `seed id ${id} is not a positive safe integer`);
    if (id >= this.nextDeploymentId) this.nextDeploymentId = id + 1;
    const createdAt = normalizeTimestamp(seed.created_at, `deployment ${id} created_at`);
    const sha = seed.sha.toLowerCase();
    repo.commits?.add(sha);
    const ref = seed.ref ?? sha;
    const branchName = ref.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : ref;
    const original = seed.original_environment ?? seed.environment;
    const creator = seed.creator === undefined ? defaultActor : this.actor(typeof seed.creator === 'string' ? seed.creator : seed.creator.login);
    const d: DeploymentRecord = {
      __typename: 'Deployment',
      id,
      nodeId: seed.node_id ?? nodeId('DE', repo.dbId, id),
      repo,
      sha,
      ref,
      branch: repo.branches.has(branchName) ? branchName : null,
      task: seed.task,
      environment: seed.environment,
      originalEnvironment: original,
      description: seed.description === undefined ? null : seed.description,
      payload: seed.payload,
      createdAt,
      updatedAt: seed.updated_at ? normalizeTimestamp(seed.updated_at, `deployment ${id} updated_at`) : createdAt,
      productionEnvironment: seed.production_environment ?? seed.environment === 'production',
      transientEnvironment: seed.transient_environment ?? false,
      creator,
      statuses: [],
    };
    this.register(d);
    this.ensureEnvironment(repo, original, createdAt);
    this.ensureEnvironment(repo, seed.environment, createdAt);
    // REST lists statuses newest first; store them oldest → newest.
    let previousEnv = original;
    for (const s of [...(seed.statuses ?? [])].reverse()) {
      const environment = s.environment ?? previousEnv;
      previousEnv = environment;
      const at = normalizeTimestamp(s.created_at, `deployment ${id} status created_at`);
      const logUrl = s.log_url || s.target_url || '';
      this.appendStatus(d, {
        ...(s.id !== undefined ? { id: s.id } : {}),
        ...(s.node_id !== undefined ? { nodeId: s.node_id } : {}),
        state: asState(s.state),
        description: s.description ?? '',
        environment,
        environmentUrl: s.environment_url ?? '',
        logUrl,
        targetUrl: s.target_url || logUrl,
        createdAt: at,
        updatedAt: s.updated_at ? normalizeTimestamp(s.updated_at, `deployment ${id} status updated_at`) : at,
        creator: s.creator === undefined ? creator : this.actor(typeof s.creator === 'string' ? s.creator : s.creator.login),
      });
      this.ensureEnvironment(repo, environment, at);
    }
    return d;
  }

  // ---- inspection ---------------------------------------------------------------------------

  snapshot(d: DeploymentRecord): EmulatedDeployment {
    return {
      id: d.id,
      node_id: d.nodeId,
      sha: d.sha,
      ref: d.ref,
      task: d.task,
      environment: d.environment,
      original_environment: d.originalEnvironment,
      description: d.description,
      payload: structuredClone(d.payload),
      created_at: d.createdAt,
      updated_at: d.updatedAt,
      production_environment: d.productionEnvironment,
      transient_environment: d.transientEnvironment,
      creator: d.creator.login,
      statuses: d.statuses.map((s): EmulatedStatus => ({
        id: s.id,
        node_id: s.nodeId,
        state: s.state,
        description: s.description,
        environment: s.environment,
        environment_url: s.environmentUrl,
        log_url: s.logUrl,
        target_url: s.targetUrl,
        created_at: s.createdAt,
        updated_at: s.updatedAt,
        creator: s.creator.login,
      })),
    };
  }
}
