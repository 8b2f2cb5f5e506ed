/**
 * Public types of the GitHub emulator (dev server + integration-test double).
 * See ./README.md for the behaviours chosen where GitHub is undocumented.
 */
import type { Logger } from 'pino';

export interface EmulatorOptions {
  /** Accepted tokens ("Authorization: token X" or "bearer X"); undefined = any non-empty token. */
  tokens?: string[];
  /** Delay added before every response. */
  latencyMs?: number;
  /** Time source for created_at/updated_at and rate-limit windows; default real time. */
  clock?: () => Date;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (random free port). */
  port?: number;
  logger?: Logger;
  /** Login of the authenticated actor (deployment/status `creator`). Default "github-emulator". A login ending in "[bot]" is a Bot. */
  login?: string;
  /**
   * Primary rate limit per resource (graphql, core). Default 5000 and NOT enforced: when the budget
   * runs out the window silently restarts. With `enforceRateLimit: true` the emulator answers like
   * GitHub once `remaining` reaches 0 (REST 403, GraphQL 200 + RATE_LIMITED) until the window resets.
   */
  rateLimit?: number;
  enforceRateLimit?: boolean;
  /**
   * Whether a deployment to a new environment name creates a repository Environment (default
   * true). GitHub documents no guarantee either way; false checks clients do not rely on it.
   */
  createEnvironments?: boolean;
  /** Lifetime of installation tokens issued to GitHub Apps (default 3600, as GitHub). */
  installationTokenTtlSeconds?: number;
  /** Webhooks: signed `deployment` / `deployment_status` deliveries to these URLs (./webhooks.ts). */
  webhooks?: { url: string; secret: string; events?: string[] }[];
}

export type RestStatusState = 'error' | 'failure' | 'inactive' | 'in_progress' | 'queued' | 'pending' | 'success';
/** GraphQL has one more settable state than REST. */
export type StatusState = RestStatusState | 'waiting';

export interface SeedStatus {
  id?: number;
  node_id?: string;
  // eslint-disable-next-line @typescript-eslint/no-redundant-type-constituents -- names the states GitHub knows; a seed may hold any other
  state: StatusState | string;
  description?: string | null;
  environment?: string;
  environment_url?: string | null;
  log_url?: string | null;
  target_url?: string | null;
  created_at: string;
  updated_at?: string;
  creator?: { login: string } | string;
}

/** REST shape (as GET /repos/{owner}/{repo}/deployments returns it) plus `statuses` NEWEST FIRST, as REST lists them. */
export interface SeedDeployment {
  id?: number;
  node_id?: string;
  sha: string;
  ref?: string;
  task: string;
  environment: string;
  original_environment?: string;
  description?: string | null;
  payload: unknown;
  created_at: string;
  updated_at?: string;
  production_environment?: boolean;
  transient_environment?: boolean;
  creator?: { login: string } | string;
  statuses?: SeedStatus[];
}

export interface EmulatedStatus {
  id: number;
  node_id: string;
  state: StatusState;
  description: string;
  environment: string;
  environment_url: string;
  log_url: string;
  target_url: string;
  created_at: string;
  updated_at: string;
  creator: string;
}

/** Inspection snapshot; `statuses` oldest → newest, `payload` exactly as stored. */
export interface EmulatedDeployment {
  id: number;
  node_id: string;
  sha: string;
  ref: string;
  task: string;
  environment: string;
  original_environment: string;
  description: string | null;
  payload: unknown;
  created_at: string;
  updated_at: string;
  production_environment: boolean;
  transient_environment: boolean;
  creator: string;
  statuses: EmulatedStatus[];
}

export interface RecordedRequest {
  api: 'graphql' | 'rest';
  method: string;
  /** Request target as sent (path + query string). */
  path: string;
  operationName?: string;
  mutation: boolean;
  /** HTTP status sent; 0 when the socket was destroyed without a response (reset / drop-after-write). */
  status: number;
  /** API previews requested in the Accept header (GitHub Enterprise Server needs `flash` for GraphQL deployment mutations). */
  previews?: string[];
  /** Kind of the fault that applied to this request, if any. */
  fault?: Fault['action']['kind'];
}

/** A GraphQL request as received: the document and its variables, for checks on how clients build queries. */
export interface RecordedGraphQL {
  operationName?: string;
  query: string;
  variables: Record<string, unknown>;
}

export interface RequestCounts {
  total: number;
  graphql: number;
  rest: number;
  reads: number;
  writes: number;
}

export type Fault = {
  match: { api?: 'graphql' | 'rest'; method?: string; pathIncludes?: string; mutation?: boolean };
  /** Default 1; Infinity allowed. */
  times?: number;
  /** Share of matching requests the fault applies to, in (0, 1]; default 1. Unapplied requests do not use up `times`. */
  probability?: number;
  action:
    | { kind: 'respond'; status: number; body?: unknown; headers?: Record<string, string> }
    | { kind: 'drop-after-write' }
    | { kind: 'delay'; ms: number }
    /** GitHub answers from its state when the request arrived, but the answer arrives `ms` later. */
    | { kind: 'delay-response'; ms: number }
    /** The request waits until `until` settles (a test's gate), then is answered normally; `onArrival` says it is waiting. */
    | { kind: 'gate'; until: Promise<unknown>; onArrival?: () => void }
    /** Like `delay`, until the test calls `releaseHeld()`: GitHub performs the request only then. */
    | { kind: 'hold' }
    /** Like `delay-response`, until the test calls `releaseHeld()`. */
    | { kind: 'hold-response' }
    | { kind: 'reset' };
};
