/**
 * One sync or finalize of one Environment: the pure core decides, this shell does the
 * GitHub I/O it asks for. Nothing here keeps state that matters for correctness.
 */
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { applyWrites, type WriteResult } from '../core/apply-writes.js';
import { identityOf, secretsOf } from '../core/credentials.js';
import { describeInactivations, describeWrites, simulateWrites } from '../core/dry-run.js';
import { decideFinalize, decideSync, type DecideOptions, type DesiredState, type FinalizeDecision, type SyncOutcome } from '../core/decide.js';
import { creationNotShown, creationUnconfirmed, describeWrite, finalizePaced, publishingPaced, type GitHubProblem } from '../core/problems.js';
import { inactivations } from '../core/inactivation.js';
import { interpret, type Interpretation, type SpecCheck, type SyncContext } from '../core/interpret.js';
import { DEFAULT_NEAR_CHANGE_RESYNC_SECONDS } from '../core/freshness.js';
import { DEFAULT_EVENTS_FLOWING_WINDOW_SECONDS, eventMarks, eventsFlowing } from '../core/event-freshness.js';
import { kubeTime } from '../core/time.js';
import { deploymentsOf } from '../core/ledger.js';
import { paceWrites, planPublication, recordedViews, type PlannedWrite } from '../core/plan.js';
import { covers, ledgerView, readHorizon } from '../core/read-horizon.js';
import type { Ledger } from '../core/types.js';
import type { GitHubWrite, SyncRequest } from '../generated/hooks.js';
import type { GitHubClient, GitHubSession } from '../github/client.js';
import { classifyGitHubError, GitHubOperationError, heldProblem, isUnanswered } from '../github/errors.js';
import type { FleetReads } from '../github/fleet-reads.js';
import type { LedgerCache } from '../github/ledger-cache.js';
import { creationPending, untilTime } from '../core/unconfirmed.js';
import type { UnconfirmedCreation } from '../generated/environment.js';
import { GITHUB_PROCESSING_LIMIT_MS, UnconfirmedCreations } from '../github/unconfirmed-creations.js';

export interface ReconcilerDeps {
  github: GitHubClient;
  cache: LedgerCache;
  /** Batches the reads of many applications on one token (absent: each application reads alone). */
  fleet?: FleetReads;
  /** A sync's read joined a batched round already in flight (tests). */
  onJoinedRound?: () => void;
  /** The age of the shared GitHub read each sync used (metrics). */
  onDataAge?: (seconds: number) => void;
  checkSpec: SpecCheck;
  logger: Logger;
  dashboardUrl: string;
  syncBudgetMs: number;
  finalizeGiveUpSeconds: number;
  /** GitHub writes per sync; the rest of a backlog (a first sync of a long history) follows in the next syncs. */
  maxWritesPerSync: number;
  /** Resync interval while a change is near (core/freshness.ts); raised to the shared read's paced lifetime. */
  nearChangeResyncSeconds?: number;
  /** A repository whose Environments carry a GitHub event mark this recent gets no near-change polling (0: always). */
  eventsFlowingWindowSeconds?: number;
  /** Wall clock; only shows in the status where something changed (transition times). */
  now?: () => Date;
}

export interface SyncReport extends DesiredState {
  /** Reason of the Ready condition, for logs and metrics. */
  reason: string;
  writes: PlannedWrite[];
  writesDone: number;
}

/** What a run logs with: the warnings it meets. */
export type RunLogger = Pick<Logger, 'warn'>;

export interface RunOptions {
  /** Read GitHub, but only describe the writes (`githubWrites`) instead of making them. */
  dryRun?: boolean;
  /** Where this run logs (the request's logger, which carries its id); the service's logger by default. */
  logger?: RunLogger;
}

export interface DryRunReport {
  githubWrites?: GitHubWrite[];
}

/** Rejections of one entry: the other entries can still be published. */
const PER_ENTRY_REASONS = new Set(['RevisionNotFound', 'GitHubRejected', 'DeploymentNotCreated', 'DeploymentNotFound']);
const INACTIVE_DESCRIPTION = 'Environment deleted';
/** Rounding of status times to seconds, and clocks of replicas that differ by a few seconds. */
const UNCONFIRMED_SLACK_MS = 5_000;

export class Reconciler {
  private readonly now: () => Date;
  private readonly unconfirmed = new UnconfirmedCreations();

  constructor(private readonly deps: ReconcilerDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  async sync(request: SyncRequest, options: RunOptions = {}): Promise<SyncReport & DryRunReport> {
    const deadline = Date.now() + this.deps.syncBudgetMs;
    const log = options.logger ?? this.deps.logger;
    const interpretation = interpret(request, this.deps.checkSpec, { apiUrls: this.deps.github.apiUrls });
    if (!interpretation.ok) return this.report(interpretation, undefined, [], 0);
    const ctx = interpretation.context;
    const session = this.deps.github.session(ctx.credentials, ctx.owner, ctx.repo);
    const key = cacheKey(this.deps.github.apiUrlFor(ctx.credentials), ctx);
    const environmentUrl = this.environmentUrl(ctx);
    // GitHub reported news (a webhook delivery marked this Environment or one of its application): no read older than it will do.
    const marks = eventMarks(request, ctx);
    const notBeforeMs = this.deps.cache.readNotBeforeMs(marks.ledger);
    const resync = { nearChangeResyncSeconds: this.nearChangeSeconds(key), eventsFlowing: this.eventsFlowing(marks.repository) };
    this.deps.cache.noteEventsFlowing(key, resync.eventsFlowing);
    const heldMs = this.deps.github.holdRemainingMs(ctx.credentials);
    if (heldMs > 0) {
      // GitHub rate-limited the token: nothing is sent until the hold ends, and the sync answers from what it knows.
      const nowMs = this.now().getTime();
      const problem = heldProblem(nowMs + heldMs, nowMs);
      const known = this.deps.cache.lastKnown(key);
      return this.report(interpretation, known ? { ledger: known, writeProblem: problem } : { readProblem: problem }, [], 0, resync);
    }
    // A read that joined a batched round already in flight is as old as that round, like a shared one.
    let joinedRound = false;
    const horizon = readHorizon(ctx);
    const load = (startedAt: (ms: number) => void) =>
      this.readLedger(session, ctx, key, deadline, horizon, false, notBeforeMs, (roundStartedAt) => {
        joinedRound = true;
        startedAt(roundStartedAt);
        this.deps.onJoinedRound?.();
      });
    const loadFresh = () => this.readLedger(session, ctx, key, deadline, horizon, true);

    let ledger: Ledger;
    let writes: PlannedWrite[];
    try {
      const read = await this.deps.cache.read(key, load, notBeforeMs === undefined ? {} : { notBeforeMs });
      this.deps.onDataAge?.(read.ageMs / 1000);
      ledger = read.ledger;
      let shared = read.fromCache || joinedRound;
      if (!covers(ledger, horizon)) {
        // A shared read made for a sync that needed less history.
        ledger = (await this.deps.cache.read(key, loadFresh, { fresh: true })).ledger;
        shared = false;
      }
      // Every sync decides from the same part of the ledger, however much the read it got holds.
      ledger = ledgerView(ledger, horizon);
      writes = this.plan(ctx, ledger, environmentUrl);
      if (writes.length > 0 && shared) {
        // Never write from a shared, possibly stale read: another replica may have written since.
        ledger = ledgerView((await this.deps.cache.read(key, loadFresh, { fresh: true })).ledger, horizon);
        writes = this.plan(ctx, ledger, environmentUrl);
      }
    } catch (error) {
      return this.report(interpretation, { readProblem: this.classify(error, ctx, 'reading deployments', log) }, [], 0);
    }

    if (options.dryRun) {
      const simulated = simulateWrites(writes, kubeTime(this.now()));
      const report = this.report(interpretation, { ledger: applyWrites(ledger, ctx.environment, simulated) }, writes, 0, resync);
      return { ...report, githubWrites: describeWrites(writes, `${ctx.owner}/${ctx.repo}`) };
    }

    const results: WriteResult[] = [];
    let writeProblem: GitHubProblem | undefined;
    const paced = paceWrites(writes, this.deps.maxWritesPerSync);
    const creationKey = (entry: PlannedWrite | { id: number; version: { revision: string } }) =>
      'kind' in entry ? `${key}|${ctx.environment}|${entry.key.id}|${entry.key.revision}` : `${key}|${ctx.environment}|${entry.id}|${entry.version.revision}`;
    const observedUnconfirmed = ctx.observedStatus.unconfirmedCreations ?? [];
    // What the read shows is settled: a creation of ours it lists is no longer waited for.
    if (this.unconfirmed.size > 0) for (const d of deploymentsOf(ledger, ctx.environment)) this.unconfirmed.shown(creationKey(d.payload));
    for (const write of paced.now) {
      const pending =
        write.kind === 'createDeployment' &&
        (this.unconfirmed.pending(creationKey(write)) || creationPending(observedUnconfirmed, write.key, this.now().getTime(), this.unconfirmedWindowMs()));
      if (pending) {
        // An earlier creation (by this process, or by any replica as the status says) may still land: creating again could
        // duplicate it. Later entries wait too, to keep GitHub's order.
        writeProblem ??= this.unconfirmed.state(creationKey(write)) === 'confirmed' ? creationNotShown(write) : creationUnconfirmed(write);
        break;
      }
      try {
        await this.execute(session, write, deadline, results, creationKey(write));
      } catch (error) {
        const problem = this.classify(error, ctx, describeWrite(write), log);
        writeProblem ??= problem;
        if (!PER_ENTRY_REASONS.has(problem.reason)) break;
      }
    }
    if (!writeProblem && paced.later.length > 0) writeProblem = publishingPaced(paced.later.length, writes.length, this.deps.maxWritesPerSync);
    const outcome: SyncOutcome = { ledger: applyWrites(ledger, ctx.environment, results) };
    if (writes.length > 0) {
      this.deps.cache.invalidate(key);
      this.deps.cache.remember(key, outcome.ledger!);
    }
    if (writeProblem) outcome.writeProblem = writeProblem;
    const unconfirmed = this.stillUnconfirmed(paced.now, creationKey);
    if (unconfirmed.length > 0) outcome.unconfirmedCreations = unconfirmed;
    return this.report(interpretation, outcome, writes, results.length, resync);
  }

  async finalize(request: SyncRequest, options: RunOptions = {}): Promise<FinalizeDecision & { reason: string } & DryRunReport> {
    const deadline = Date.now() + this.deps.syncBudgetMs;
    const log = options.logger ?? this.deps.logger;
    const now = this.now();
    const interpretation = interpret(request, this.deps.checkSpec, { requireRollout: false, apiUrls: this.deps.github.apiUrls });
    if (!interpretation.ok) {
      // Nothing to mark without a usable spec or token (namespace deletion removes the Secret first).
      const decision = decideFinalize(interpretation.identity, { remaining: 0, problem: interpretation.problem, gaveUp: false }, kubeTime(now));
      return { ...decision, reason: interpretation.problem.reason, ...(options.dryRun ? { githubWrites: [] } : {}) };
    }
    const ctx = interpretation.context;
    const session = this.deps.github.session(ctx.credentials, ctx.owner, ctx.repo);
    const key = cacheKey(this.deps.github.apiUrlFor(ctx.credentials), ctx);
    const deletedFor = ctx.deletionTimestamp ? (now.getTime() - Date.parse(ctx.deletionTimestamp)) / 1000 : 0;
    const gaveUp = deletedFor >= this.deps.finalizeGiveUpSeconds;

    let remaining = 0;
    let problem: GitHubProblem | undefined;
    let githubWrites: GitHubWrite[] | undefined;
    const inactive = { state: 'inactive', description: INACTIVE_DESCRIPTION, environmentUrl: '' } as const;
    const heldMs = this.deps.github.holdRemainingMs(ctx.credentials);
    try {
      // Nothing is sent while GitHub has the token on hold (a rate limit): finalize comes back when it ends.
      if (heldMs > 0) throw new GitHubOperationError(heldProblem(now.getTime() + heldMs, now.getTime()));
      const { ledger } = await this.deps.cache.read(key, () => this.readLedger(session, ctx, key, deadline, undefined, true), { fresh: true });
      // Only the writes that change what GitHub shows, at most MAX_WRITES_PER_SYNC per call like a sync's.
      const marks = inactivations(deploymentsOf(ledger, ctx.environment));
      const thisCall = marks.slice(0, this.deps.maxWritesPerSync);
      remaining = marks.length;
      if (options.dryRun) {
        githubWrites = describeInactivations(thisCall, inactive);
        remaining -= thisCall.length;
      } else {
        for (const deployment of thisCall) {
          await session.postStatus(deployment.nodeId, inactive, deadline);
          remaining--;
        }
      }
      if (remaining > 0) problem = finalizePaced(thisCall.length, this.deps.maxWritesPerSync);
    } catch (error) {
      problem = heldMs > 0 ? (error as GitHubOperationError).problem : this.classify(error, ctx, 'marking deployments inactive', log);
      remaining = Math.max(remaining, 1);
    } finally {
      this.deps.cache.invalidate(key);
    }
    if (problem && problem.reason !== 'FinalizePaced' && gaveUp) {
      log.warn(
        { environment: `${ctx.namespace}/${ctx.name}`, reason: problem.reason, deletedForSeconds: Math.round(deletedFor) },
        'finalizing without marking GitHub deployments inactive: GitHub stayed unreachable past the give-up window',
      );
    }
    const decision = decideFinalize(ctx, { remaining, gaveUp, ...(problem ? { problem } : {}) }, kubeTime(now));
    return { ...decision, reason: problem?.reason ?? 'Finalized', ...(options.dryRun ? { githubWrites: githubWrites ?? [] } : {}) };
  }

  /** Whether GitHub events reach this cluster for the repository: then its next status comes as a nudge, not by fast polling. */
  private eventsFlowing(repositoryMarks: Parameters<typeof eventsFlowing>[0]): boolean {
    const window = this.deps.eventsFlowingWindowSeconds ?? DEFAULT_EVENTS_FLOWING_WINDOW_SECONDS;
    return eventsFlowing(repositoryMarks, this.now().getTime(), window);
  }

  /** Syncing sooner than the token's budget lets a shared read be kept would only re-read the same read. */
  private nearChangeSeconds(key: string): number {
    const configured = this.deps.nearChangeResyncSeconds ?? DEFAULT_NEAR_CHANGE_RESYNC_SECONDS;
    return Math.max(configured, this.deps.cache.pacedLifetimeMs(key) / 1000);
  }

  private plan(ctx: SyncContext, ledger: Ledger, environmentUrl: string): PlannedWrite[] {
    return planPublication({
      specName: ctx.application,
      environment: ctx.environment,
      relationship: ctx.relationship,
      history: ctx.history,
      deployments: deploymentsOf(ledger, ctx.environment),
      environmentUrl,
      previousViews: recordedViews(ctx.observedStatus, ctx.environment),
    });
  }

  private async readLedger(
    session: GitHubSession,
    ctx: SyncContext,
    key: string,
    deadline: number,
    since: string | undefined,
    fresh = false,
    notBeforeMs?: number,
    onJoined?: (roundStartedAtMs: number) => void,
  ): Promise<Ledger> {
    since = this.deps.cache.readSince(key, since);
    const known = new Set<string>(this.deps.cache.knownEnvironments(key));
    known.add(ctx.environment);
    for (const env of ctx.siblings.keys()) known.add(env);
    if (ctx.relationship) known.add(ctx.relationship.environment);
    for (const info of ctx.observedStatus.environmentInfos ?? []) if (typeof info.environment === 'string') known.add(info.environment);
    const fleet = this.deps.fleet;
    if (fleet) {
      const target = {
        key,
        tokenKey: this.deps.github.budgetKey(ctx.credentials),
        session,
        repositoryKey: repositoryKey(key),
        specName: ctx.application,
        ...(since !== undefined ? { since } : {}),
        ...(notBeforeMs === undefined ? {} : { notBeforeMs }),
      };
      return fleet.read({ ...target, knownEnvironments: [...known] }, deadline, fresh, onJoined);
    }
    const statusWindows = this.deps.cache.statusWindows(key);
    const deploymentCounts = this.deps.cache.deploymentCounts(key);
    const result = await session.readLedger({
      specName: ctx.application,
      knownEnvironments: [...known],
      deadline,
      ...(since !== undefined ? { since } : {}),
      ...(statusWindows ? { statusWindows } : {}),
      ...(deploymentCounts ? { deploymentCounts } : {}),
    });
    this.deps.cache.keepStatusWindows(key, result.statusWindows);
    this.deps.cache.keepDeploymentCounts(key, result.deploymentCounts);
    this.deps.cache.noteRead(key, this.deps.github.budgetKey(ctx.credentials), result.points, result.budget);
    return result.ledger;
  }

  /** Appends what succeeded to `results` before any failure propagates. */
  private async execute(session: GitHubSession, write: PlannedWrite, deadline: number, results: WriteResult[], creationKey: string): Promise<void> {
    if (write.kind === 'postStatus') {
      results.push({ write, status: await session.postStatus(write.deploymentId, write.status, deadline) });
      return;
    }
    if (Date.now() >= deadline)
      throw new GitHubOperationError({ reason: 'GitHubTimeout', message: 'The sync ran out of time before GitHub answered', transient: true });
    // The creation gets the full GitHub request timeout even past the sync deadline; the hook answers at the deadline.
    const settleBy = Date.now() + this.deps.github.options.timeoutMs;
    const creation = session.createDeployment(write.body, settleBy);
    const created: WriteResult = { write, deployment: await this.unconfirmed.track(creationKey, creation, deadline, settleBy, isUnanswered) };
    results.push(created);
    // The first status right away: a deployment without one counts as abandoned after 30 minutes.
    created.status = await session.postStatus(created.deployment.nodeId, write.status, deadline);
  }

  /** Creations of this sync's entries that may still land, for the status (any replica's next sync honours them). */
  private stillUnconfirmed(writes: PlannedWrite[], creationKey: (write: PlannedWrite) => string): UnconfirmedCreation[] {
    const now = this.now().getTime();
    return writes.flatMap((write) => {
      const remaining = write.kind === 'createDeployment' ? this.unconfirmed.remainingMs(creationKey(write)) : undefined;
      return remaining === undefined ? [] : [{ id: write.key.id, revision: write.key.revision, until: untilTime(now + remaining) }];
    });
  }

  /** The longest a creation stays open: its request timeout, then GitHub's processing limit. */
  private unconfirmedWindowMs(): number {
    return this.deps.github.options.timeoutMs + GITHUB_PROCESSING_LIMIT_MS + UNCONFIRMED_SLACK_MS;
  }

  private environmentUrl(ctx: SyncContext): string {
    const base = this.deps.dashboardUrl || ctx.discoveredDashboardUrl;
    return base ? `${base}/rollouts/${ctx.namespace}/${ctx.rolloutName}` : '';
  }

  private classify(error: unknown, ctx: SyncContext, operation: string, log: RunLogger): GitHubProblem {
    const problem = classifyGitHubError(error, {
      operation,
      repository: `${ctx.owner}/${ctx.repo}`,
      nowMs: this.now().getTime(),
      secrets: secretsOf(ctx.credentials),
    });
    log.warn({ environment: `${ctx.namespace}/${ctx.name}`, reason: problem.reason, operation }, problem.message);
    return problem;
  }

  private report(
    interpretation: Interpretation,
    outcome: SyncOutcome | undefined,
    writes: PlannedWrite[],
    writesDone: number,
    resync: Pick<DecideOptions, 'nearChangeResyncSeconds' | 'eventsFlowing'> = {},
  ): SyncReport {
    const ctx = interpretation.ok ? interpretation.context : undefined;
    const desired = decideSync(interpretation, outcome, {
      now: kubeTime(this.now()),
      localEnvironmentUrl: ctx ? this.environmentUrl(ctx) : '',
      unconfirmedWindowMs: this.unconfirmedWindowMs(),
      ...resync,
    });
    const ready = desired.status.conditions?.find((c) => c.type === 'Ready');
    return { ...desired, reason: ready?.reason ?? 'Unknown', writes, writesDone };
  }
}

/** Reads are shared per GitHub, repository, application and credentials (never across tokens or Apps). */
function cacheKey(apiUrl: string, ctx: SyncContext): string {
  return `${apiUrl}|${ctx.owner.toLowerCase()}/${ctx.repo.toLowerCase()}|${ctx.application.replace(/^kuberik\//, '')}|${tokenId(ctx)}`;
}

/** The API and repository of a cache key: applications with the same one share a part of a batched read. */
function repositoryKey(key: string): string {
  return key.split('|').slice(0, 2).join('|');
}

function tokenId(ctx: SyncContext): string {
  return createHash('sha256').update(identityOf(ctx.credentials)).digest('hex').slice(0, 16);
}
