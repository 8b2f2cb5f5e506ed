/**
 * The service on a real port, talking over real HTTP to the GitHub emulator (which
 * validates every GraphQL query against GitHub's schema and follows the REST contract).
 */
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { request } from 'undici';
import { buildApp, createLogger, type AppDeps } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import { buildMetricsApp } from '../../src/metrics-app.js';
import { Metrics } from '../../src/metrics.js';
import { GitHubEmulator, loadGitHubGraphQLSchema, type EmulatorOptions } from '../../tools/github-emulator/index.js';
import { TOKEN } from './requests.js';

export const REPOSITORY = 'my-org/my-repo';
export const NOW = new Date('2026-11-26T12:00:00Z');

export interface Harness {
  emulator: GitHubEmulator;
  app: FastifyInstance;
  url: string;
  /** The metrics listener (METRICS_PORT): GET /metrics. */
  metricsUrl: string;
  logs: string[];
  /** The service's logger (trace level): what `logs` captures. */
  logger: Logger;
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<{ status: number; json: any; text: string }>;
  /** Sets the service's wall clock. */
  setNow(date: Date): void;
  close(): Promise<void>;
}

/** A clock that advances one second per call, so createdAt values are distinct and predictable. */
export function steppingClock(start = '2026-11-20T12:00:00Z'): () => Date {
  let t = Date.parse(start);
  return () => {
    const d = new Date(t);
    t += 1000;
    return d;
  };
}

export async function startHarness(
  options: {
    emulator?: EmulatorOptions;
    /** Settings, or settings that need the emulator's URL (for example to allow it in ALLOWED_GITHUB_API_URLS). */
    config?: Partial<Config> | ((emulatorUrl: string) => Partial<Config>);
    ghes?: boolean;
    commits?: string[];
    deps?: Pick<AppDeps, 'nowMs' | 'onFleetRound' | 'fleetScheduler' | 'onFleetJoin'>;
  } = {},
): Promise<Harness> {
  // GitHub's schema is loaded before the service first asks (seconds on a busy machine): a sync's budget then measures the sync.
  await loadGitHubGraphQLSchema();
  const emulator = await GitHubEmulator.start({ tokens: [TOKEN], clock: steppingClock(), ...options.emulator });
  emulator.addRepository(REPOSITORY, options.commits ? { commits: options.commits } : {});
  const logs: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logs.push(chunk.toString('utf8'));
      callback();
    },
  });
  let now = NOW;
  const config: Config = {
    ...loadConfig({}),
    githubApiUrl: options.ghes ? `${emulator.url}/api/v3` : emulator.url,
    ledgerCacheTtlMs: 0,
    ...(typeof options.config === 'function' ? options.config(emulator.url) : options.config),
  };
  const logger = createLogger('trace', stream);
  const metrics = new Metrics();
  const app = await buildApp(config, { logger, now: () => now, metrics, ...options.deps });
  const metricsApp = buildMetricsApp(metrics, logger);
  const url = await listenOnLoopback(app);
  const metricsUrl = await listenOnLoopback(metricsApp);
  return {
    emulator,
    app,
    url,
    metricsUrl,
    logs,
    logger,
    async post(path, body, headers = {}) {
      const res = await request(`${url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.body.text();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: res.statusCode, json, text };
    },
    setNow(date) {
      now = date;
    },
    async close() {
      await app.close();
      await metricsApp.close();
      await emulator.close();
    },
  };
}

/** Listens on a free loopback port; the base URL. */
export async function listenOnLoopback(app: FastifyInstance): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  return typeof address === 'object' && address ? `http://127.0.0.1:${address.port}` : '';
}
