/**
 * Prometheus metrics of one service instance, in its own Registry (never prom-client's
 * global one, so several apps in one process — tests — do not share counters).
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { GitHubRequestEvent, RateLimitEvent } from './github/client.js';
import type { RejectionCode } from './hooks/errors.js';

export type Hook = 'customize' | 'sync' | 'finalize';
/** `ok` 2xx, `rejected` 4xx (a malformed request), `error` 5xx. */
export type HookOutcome = 'ok' | 'rejected' | 'error';

const PREFIX = 'environment_sync_';

export class Metrics {
  readonly registry = new Registry();
  private readonly hookRequests = new Counter({
    name: `${PREFIX}hook_requests_total`,
    help: 'Hook requests by hook (customize, sync, finalize) and outcome (ok: 2xx, rejected: 4xx, error: 5xx); rejected ones by the error code of the answer.',
    labelNames: ['hook', 'outcome', 'error'] as const,
    registers: [this.registry],
  });
  private readonly syncDuration = new Histogram({
    name: `${PREFIX}sync_duration_seconds`,
    help: 'Time to answer /sync and /finalize, GitHub requests included.',
    labelNames: ['hook'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10],
    registers: [this.registry],
  });
  private readonly syncs = new Counter({
    name: `${PREFIX}syncs_total`,
    help: 'Answered syncs and finalizes by the reason of their Ready condition (Synced, GitHubRateLimited, …).',
    labelNames: ['hook', 'reason'] as const,
    registers: [this.registry],
  });
  private readonly githubRequests = new Counter({
    name: `${PREFIX}github_requests_total`,
    help: 'GitHub requests by API (graphql, rest), operation and HTTP status (timeout / unreachable when none came).',
    labelNames: ['api', 'operation', 'status'] as const,
    registers: [this.registry],
  });
  private readonly deploymentsCreated = new Counter({
    name: `${PREFIX}github_deployments_created_total`,
    help: 'GitHub deployments created (one per new Rollout history entry).',
    registers: [this.registry],
  });
  private readonly statusesCreated = new Counter({
    name: `${PREFIX}github_deployment_statuses_created_total`,
    help: 'GitHub deployment statuses posted (bake-state changes and deletions).',
    registers: [this.registry],
  });
  private readonly rateLimitRemaining = new Gauge({
    name: `${PREFIX}github_rate_limit_remaining`,
    help: 'Last seen x-ratelimit-remaining by GitHub rate-limit resource (core, graphql, …), over all tokens this instance uses.',
    labelNames: ['resource'] as const,
    registers: [this.registry],
  });

  private sharedReadLifetime: () => number = () => 0;
  private readonly sharedReadLifetimeGauge = new Gauge({
    name: `${PREFIX}shared_read_lifetime_seconds`,
    help: 'Longest time a current shared GitHub read is kept: LEDGER_CACHE_TTL_MS, longer while a token spends its GraphQL budget faster than it lasts (up to LEDGER_CACHE_MAX_TTL_MS); 0 when no read is shared.',
    registers: [this.registry],
    collect: (): void => this.sharedReadLifetimeGauge.set(this.sharedReadLifetime()),
  });

  /** Oldest shared read a sync used since the last scrape; the last value stays until a sync comes. */
  private dataAgeSince: number | undefined;
  private readonly dataAgeGauge = new Gauge({
    name: `${PREFIX}github_data_age_seconds`,
    help: 'Age of the oldest shared GitHub read a sync used since the previous scrape: how late a gate can be to show an upstream change. Bounded by LEDGER_CACHE_TTL_MS, longer while a token spends its budget too fast.',
    registers: [this.registry],
    collect: (): void => {
      if (this.dataAgeSince !== undefined) this.dataAgeGauge.set(this.dataAgeSince);
      this.dataAgeSince = undefined;
    },
  });

  constructor(options: { processMetrics?: boolean } = {}) {
    if (options.processMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }

  /** One answered hook request: its HTTP status, the seconds from its arrival to the last byte of the answer, and a 4xx's error code. */
  hookAnswered(hook: Hook, statusCode: number, seconds: number, rejection?: RejectionCode): void {
    const outcome: HookOutcome = statusCode >= 500 ? 'error' : statusCode >= 400 ? 'rejected' : 'ok';
    this.hookRequests.inc(outcome === 'rejected' ? { hook, outcome, error: rejection ?? 'BadRequest' } : { hook, outcome });
    if (hook !== 'customize' && outcome === 'ok') this.syncDuration.observe({ hook }, seconds);
  }

  syncAnswered(hook: 'sync' | 'finalize', reason: string): void {
    this.syncs.inc({ hook, reason });
  }

  githubRequest(event: GitHubRequestEvent): void {
    this.githubRequests.inc({ api: event.api, operation: event.operation, status: event.status });
    if (!event.ok) return;
    if (event.operation === 'CreateDeployment') this.deploymentsCreated.inc();
    if (event.operation === 'PostDeploymentStatus') this.statusesCreated.inc();
  }

  /** The age of the shared read a sync used. */
  dataAge(seconds: number): void {
    this.dataAgeSince = Math.max(this.dataAgeSince ?? 0, seconds);
  }

  /** Where the shared-read lifetime gauge reads its value at scrape time. */
  observeSharedReadLifetime(seconds: () => number): void {
    this.sharedReadLifetime = seconds;
  }

  rateLimit(event: RateLimitEvent): void {
    this.rateLimitRemaining.set({ resource: event.resource }, event.remaining);
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
