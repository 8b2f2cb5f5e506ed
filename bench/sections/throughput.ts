/**
 * (3) Hook throughput and overhead: autocannon posts one steady-state sync request to a
 * warm service running alone in a child process, backed by a zero-latency emulator in this
 * process. Latencies are recorded per response (autocannon's own histogram rounds to whole
 * milliseconds, too coarse for sub-millisecond hooks).
 */
import { createRequire } from 'node:module';
import { startGitHub } from '../github.js';
import { nextRequest, seedScenario, syncRequest, type AppScenario, type SyncInput } from '../scenario.js';
import { HookClient, ServiceProcess } from '../service.js';
import { percentile } from '../stats.js';

/** The part of autocannon's API used here (the package ships no types). */
interface AutocannonInstance extends PromiseLike<{ errors: number; timeouts: number }> {
  on(event: 'response', listener: (client: unknown, statusCode: number, bytes: number, responseTime: number) => void): void;
}
type Autocannon = (options: { url: string; method: string; headers: Record<string, string>; body: string; connections: number; duration: number }) => AutocannonInstance;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

export interface ThroughputRow {
  config: string;
  connections: number;
  syncs: number;
  errors: number;
  p50Ms: number;
  p99Ms: number;
  requestsPerSecond: number;
  cpuMsPerSync: number;
  githubRequestsPerSync: number;
  peakRssMb: number;
}

export interface ThroughputOptions {
  durationSeconds: number;
  warmupSeconds: number;
  connections: number[];
  /** Service configurations to compare, by name: environment variables of the child. */
  configs: Record<string, Record<string, string>>;
}

const SCENARIO: AppScenario = {
  repository: 'bench-org/bench-repo',
  app: 'my-app',
  namespace: 'default',
  environments: ['env000', 'env001', 'env002'],
  history: 20,
};

export async function measureThroughput(options: ThroughputOptions): Promise<ThroughputRow[]> {
  const emulator = await startGitHub();
  emulator.addRepository(SCENARIO.repository);
  seedScenario(emulator, SCENARIO);
  const rows: ThroughputRow[] = [];
  try {
    for (const [config, env] of Object.entries(options.configs)) {
      const service = await ServiceProcess.start(emulator.url, env);
      try {
        const body = JSON.stringify(syncRequest(await steadyInput(service.url)));
        await load(service.url, body, 16, options.warmupSeconds); // JIT, connection pools, caches
        for (const connections of options.connections) {
          await service.stats(true);
          emulator.resetRequests();
          const run = await load(service.url, body, connections, options.durationSeconds);
          const stats = await service.stats();
          rows.push({
            config,
            connections,
            syncs: run.latencies.length,
            errors: run.errors,
            p50Ms: percentile(run.latencies, 50),
            p99Ms: percentile(run.latencies, 99),
            requestsPerSecond: run.latencies.length / run.seconds,
            cpuMsPerSync: stats.cpuMs / run.latencies.length,
            githubRequestsPerSync: emulator.counts().total / run.latencies.length,
            peakRssMb: stats.maxRssBytes / 1024 / 1024,
          });
        }
      } finally {
        await service.stop();
      }
    }
  } finally {
    await emulator.close();
  }
  return rows;
}

async function steadyInput(url: string): Promise<SyncInput> {
  const client = new HookClient(url, 1);
  try {
    let input: SyncInput = { scenario: SCENARIO, environment: SCENARIO.environments.at(-1)! };
    input = nextRequest(input, await client.sync(syncRequest(input)));
    return nextRequest(input, await client.sync(syncRequest(input)));
  } finally {
    await client.close();
  }
}

async function load(url: string, body: string, connections: number, seconds: number): Promise<{ latencies: number[]; errors: number; seconds: number }> {
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  const instance = autocannon({
    url: `${url}/sync`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    connections,
    duration: seconds,
  });
  instance.on('response', (_client, statusCode, _bytes, responseTime) => {
    if (statusCode === 200) latencies.push(responseTime);
    else errors++;
  });
  const result = await instance;
  errors += result.errors + result.timeouts;
  return { latencies, errors, seconds: (performance.now() - started) / 1000 };
}
