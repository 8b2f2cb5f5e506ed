/**
 * What to fetch next when reading the ledgers of one repository's applications: a step
 * that turns each GitHub answer into the next request's plan, without doing any I/O. The
 * request loop (client.ts for one repository, fleet-reads.ts for many in one query) only
 * sends plans and hands the answers back.
 *
 * The first request lists the repository's environments (discovery) and reads the known
 * environments' deployments; discovered environments, further pages and the status windows
 * of deployments whose latest status changed follow.
 *
 * Connections: a connection pages sequentially, PAGE_SIZE deployments per page, so
 * environments share one only while the deployments the previous read found in them fit one
 * page together; one known to fill a page gets its own (its first page comes in the first
 * request). Environments without a count (a cold read, discovery) share up to
 * MAX_ENVIRONMENTS_PER_CONNECTION per connection.
 */
import { newestRecognisable } from '../core/bake-status.js';
import { MIN_PER_ENVIRONMENT } from '../core/history-bound.js';
import { belongsToApplication, deploymentTask, githubEnvironment, shortEnvironment } from '../core/naming.js';
import type { Ledger, LedgerDeployment, LedgerStatus } from '../core/types.js';
import { GitHubOperationError } from './errors.js';
import {
  PAGE_SIZE,
  sortStatuses,
  toLedgerDeployment,
  toStatus,
  type DeploymentPageRequest,
  type LedgerQueryPlan,
  type RawDeployment,
  type RawDeploymentPage,
  type RawRepository,
  type RawStatusConnection,
  type RawStatusPage,
  type StatusPageRequest,
} from './ledger-query.js';
import { latestFingerprint, type StatusWindow, type StatusWindows } from './status-windows.js';

/** Aliased connections per request: 100 × 100 deployments, or 100 status windows, stay far below GitHub's node limit. */
export const MAX_ALIASES = 100;
/**
 * Environment names one deployments connection filters by at most: a connection is one
 * request in GitHub's cost formula however many it names, but pages sequentially, so a large
 * application's environments are spread over several connections of one request.
 */
export const MAX_ENVIRONMENTS_PER_CONNECTION = 10;

export interface LedgerReadApplication {
  specName: string;
  /** Short names worth fetching in the first request (discovery adds the rest). */
  knownEnvironments: readonly string[];
  /** Deployments the previous read found per short environment name (`deploymentCounts` of its result); absent ones are not known. */
  deploymentCounts?: Readonly<Record<string, number>>;
  /** The oldest creation time the application's syncs need (core/read-horizon.ts); absent: all of history. */
  since?: string;
}

export interface LedgerReadInput {
  /** Applications of one repository read together (one connection for all their environments). */
  applications: readonly LedgerReadApplication[];
  /** Windows of an earlier read, used where a deployment's latest status still matches; without them the read is cold. */
  statusWindows?: StatusWindows;
  /**
   * Select each deployment's window inline on a cold read: one request, about a point per
   * environment. A batched read leaves it off: a follow-up request by node id costs far less there.
   */
  inlineWindows?: boolean;
}

export interface ApplicationLedger {
  ledger: Ledger;
  /** The windows of this read's deployments, for the next read. */
  statusWindows: Map<string, StatusWindow>;
  /** Deployments GitHub listed per short environment name (any task), for the next read's connections. */
  deploymentCounts: Record<string, number>;
}

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The connections of the first request for `environments` (full names): those with a count
 * packed first-fit by decreasing count while their sum fits one page and at most
 * MAX_ENVIRONMENTS_PER_CONNECTION share one; the rest in sorted runs of that many.
 * Each connection's names sorted; connections ordered by their first name.
 */
export function planConnections(environments: readonly string[], counts: ReadonlyMap<string, number>): string[][] {
  const counted = environments.filter((env) => counts.has(env));
  const uncounted = environments.filter((env) => !counts.has(env)).sort(byName);
  const bins: { environments: string[]; deployments: number }[] = [];
  for (const env of [...counted].sort((a, b) => counts.get(b)! - counts.get(a)! || byName(a, b))) {
    const n = counts.get(env)!;
    const bin = bins.find((b) => b.deployments + n <= PAGE_SIZE && b.environments.length < MAX_ENVIRONMENTS_PER_CONNECTION);
    if (bin) {
      bin.environments.push(env);
      bin.deployments += n;
    } else bins.push({ environments: [env], deployments: n });
  }
  const connections = bins.map((b) => b.environments.sort(byName));
  for (let i = 0; i < uncounted.length; i += MAX_ENVIRONMENTS_PER_CONNECTION) connections.push(uncounted.slice(i, i + MAX_ENVIRONMENTS_PER_CONNECTION));
  return connections.sort((a, b) => byName(a[0]!, b[0]!));
}

export class LedgerRead {
  private readonly applications: readonly LedgerReadApplication[];
  private readonly queried = new Set<string>();
  private readonly discovered = new Set<string>();
  /** Environments enqueued since the last plan: they get a connection of their own. */
  private fresh: string[] = [];
  private deploymentPages: DeploymentPageRequest[] = [];
  private statusPages: StatusPageRequest[] = [];
  private readonly seen = new Set<string>();
  private readonly deployments = new Map<string, LedgerDeployment>();
  /** GitHub environment (full name) per deployment node id. */
  private readonly githubEnvironments = new Map<string, string>();
  /** Deployment nodes GitHub listed per GitHub environment (full name), whatever their task. */
  private readonly listed = new Map<string, number>();
  /** Latest-status fingerprint per deployment that has statuses. */
  private readonly latest = new Map<string, string>();
  private readonly awaitingWindow = new Map<string, { deployment: RawDeployment; environment: string; task: string }>();
  private readonly keptWindows: StatusWindows;
  private readonly inlineWindows: boolean;
  private listEnvironments = true;
  private environmentsAfter: string | undefined;
  /** This application's deployments read per GitHub environment (full name), for the paging rule. */
  private readonly decoded = new Map<string, number>();
  /** Environments whose connection stopped before GitHub's last page (their count is then at least a page). */
  private readonly truncated = new Set<string>();

  constructor(input: LedgerReadInput) {
    this.applications = input.applications;
    this.keptWindows = input.statusWindows ?? new Map<string, StatusWindow>();
    this.inlineWindows = input.statusWindows === undefined && input.inlineWindows !== false;
    const known = new Set<string>();
    const counts = new Map<string, number>();
    for (const app of input.applications) {
      for (const env of app.knownEnvironments) known.add(githubEnvironment(app.specName, env));
      for (const [env, n] of Object.entries(app.deploymentCounts ?? {})) counts.set(githubEnvironment(app.specName, env), n);
    }
    for (const environments of planConnections([...known], counts)) {
      for (const env of environments) this.queried.add(env);
      this.deploymentPages.push({ environments });
    }
  }

  /** The next request's plan; undefined when the read is complete. */
  next(): LedgerQueryPlan | undefined {
    for (let i = 0; i < this.fresh.length; i += MAX_ENVIRONMENTS_PER_CONNECTION) {
      this.deploymentPages.push({ environments: this.fresh.slice(i, i + MAX_ENVIRONMENTS_PER_CONNECTION) });
    }
    this.fresh = [];
    if (!this.listEnvironments && this.deploymentPages.length === 0 && this.statusPages.length === 0) return undefined;
    const deployments = this.deploymentPages.slice(0, MAX_ALIASES);
    this.deploymentPages = this.deploymentPages.slice(deployments.length);
    const statusPages = this.statusPages.slice(0, MAX_ALIASES);
    this.statusPages = this.statusPages.slice(statusPages.length);
    return {
      listEnvironments: this.listEnvironments,
      deployments,
      statusPages,
      inlineWindows: this.inlineWindows,
      ...(this.environmentsAfter ? { environmentsAfter: this.environmentsAfter } : {}),
    };
  }

  /** GitHub's answer to `plan`: the repository field and the status pages, in the plan's order. */
  absorb(plan: LedgerQueryPlan, repository: RawRepository | null | undefined, statusNodes: readonly (RawStatusPage | null | undefined)[], name: string): void {
    if (!repository) {
      throw new GitHubOperationError({
        reason: 'RepositoryNotFound',
        message: `Repository ${name} was not found or the token cannot read it`,
        transient: false,
      });
    }
    if (plan.listEnvironments) {
      const envs = repository.environments;
      const names = [...(envs?.nodes ?? []).map((n) => n.name), ...(repository.recent?.nodes ?? []).map((n) => n.environment ?? '')];
      for (const env of names) {
        if (!this.applications.some((app) => belongsToApplication(app.specName, env))) continue;
        this.discovered.add(env);
        this.enqueue(env);
      }
      this.listEnvironments = envs?.pageInfo.hasNextPage === true;
      this.environmentsAfter = envs?.pageInfo.endCursor ?? undefined;
    }
    plan.deployments.forEach((page, i) => this.absorbDeployments(page, repository[`d${i}`] as RawDeploymentPage | null | undefined));
    plan.statusPages.forEach((page, i) => this.absorbStatuses(page, statusNodes[i]));
  }

  /** A deployment GitHub no longer finds (deleted since it was listed): it is not in the ledger, and its statuses are not read. */
  deleted(deploymentId: string): void {
    this.deployments.delete(deploymentId);
    this.awaitingWindow.delete(deploymentId);
    this.latest.delete(deploymentId);
  }

  /** Per application (by spec name): its ledger and windows. */
  results(): Map<string, ApplicationLedger> {
    const out = new Map<string, ApplicationLedger>();
    for (const app of this.applications) {
      const mine = (env: string) => belongsToApplication(app.specName, env);
      // By environment, each in GitHub's order (newest first): the same ledger however the connections were split.
      const deployments = [...this.deployments.values()]
        .filter((d) => mine(this.githubEnvironments.get(d.nodeId) ?? ''))
        .sort((a, b) => (a.environment < b.environment ? -1 : a.environment > b.environment ? 1 : 0));
      const environments = new Set<string>([...this.discovered].filter(mine).map(shortEnvironment));
      for (const d of deployments) environments.add(d.environment);
      const statusWindows = new Map<string, StatusWindow>();
      for (const d of deployments) {
        const fingerprint = this.latest.get(d.nodeId);
        if (fingerprint !== undefined) statusWindows.set(d.nodeId, { latest: fingerprint, statuses: [...d.statuses] });
      }
      const deploymentCounts: Record<string, number> = {};
      for (const env of [...this.queried].filter(mine).sort(byName)) {
        const listed = this.listed.get(env) ?? 0;
        deploymentCounts[shortEnvironment(env)] = this.truncated.has(env) ? Math.max(listed, PAGE_SIZE) : listed;
      }
      const ledger: Ledger = { environments: [...environments].sort(), deployments };
      if (app.since !== undefined) ledger.readSince = app.since;
      out.set(app.specName, { ledger, statusWindows, deploymentCounts });
    }
    return out;
  }

  private enqueue(githubEnv: string): void {
    if (this.queried.has(githubEnv)) return;
    this.queried.add(githubEnv);
    this.fresh.push(githubEnv);
  }

  /** Pages older statuses only when none of the window's is ours, as the window alone cannot decide. */
  private pageBeyondWindow(id: string, statuses: readonly LedgerStatus[], window: RawStatusConnection): void {
    if (!newestRecognisable(statuses) && (window.totalCount ?? 0) > window.nodes.length && window.pageInfo.hasPreviousPage && window.pageInfo.startCursor) {
      this.statusPages.push({ deploymentId: id, before: window.pageInfo.startCursor });
    }
  }

  private absorbDeployments(page: DeploymentPageRequest, connection: RawDeploymentPage | null | undefined): void {
    if (!connection) return;
    for (const node of connection.nodes) {
      if (this.seen.has(node.id)) continue;
      this.seen.add(node.id);
      // GitHub matches environment names without regard to case: the name asked for is the one kept.
      const named = node.environment?.toLowerCase();
      const environment =
        named === undefined ? (page.environments.length === 1 ? page.environments[0] : undefined) : page.environments.find((e) => e.toLowerCase() === named);
      if (environment !== undefined) this.listed.set(environment, (this.listed.get(environment) ?? 0) + 1);
      const app = environment === undefined ? undefined : this.applications.find((a) => belongsToApplication(a.specName, environment));
      if (environment === undefined || !app) continue;
      const decoded = toLedgerDeployment(node, environment, deploymentTask(app.specName));
      if (!decoded || this.beyondNeed(environment, app, node)) continue;
      this.deployments.set(node.id, decoded);
      this.githubEnvironments.set(node.id, environment);
      this.decoded.set(environment, (this.decoded.get(environment) ?? 0) + 1);
      if (!node.latestStatus) continue; // no statuses at all
      const fingerprint = latestFingerprint(node.latestStatus);
      this.latest.set(node.id, fingerprint);
      const kept = this.keptWindows.get(node.id);
      if (kept?.latest === fingerprint) {
        this.deployments.set(node.id, { ...decoded, statuses: [...kept.statuses] });
      } else if (node.statuses) {
        this.pageBeyondWindow(node.id, decoded.statuses, node.statuses);
      } else {
        this.awaitingWindow.set(node.id, { deployment: node, environment, task: deploymentTask(app.specName) });
        this.statusPages.push({ deploymentId: node.id });
      }
    }
    if (connection.pageInfo.hasNextPage && connection.pageInfo.endCursor) {
      if (this.needsOlder(page.environments, connection.nodes)) {
        this.deploymentPages.push({ environments: page.environments, after: connection.pageInfo.endCursor });
      } else for (const env of page.environments) this.truncated.add(env);
    }
  }

  /**
   * A deployment no sync of `app` decides from (read-horizon.ts ledgerView): older than its
   * horizon, below the newest MIN_PER_ENVIRONMENT of its environment. It is left out of the
   * ledger, and its statuses are not fetched.
   */
  private beyondNeed(environment: string, app: LedgerReadApplication, node: RawDeployment): boolean {
    if (app.since === undefined || Date.parse(node.createdAt) >= Date.parse(app.since)) return false;
    return (this.decoded.get(environment) ?? 0) >= MIN_PER_ENVIRONMENT;
  }

  /**
   * Whether a connection pages on (newest first): until its page is older than the horizon of
   * every application it reads and holds MIN_PER_ENVIRONMENT deployments of each of its environments.
   */
  private needsOlder(environments: readonly string[], nodes: readonly RawDeployment[]): boolean {
    const oldest = nodes.at(-1);
    if (!oldest) return true;
    for (const env of environments) {
      const since = this.applications.find((a) => belongsToApplication(a.specName, env))?.since;
      if (since === undefined || Date.parse(oldest.createdAt) >= Date.parse(since)) return true;
      if ((this.decoded.get(env) ?? 0) < MIN_PER_ENVIRONMENT) return true;
    }
    return false;
  }

  private absorbStatuses(page: StatusPageRequest, node: RawStatusPage | null | undefined): void {
    const id = page.deploymentId;
    const deployment = this.deployments.get(id);
    if (!deployment) return;
    if (page.before === undefined) {
      const first = this.awaitingWindow.get(id);
      this.awaitingWindow.delete(id);
      if (!node?.statuses || !first) {
        // Deleted since the main read, or GitHub could not say: no decision on a deployment without its statuses.
        throw new GitHubOperationError({
          reason: 'GitHubPartialResponse',
          message: 'GitHub did not return the statuses of a deployment it had just listed',
          transient: true,
        });
      }
      const window = node.statuses;
      const decoded = toLedgerDeployment({ ...first.deployment, statuses: window }, first.environment, first.task)!;
      this.deployments.set(id, decoded);
      this.pageBeyondWindow(id, decoded.statuses, window);
      return;
    }
    if (!node?.statuses) return;
    const statuses: LedgerStatus[] = sortStatuses([...deployment.statuses, ...node.statuses.nodes.map(toStatus)]);
    this.deployments.set(id, { ...deployment, statuses });
    const more = node.statuses.pageInfo;
    if (!newestRecognisable(statuses) && more.hasPreviousPage && more.startCursor) {
      this.statusPages.push({ deploymentId: id, before: more.startCursor });
    }
  }
}
