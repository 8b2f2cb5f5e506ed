/**
 * The GitHub emulator's HTTP server: REST at "/" and "/api/v3", GraphQL at "/graphql" and "/api/graphql"
 * (the github.com and GitHub Enterprise Server layouts), one shared in-memory store, request recording,
 * rate-limit headers, authentication and fault injection.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { AppRegistry, type EmulatedApp, type IssuedToken } from './apps.js';
import { FaultInjector } from './faults.js';
import { executeGraphQL, planGraphQL, prepareGraphQL, type GraphQLResponseBody, type PreparedGraphQL } from './graphql.js';
import { isoSeconds } from './ids.js';
import { RateLimiter, rateLimitHeaders, type RateLimitSnapshot } from './rate-limit.js';
import { errorBody, handleRest, type RestResponse } from './rest.js';
import { Store, type ActorRecord } from './store.js';
import type { EmulatedDeployment, EmulatorOptions, Fault, RecordedGraphQL, RecordedRequest, RequestCounts, SeedDeployment } from './types.js';
import { WebhookSender, type RecordedDelivery, type WebhookTarget } from './webhooks.js';

const JSON_TYPE = 'application/json; charset=utf-8';
const WRITE_METHODS = new Set(['POST', 'PATCH', 'PUT', 'DELETE']);
const BAD_CREDENTIALS = { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' };

interface Reply {
  status: number;
  body?: unknown;
  headers: Record<string, string>;
}

export class GitHubEmulator {
  private readonly options: EmulatorOptions;
  private readonly clock: () => Date;
  private readonly store: Store;
  private readonly faults = new FaultInjector();
  private readonly limiter: RateLimiter;
  private readonly actor: ActorRecord;
  private readonly apps: AppRegistry;
  private readonly logger: Logger | undefined;
  private readonly recorded: RecordedRequest[] = [];
  private readonly recordedGraphQL: RecordedGraphQL[] = [];
  private readonly closing = new AbortController();
  private readonly server: Server;
  private baseUrl = '';
  private requestSeq = 0;
  private readonly webhooks: WebhookSender;

  private constructor(opts: EmulatorOptions) {
    this.options = opts;
    this.clock = opts.clock ?? (() => new Date());
    this.logger = opts.logger;
    this.store = new Store(() => isoSeconds(this.clock()), opts.createEnvironments ?? true);
    this.limiter = new RateLimiter(opts.rateLimit ?? 5000, opts.enforceRateLimit ?? false, () => this.clock().getTime());
    this.actor = this.store.actor(opts.login ?? 'github-emulator');
    this.apps = new AppRegistry(this.clock, opts.installationTokenTtlSeconds ?? 3600);
    this.webhooks = new WebhookSender(opts.logger);
    for (const target of opts.webhooks ?? []) this.webhooks.addTarget(target);
    const webhookContext = () => ({ store: this.store, actor: this.actor, apiBase: this.baseUrl, webBase: this.baseUrl });
    this.store.listener = {
      deploymentCreated: (d) => this.webhooks.deploymentCreated(d, webhookContext()),
      statusCreated: (st) => this.webhooks.statusCreated(st, webhookContext()),
    };
    this.server = createServer({ keepAliveTimeout: 5000 }, (req, res) => {
      this.onRequest(req, res).catch((err: unknown) => {
        this.logger?.error({ err }, 'github emulator: request failed');
        if (!res.headersSent && !res.destroyed) {
          res.writeHead(500, { 'content-type': JSON_TYPE });
          res.end(JSON.stringify({ message: 'Server Error', documentation_url: 'https://docs.github.com/rest', status: '500' }));
        }
      });
    });
  }

  static async start(opts: EmulatorOptions = {}): Promise<GitHubEmulator> {
    const emulator = new GitHubEmulator(opts);
    await new Promise<void>((resolve, reject) => {
      emulator.server.once('error', reject);
      emulator.server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
        emulator.server.off('error', reject);
        resolve();
      });
    });
    const addr = emulator.server.address() as AddressInfo;
    const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
    emulator.baseUrl = `http://${host}:${addr.port}`;
    emulator.logger?.info({ url: emulator.baseUrl }, 'github emulator listening');
    return emulator;
  }

  /** e.g. "http://127.0.0.1:40123"; REST at url + "/repos/…" (or "/api/v3/repos/…"), GraphQL at url + "/graphql" (or "/api/graphql"). */
  get url(): string {
    return this.baseUrl;
  }

  /** False when the emulator closed while waiting: pending delays must not keep the process alive. */
  /** Requests stopped by a `hold` or `hold-response` fault, each released by `releaseHeld()`. */
  private held: { release: () => void; done: Promise<void> }[] = [];
  private heldWatchers: { count: number; resolve: () => void }[] = [];

  /** Resolves once `count` requests are held (by `hold` or `hold-response` faults) at once. */
  whenHeld(count: number): Promise<void> {
    if (this.held.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.heldWatchers.push({ count, resolve }));
  }

  /** Lets every held request go on; resolves once each has been answered (or its connection closed). */
  async releaseHeld(): Promise<void> {
    const released = this.held;
    this.held = [];
    for (const h of released) h.release();
    await Promise.all(released.map((h) => h.done));
  }

  /** Waits until released (true) or the emulator closes (false); `finished` resolves the release's wait. */
  private hold(): { released: Promise<boolean>; finished: () => void } {
    let release!: () => void;
    let finished!: () => void;
    const released = new Promise<boolean>((resolve) => {
      release = () => resolve(true);
      this.closing.signal.addEventListener('abort', () => resolve(false), { once: true });
    });
    const done = new Promise<void>((resolve) => (finished = resolve));
    this.held.push({ release, done });
    this.heldWatchers = this.heldWatchers.filter((w) => {
      if (this.held.length < w.count) return true;
      w.resolve();
      return false;
    });
    return { released, finished };
  }

  private async wait(ms: number): Promise<boolean> {
    try {
      await sleep(ms, undefined, { signal: this.closing.signal });
      return true;
    } catch {
      return false;
    }
  }

  /** False when the emulator closed first. */
  private async until(gate: Promise<unknown>): Promise<boolean> {
    const closed = new Promise<false>((resolve) => {
      if (this.closing.signal.aborted) resolve(false);
      this.closing.signal.addEventListener('abort', () => resolve(false), { once: true });
    });
    return Promise.race([
      gate.then(
        () => true as const,
        () => true as const,
      ),
      closed,
    ]);
  }

  async close(): Promise<void> {
    this.closing.abort();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  // ---- state ------------------------------------------------------------------------------

  // ---- webhooks ----------------------------------------------------------------------------

  /** Sends signed `deployment` / `deployment_status` deliveries to `target.url` from now on. */
  addWebhook(target: WebhookTarget): void {
    this.webhooks.addTarget(target);
  }

  /** Every delivery so far, oldest first. */
  get webhookDeliveries(): readonly RecordedDelivery[] {
    return this.webhooks.deliveries;
  }

  /** Lose deliveries (all, or those the function picks), as when GitHub cannot reach the receiver. */
  dropWebhookDeliveries(drop: WebhookSender['dropDeliveries']): void {
    this.webhooks.dropDeliveries = drop;
  }

  /** Resolves once every delivery sent so far has been answered or has failed. */
  settleWebhooks(): Promise<void> {
    return this.webhooks.settle();
  }

  addRepository(fullName: string, opts?: { commits?: string[]; branches?: Record<string, string> }): void {
    this.store.addRepository(fullName, opts);
  }

  addCommits(fullName: string, shas: string[]): void {
    this.store.addCommits(this.store.repositoryByFullName(fullName), shas);
  }

  /** Stores a deployment exactly as given (no auto-inactive); creates the repository if it does not exist yet. */
  seedDeployment(fullName: string, d: SeedDeployment): EmulatedDeployment {
    const repo = this.store.repository(...splitName(fullName)) ?? this.store.addRepository(fullName);
    return this.store.snapshot(this.store.seedDeployment(repo, d, this.actor));
  }

  seedFromFixture(fullName: string, fixture: { deployments: SeedDeployment[] }): void {
    for (const d of fixture.deployments) this.seedDeployment(fullName, d);
  }

  /** Registers a GitHub App whose JWTs `POST /app/installations/{id}/access_tokens` accepts. */
  addApp(app: EmulatedApp): void {
    this.apps.add(app);
  }

  /** Installation tokens issued so far (accepted on both APIs until they expire on the emulator clock). */
  installationTokens(): IssuedToken[] {
    return this.apps.tokens();
  }

  /** Oldest → newest (created_at, then id); statuses oldest → newest; payload as stored. */
  deployments(fullName: string): EmulatedDeployment[] {
    const repo = this.store.repositoryByFullName(fullName);
    return this.store.deploymentsSorted(repo).map((d) => this.store.snapshot(d));
  }

  // ---- observation and faults ----------------------------------------------------------------

  get requests(): RecordedRequest[] {
    return this.recorded;
  }

  /** GraphQL documents and variables as received, in order (cleared with the requests). */
  get graphqlRequests(): RecordedGraphQL[] {
    return this.recordedGraphQL;
  }

  resetRequests(): void {
    this.recorded.length = 0;
    this.recordedGraphQL.length = 0;
  }

  counts(): RequestCounts {
    const c: RequestCounts = { total: 0, graphql: 0, rest: 0, reads: 0, writes: 0 };
    for (const r of this.recorded) {
      c.total++;
      c[r.api]++;
      if (isWrite(r)) c.writes++;
      else c.reads++;
    }
    return c;
  }

  injectFault(f: Fault): void {
    this.faults.add(f);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  /**
   * GitHub's reads lag behind its writes (replication): from now on, a deployment created
   * through the API is answered (201) but missing from deployment listings, REST and GraphQL,
   * until `catchUpReads()`. Lookups by id still find it.
   */
  lagReads(): void {
    this.store.lagReads();
  }

  catchUpReads(): void {
    this.store.catchUp();
  }

  // ---- HTTP -------------------------------------------------------------------------------

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const method = (req.method ?? 'GET').toUpperCase();
    const target = req.url ?? '/';
    const url = new URL(target, this.baseUrl);
    const api: RecordedRequest['api'] = url.pathname === '/graphql' || url.pathname === '/api/graphql' ? 'graphql' : 'rest';

    let prepared: PreparedGraphQL | undefined;
    let badJson = false;
    if (api === 'graphql' && method === 'POST') {
      try {
        prepared = prepareGraphQL(raw.trim() === '' ? {} : JSON.parse(raw));
      } catch {
        badJson = true;
      }
    }
    const record: RecordedRequest = {
      api,
      method,
      path: target,
      ...(prepared?.operationName ? { operationName: prepared.operationName } : {}),
      mutation: prepared?.mutation ?? false,
      status: 0,
      ...previewsOf(req.headers.accept),
    };
    this.recorded.push(record);
    if (typeof prepared?.query === 'string') {
      this.recordedGraphQL.push({
        ...(prepared.operationName ? { operationName: prepared.operationName } : {}),
        query: prepared.query,
        variables: prepared.variables,
      });
    }

    const action = this.faults.take({ api, method, path: target, mutation: record.mutation });
    if (action) record.fault = action.kind;
    if (action?.kind === 'reset') {
      this.log(record);
      destroy(res, true);
      return;
    }
    if (action?.kind === 'delay' && !(await this.wait(action.ms))) return destroy(res, true);
    if (action?.kind === 'gate') {
      action.onArrival?.();
      if (!(await this.until(action.until))) return destroy(res, true);
    }
    const held = action?.kind === 'hold' || action?.kind === 'hold-response' ? this.hold() : undefined;
    try {
      if (action?.kind === 'hold' && !(await held!.released)) return destroy(res, true);
      await this.answer(req, res, record, action, api, method, url, raw, prepared, badJson, held);
    } finally {
      held?.finished();
    }
  }

  private async answer(
    req: IncomingMessage,
    res: ServerResponse,
    record: RecordedRequest,
    action: Fault['action'] | undefined,
    api: RecordedRequest['api'],
    method: string,
    url: URL,
    raw: string,
    prepared: PreparedGraphQL | undefined,
    badJson: boolean,
    held: { released: Promise<boolean> } | undefined,
  ): Promise<void> {
    let reply: Reply;
    if (action?.kind === 'respond') {
      reply = {
        status: action.status,
        body: action.body,
        headers: { ...this.headersFor(api, undefined, credentialOf(req)), ...lowerKeys(action.headers ?? {}) },
      };
    } else {
      reply = await this.process(req, api, method, url, raw, prepared, badJson);
    }
    if (action?.kind === 'drop-after-write') {
      this.log(record);
      destroy(res, false);
      return;
    }
    if (action?.kind === 'delay-response' && !(await this.wait(action.ms))) return destroy(res, true);
    if (action?.kind === 'hold-response' && !(await held!.released)) return destroy(res, true);
    if (this.options.latencyMs && !(await this.wait(this.options.latencyMs))) return destroy(res, true);
    record.status = reply.status;
    this.log(record);
    this.send(res, reply);
  }

  private log(r: RecordedRequest): void {
    this.logger?.debug(
      { api: r.api, method: r.method, path: r.path, operationName: r.operationName, status: r.status, fault: r.fault },
      'github emulator request',
    );
  }

  private headersFor(api: RecordedRequest['api'], snapshot?: RateLimitSnapshot, credential = ''): Record<string, string> {
    const s = snapshot ?? this.limiter.peek(api === 'graphql' ? 'graphql' : 'core', credential);
    return {
      'content-type': JSON_TYPE,
      'x-github-api-version-selected': '2022-11-28',
      'x-github-media-type': 'github.v3; format=json',
      'x-github-request-id': `EMU0:${(++this.requestSeq).toString(16).padStart(6, '0').toUpperCase()}`,
      ...rateLimitHeaders(s),
    };
  }

  private send(res: ServerResponse, reply: Reply): void {
    if (res.destroyed) return;
    const headers: Record<string, string> = { ...reply.headers };
    let payload: Buffer | undefined;
    if (reply.status === 204 || reply.status === 304 || reply.body === undefined) {
      payload = undefined;
      if (reply.status === 204 || reply.status === 304) delete headers['content-type'];
    } else {
      // Encoded once: the length header and the body come from the same bytes.
      payload = Buffer.from(typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body), 'utf8');
    }
    if (payload !== undefined) headers['content-length'] = String(payload.length);
    else if (reply.status !== 204 && reply.status !== 304) headers['content-length'] = '0';
    res.writeHead(reply.status, headers);
    res.end(payload);
  }

  private authenticate(token: string): boolean {
    if (!token) return false;
    if (this.apps.accepts(token)) return true;
    return this.options.tokens === undefined ? true : this.options.tokens.includes(token);
  }

  private async process(
    req: IncomingMessage,
    api: RecordedRequest['api'],
    method: string,
    url: URL,
    raw: string,
    prepared: PreparedGraphQL | undefined,
    badJson: boolean,
  ): Promise<Reply> {
    if (api === 'rest' && AppRegistry.matches(restPath(url.pathname))) {
      const result = this.apps.createInstallationToken(method, restPath(url.pathname), req.headers.authorization, raw);
      return { status: result.status, body: result.body, headers: this.headersFor('rest') };
    }
    const credential = credentialOf(req);
    if (!this.authenticate(credential)) {
      const { snapshot } = this.limiter.take('unauthenticated', 1);
      return { status: 401, body: BAD_CREDENTIALS, headers: this.headersFor(api, snapshot) };
    }
    if (api === 'graphql') return this.processGraphQL(method, prepared, badJson, credential);

    const ghes = url.pathname === '/api/v3' || url.pathname.startsWith('/api/v3/');
    const pathname = ghes ? url.pathname.slice('/api/v3'.length) || '/' : url.pathname;
    if (method === 'GET' && pathname === '/rate_limit') {
      // GitHub: GET /rate_limit does not count against the primary limit.
      const core = this.limiter.peek('core', credential);
      const graphql = this.limiter.peek('graphql', credential);
      const view = (s: RateLimitSnapshot) => ({ limit: s.limit, used: s.used, remaining: s.remaining, reset: s.reset });
      return {
        status: 200,
        body: { resources: { core: view(core), graphql: view(graphql) }, rate: { ...view(core), resource: 'core' } },
        headers: this.headersFor('rest', core),
      };
    }
    const { exceeded, snapshot } = this.limiter.take('core', 1, credential);
    if (exceeded) {
      return {
        status: 403,
        body: errorBody(403, `API rate limit exceeded for user ID ${this.actor.dbId}.`, 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api'),
        headers: this.headersFor('rest', snapshot),
      };
    }
    const apiBase = `${this.baseUrl}${ghes ? '/api/v3' : ''}`;
    const result: RestResponse = handleRest(method, pathname, url, raw, { store: this.store, actor: this.actor, apiBase, webBase: this.baseUrl });
    return { status: result.status, body: result.body, headers: { ...this.headersFor('rest', snapshot), ...(result.headers ?? {}) } };
  }

  private async processGraphQL(method: string, prepared: PreparedGraphQL | undefined, badJson: boolean, credential: string): Promise<Reply> {
    if (method !== 'POST') {
      return { status: 404, body: errorBody(404, 'Not Found', 'https://docs.github.com/graphql'), headers: this.headersFor('graphql', undefined, credential) };
    }
    if (badJson || !prepared) {
      return {
        status: 400,
        body: errorBody(400, 'Problems parsing JSON', 'https://docs.github.com/graphql'),
        headers: this.headersFor('graphql', undefined, credential),
      };
    }
    const plan = await planGraphQL(prepared);
    const { exceeded, snapshot } = this.limiter.take('graphql', plan.dryRun ? 0 : plan.cost, credential);
    const headers = this.headersFor('graphql', snapshot);
    if (exceeded) {
      return { status: 200, body: { errors: [{ type: 'RATE_LIMITED', message: `API rate limit exceeded for user ID ${this.actor.dbId}.` }] }, headers };
    }
    if (plan.rejected) return { status: 200, body: plan.rejected, headers };
    const body: GraphQLResponseBody = await executeGraphQL(
      prepared,
      { store: this.store, actor: this.actor, webBase: this.baseUrl },
      {
        cost: plan.cost,
        nodeCount: plan.nodeCount,
        limit: snapshot.limit,
        remaining: snapshot.remaining,
        used: snapshot.used,
        resetAt: isoSeconds(new Date(snapshot.reset * 1000)),
      },
    );
    return { status: 200, body, headers };
  }
}

function isWrite(r: RecordedRequest): boolean {
  return r.api === 'graphql' ? r.mutation : WRITE_METHODS.has(r.method);
}

/** API previews requested in the Accept header, e.g. `application/vnd.github.flash-preview+json` → flash. */
function previewsOf(accept: string | undefined): { previews?: string[] } {
  const previews = [...(accept ?? '').matchAll(/application\/vnd\.github\.([a-z0-9-]+?)-preview/gi)].map((m) => m[1]!.toLowerCase());
  return previews.length > 0 ? { previews } : {};
}

/** The REST path without the GitHub Enterprise Server prefix. */
function restPath(pathname: string): string {
  return pathname === '/api/v3' || pathname.startsWith('/api/v3/') ? pathname.slice('/api/v3'.length) || '/' : pathname;
}

function splitName(fullName: string): [string, string] {
  const [owner = '', name = ''] = fullName.split('/');
  return [owner, name];
}

function lowerKeys(h: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
}

/** Ends the exchange without a response: `reset` sends a TCP RST, otherwise the socket is just closed. */
function destroy(res: ServerResponse, reset: boolean): void {
  const socket = res.socket;
  if (!socket) return;
  if (reset && typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
  else socket.destroy();
}

/** The token a request authenticates with ('' without one): GitHub's rate limits are kept per credential. */
function credentialOf(req: IncomingMessage): string {
  const header = req.headers.authorization;
  const m = typeof header === 'string' ? /^(?:token|bearer)\s+(\S+)\s*$/i.exec(header) : null;
  return m ? m[1]! : '';
}
