/**
 * Webhook deliveries as GitHub sends them: after a deployment or a (non-inactive) deployment
 * status is created, a POST to every configured URL with `X-GitHub-Event`,
 * `X-GitHub-Delivery` (a GUID), `X-Hub-Signature-256` (HMAC-SHA256 of the body with the
 * hook's secret) and the JSON payload GitHub documents for `deployment` / `deployment_status`
 * (action `created`). GitHub fires no event for `inactive` statuses and does not retry a
 * failed delivery on its own; neither does this.
 */
import { createHmac, randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { request } from 'undici';
import { restDeployment, restStatus, restUser, type RestContext } from './rest.js';
import type { DeploymentRecord, RepoRecord, StatusRecord } from './store.js';

export interface WebhookTarget {
  url: string;
  secret: string;
  /** Events to send (default: deployment and deployment_status). */
  events?: string[];
}

export interface RecordedDelivery {
  id: string;
  event: string;
  url: string;
  /** The receiver's HTTP status, `dropped` (never sent, by `dropDeliveries`) or `error` (no answer). */
  outcome: number | 'dropped' | 'error';
}

/** GitHub waits 10 s for an answer, then counts the delivery as failed. */
const DELIVERY_TIMEOUT_MS = 10_000;

export class WebhookSender {
  private readonly targets: WebhookTarget[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  readonly deliveries: RecordedDelivery[] = [];
  /** Deliveries to lose (true: all), as when GitHub cannot reach the receiver. */
  dropDeliveries: boolean | ((event: string, payload: Record<string, unknown>) => boolean) = false;
  private hookId = 400_000_001;

  constructor(private readonly logger?: Logger) {}

  addTarget(target: WebhookTarget): void {
    this.targets.push(target);
  }

  clearTargets(): void {
    this.targets.length = 0;
  }

  get enabled(): boolean {
    return this.targets.length > 0;
  }

  deploymentCreated(d: DeploymentRecord, ctx: RestContext): void {
    if (!this.enabled) return;
    this.send('deployment', { action: 'created', deployment: restDeployment(d, ctx), workflow: null, workflow_run: null, ...this.context(d.repo, ctx) });
  }

  statusCreated(s: StatusRecord, ctx: RestContext): void {
    if (!this.enabled || s.state === 'inactive') return;
    this.send('deployment_status', {
      action: 'created',
      deployment_status: restStatus(s, ctx),
      deployment: restDeployment(s.deployment, ctx),
      ...this.context(s.deployment.repo, ctx),
    });
  }

  /** Resolves once every delivery sent so far has been answered (or has failed). */
  async settle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  private context(repo: RepoRecord, ctx: RestContext) {
    return { repository: restRepository(repo, ctx), sender: restUser(ctx.actor, ctx) };
  }

  private send(event: string, payload: Record<string, unknown>): void {
    const body = JSON.stringify(payload);
    for (const target of this.targets) {
      if (!(target.events ?? ['deployment', 'deployment_status']).includes(event)) continue;
      const id = randomUUID();
      const drop = typeof this.dropDeliveries === 'function' ? this.dropDeliveries(event, payload) : this.dropDeliveries;
      if (drop) {
        this.deliveries.push({ id, event, url: target.url, outcome: 'dropped' });
        continue;
      }
      const delivery = this.post(target, event, id, body).finally(() => this.inFlight.delete(delivery));
      this.inFlight.add(delivery);
    }
  }

  private async post(target: WebhookTarget, event: string, id: string, body: string): Promise<void> {
    const record: RecordedDelivery = { id, event, url: target.url, outcome: 'error' };
    this.deliveries.push(record);
    try {
      const response = await request(target.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'GitHub-Hookshot/emulator',
          'x-github-event': event,
          'x-github-delivery': id,
          'x-github-hook-id': String(this.hookId),
          'x-github-hook-installation-target-type': 'repository',
          'x-hub-signature-256': `sha256=${createHmac('sha256', target.secret).update(body).digest('hex')}`,
        },
        body,
        headersTimeout: DELIVERY_TIMEOUT_MS,
        bodyTimeout: DELIVERY_TIMEOUT_MS,
      });
      await response.body.dump();
      record.outcome = response.statusCode;
    } catch (error) {
      this.logger?.debug({ delivery: id, url: target.url, error: error instanceof Error ? error.message : String(error) }, 'github emulator: delivery failed');
    }
  }
}

/** The `repository` object of a webhook payload (GitHub's full repository shape). */
export function restRepository(repo: RepoRecord, ctx: RestContext) {
  const url = `${ctx.apiBase}/repos/${repo.fullName}`;
  const html = `${ctx.webBase}/${repo.fullName}`;
  const owner = ctx.store.actor(repo.owner);
  return {
    id: repo.dbId,
    node_id: repo.nodeId,
    name: repo.name,
    full_name: repo.fullName,
    private: true,
    owner: restUser(owner, ctx),
    html_url: html,
    description: null,
    fork: false,
    url,
    forks_url: `${url}/forks`,
    keys_url: `${url}/keys{/key_id}`,
    collaborators_url: `${url}/collaborators{/collaborator}`,
    teams_url: `${url}/teams`,
    hooks_url: `${url}/hooks`,
    issue_events_url: `${url}/issues/events{/number}`,
    events_url: `${url}/events`,
    assignees_url: `${url}/assignees{/user}`,
    branches_url: `${url}/branches{/branch}`,
    tags_url: `${url}/tags`,
    blobs_url: `${url}/git/blobs{/sha}`,
    git_tags_url: `${url}/git/tags{/sha}`,
    git_refs_url: `${url}/git/refs{/sha}`,
    trees_url: `${url}/git/trees{/sha}`,
    statuses_url: `${url}/statuses/{sha}`,
    languages_url: `${url}/languages`,
    stargazers_url: `${url}/stargazers`,
    contributors_url: `${url}/contributors`,
    subscribers_url: `${url}/subscribers`,
    subscription_url: `${url}/subscription`,
    commits_url: `${url}/commits{/sha}`,
    git_commits_url: `${url}/git/commits{/sha}`,
    comments_url: `${url}/comments{/number}`,
    issue_comment_url: `${url}/issues/comments{/number}`,
    contents_url: `${url}/contents/{+path}`,
    compare_url: `${url}/compare/{base}...{head}`,
    merges_url: `${url}/merges`,
    archive_url: `${url}/{archive_format}{/ref}`,
    downloads_url: `${url}/downloads`,
    issues_url: `${url}/issues{/number}`,
    pulls_url: `${url}/pulls{/number}`,
    milestones_url: `${url}/milestones{/number}`,
    notifications_url: `${url}/notifications{?since,all,participating}`,
    labels_url: `${url}/labels{/name}`,
    releases_url: `${url}/releases{/id}`,
    deployments_url: `${url}/deployments`,
    created_at: repo.createdAt,
    updated_at: repo.createdAt,
    pushed_at: repo.createdAt,
    git_url: `git://${new URL(ctx.webBase).host}/${repo.fullName}.git`,
    ssh_url: `git@${new URL(ctx.webBase).hostname}:${repo.fullName}.git`,
    clone_url: `${html}.git`,
    svn_url: html,
    homepage: null,
    size: 0,
    stargazers_count: 0,
    watchers_count: 0,
    language: null,
    has_issues: true,
    has_projects: true,
    has_downloads: true,
    has_wiki: true,
    has_pages: false,
    forks_count: 0,
    mirror_url: null,
    archived: false,
    disabled: false,
    open_issues_count: 0,
    license: null,
    forks: 0,
    open_issues: 0,
    watchers: 0,
    default_branch: 'main',
  };
}
