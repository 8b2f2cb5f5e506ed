/** Our service on a loopback port, in this process or in a child process of its own. */
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Pool } from 'undici';
import { buildApp, createLogger } from '../src/app.js';
import { loadConfig } from '../src/config.js';

export interface SyncResponse {
  status: Record<string, unknown>;
  children: Record<string, unknown>[];
  resyncAfterSeconds?: number;
}

/** Posts hook requests over one keep-alive connection pool. */
export class HookClient {
  private readonly pool: Pool;

  constructor(url: string, connections = 8) {
    this.pool = new Pool(url, { connections });
  }

  async sync(body: unknown): Promise<SyncResponse> {
    const res = await this.pool.request({ method: 'POST', path: '/sync', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const json = (await res.body.json()) as SyncResponse;
    if (res.statusCode !== 200) throw new Error(`/sync answered ${res.statusCode}: ${JSON.stringify(json).slice(0, 300)}`);
    return json;
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}

export interface InProcessService {
  url: string;
  app: FastifyInstance;
  /** Milliseconds the service spent waiting for GitHub answers (request sent → answer parsed), summed over all requests so far. */
  githubWaitMs(): number;
  close(): Promise<void>;
}

export async function startService(githubApiUrl: string, env: Record<string, string> = {}): Promise<InProcessService> {
  const config = loadConfig({ LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'silent', ...env, GITHUB_API_URL: githubApiUrl, HOST: '127.0.0.1', PORT: '0' });
  let waited = 0;
  const app = await buildApp(config, { logger: createLogger(config.logLevel), onGitHubRequest: (event) => (waited += event.durationMs) });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (typeof address !== 'object' || !address) throw new Error('service did not bind');
  return { url: `http://127.0.0.1:${address.port}`, app, githubWaitMs: () => waited, close: () => app.close() };
}

export interface ProcessStats {
  /** User + system CPU since the last reset, milliseconds. */
  cpuMs: number;
  rssBytes: number;
  /** Peak resident set size of the process's lifetime. */
  maxRssBytes: number;
  heapUsedBytes: number;
}

let compiledDir: string | undefined;

/** The node flags the container image starts the service with (the Dockerfile's CMD). */
export function shippedNodeFlags(): string[] {
  const dockerfile = readFileSync(path.resolve(import.meta.dirname, '..', 'Dockerfile'), 'utf8');
  const cmd = /^CMD (\[.*\])\s*$/m.exec(dockerfile);
  const args = cmd ? (JSON.parse(cmd[1]!) as string[]) : [];
  return args.filter((arg) => arg.startsWith('--'));
}

/**
 * Compiles src/ (as `npm run build` does) into a scratch directory laid out like the
 * repository, so the compiled service finds ../schemas and node_modules. Returns that dist.
 */
export function compileService(): string {
  const root = path.resolve(import.meta.dirname, '..');
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'environment-sync-bench-'));
  for (const entry of ['schemas', 'examples', 'node_modules', 'package.json']) symlinkSync(path.join(root, entry), path.join(scratch, entry));
  const dist = path.join(scratch, 'dist');
  execFileSync(
    process.execPath,
    [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(root, 'tsconfig.build.json'), '--outDir', dist, '--sourceMap', 'false'],
    { stdio: 'inherit' },
  );
  compiledDir = dist;
  process.once('exit', () => rmSync(scratch, { recursive: true, force: true }));
  return dist;
}

/** The service alone in a child process, so its CPU and memory are measured without the load generator. */
export class ServiceProcess {
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
    /** The metrics listener (GET /metrics); the floor has none. */
    readonly metricsUrl: string,
  ) {}

  /**
   * Runs the compiled service when `compiledService()` has built it, else the sources under
   * tsx (whose loader adds about 28 MB of RSS), with the node flags of the container image
   * unless `asShipped` is false. `nodeOptions`: extra flags, e.g. `--cpu-prof`.
   */
  static async start(
    githubApiUrl: string,
    env: Record<string, string> = {},
    options: { nodeOptions?: string[]; asShipped?: boolean } = {},
  ): Promise<ServiceProcess> {
    const shipped = options.asShipped === false ? [] : shippedNodeFlags();
    return ServiceProcess.fork('service-process.mjs', [...(compiledDir ? [] : ['--import', 'tsx']), ...shipped, ...(options.nodeOptions ?? [])], {
      // NODE_ENV as the container image sets it.
      ...process.env,
      NODE_ENV: 'production',
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'silent',
      ...env,
      GITHUB_API_URL: githubApiUrl,
      ...(compiledDir ? { BENCH_SERVICE_DIST: compiledDir } : {}),
    });
  }

  /**
   * The baseline: fastify on Node's http server, with the image's node flags, answering every
   * POST /sync with `answer` without looking at the request (bench/floor-process.mjs).
   */
  static async startFloor(answer: Buffer): Promise<ServiceProcess> {
    return ServiceProcess.fork('floor-process.mjs', shippedNodeFlags(), {
      ...process.env,
      NODE_ENV: 'production',
      BENCH_FLOOR_ANSWER: answer.toString('base64'),
    });
  }

  private static async fork(entry: string, execArgv: string[], env: NodeJS.ProcessEnv): Promise<ServiceProcess> {
    // BENCH_CHILD_NODE_FLAGS adds flags to every child, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` (not allowed in NODE_OPTIONS).
    const extra = process.env.BENCH_CHILD_NODE_FLAGS?.split(' ').filter(Boolean) ?? [];
    const child = fork(path.join(import.meta.dirname, entry), [], {
      execArgv: [...execArgv, ...extra],
      env,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const started = new AbortController();
    const message = await Promise.race([
      once(child, 'message', { signal: started.signal }).then(([m]) => m as { url: string; metricsUrl?: string }),
      once(child, 'exit', { signal: started.signal }).then(([code]) => {
        throw new Error(`${entry} exited with code ${String(code)} before it was ready`);
      }),
    ]).finally(() => started.abort());
    return new ServiceProcess(child, message.url, message.metricsUrl ?? '');
  }

  /** `gc`: collect garbage first (needs `--expose-gc` in nodeOptions), to see what is retained. */
  async stats(reset = false, gc = false): Promise<ProcessStats> {
    this.child.send({ type: 'stats', reset, gc });
    const [message] = (await once(this.child, 'message')) as [ProcessStats];
    return message;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = once(this.child, 'exit');
    this.child.kill('SIGTERM');
    await exited;
  }
}
