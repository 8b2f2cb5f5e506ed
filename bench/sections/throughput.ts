/**
 * (3) Hook throughput and overhead: autocannon posts one steady-state sync request to a
 * warm service running alone in a child process, backed by a zero-latency emulator in this
 * process; beside it, the same load against a baseline that does no work on the same HTTP
 * stack (the "floor"). Latencies are recorded per response (autocannon's own histogram
 * rounds to whole milliseconds, too coarse for sub-millisecond hooks).
 */
import { createRequire } from 'node:module';
import { startGitHub } from '../github.js';
import { nextRequest, seedScenario, syncRequest, type AppScenario, type SyncInput } from '../scenario.js';
import { HookClient, ServiceProcess, shippedNodeFlags } from '../service.js';
import { median, percentile } from '../stats.js';

/** The part of autocannon's API used here (the package ships no types). */
interface AutocannonInstance extends PromiseLike<{ errors: number; timeouts: number }> {
  on(event: 'response', listener: (client: unknown, statusCode: number, bytes: number, responseTime: number) => void): void;
}
type Autocannon = (options: {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string;
  connections: number;
  duration: number;
  /** Requests per second over all connections; unlimited when absent. */
  overallRate?: number;
}) => AutocannonInstance;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

export interface ThroughputRow {
  config: string;
  /** The baseline that answers fixed bytes without running any hook. */
  floor: boolean;
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
  /** Length of one measurement; each row is the median of `rounds` of them. */
  durationSeconds: number;
  rounds: number;
  warmupSeconds: number;
  connections: number[];
  /** Service configurations to compare, by name: environment variables of the child. */
  configs: Record<string, Record<string, string>>;
  /** Name of the baseline row, measured with the first configuration's answer. */
  floor: string;
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
  const targets: { config: string; floor: boolean; service: ServiceProcess; body: string }[] = [];
  try {
    let measured: { body: string; answer: Buffer } | undefined;
    for (const [config, env] of Object.entries(options.configs)) {
      const service = await ServiceProcess.start(emulator.url, env);
      const target = { config, floor: false, service, body: '' };
      targets.push(target);
      target.body = JSON.stringify(syncRequest(await steadyInput(service.url)));
      measured ??= { body: target.body, answer: await answerTo(service.url, target.body) };
    }
    if (!measured) throw new Error('no service configuration to measure');
    targets.push({ config: options.floor, floor: true, service: await ServiceProcess.startFloor(measured.answer), body: measured.body });
    for (const target of targets) await load(target.service.url, target.body, 16, options.warmupSeconds); // JIT, connection pools, caches
    // Interleaved: each round runs every concurrency against every target in turn, so drifts of a shared machine hit all of them alike.
    const runs = new Map<string, Run[]>();
    for (let round = 0; round < options.rounds; round++) {
      for (const connections of options.connections) {
        for (const { config, service, body } of targets) {
          await service.stats(true);
          emulator.resetRequests();
          const run = await load(service.url, body, connections, options.durationSeconds);
          const stats = await service.stats();
          const key = `${config}\u0000${connections}`;
          runs.set(key, [...(runs.get(key) ?? []), { ...run, cpuMs: stats.cpuMs, githubRequests: emulator.counts().total, maxRssBytes: stats.maxRssBytes }]);
        }
      }
    }
    for (const { config, floor } of targets) {
      for (const connections of options.connections) {
        const measured = runs.get(`${config}\u0000${connections}`) ?? [];
        const syncs = measured.reduce((n, r) => n + r.latencies.length, 0);
        rows.push({
          config,
          floor,
          connections,
          syncs,
          errors: measured.reduce((n, r) => n + r.errors, 0),
          p50Ms: median(measured.map((r) => percentile(r.latencies, 50))),
          p99Ms: median(measured.map((r) => percentile(r.latencies, 99))),
          requestsPerSecond: median(measured.map((r) => r.latencies.length / r.seconds)),
          cpuMsPerSync: measured.reduce((n, r) => n + r.cpuMs, 0) / syncs,
          githubRequestsPerSync: measured.reduce((n, r) => n + r.githubRequests, 0) / syncs,
          peakRssMb: Math.max(...measured.map((r) => r.maxRssBytes)) / 1024 / 1024,
        });
      }
    }
  } finally {
    for (const { service } of targets) await service.stop();
    await emulator.close();
  }
  return rows;
}

export interface FleetOptions {
  /** Syncs per second, as a fleet resyncing every Environment once per period sends them. */
  rate: number;
  /** Requests in flight at most: Metacontroller's sync workers (`--workers`, 5 by default). */
  connections: number;
  seconds: number;
  warmupSeconds: number;
  /** Without the image's node flags (V8's defaults), for a side-by-side comparison. */
  v8Defaults?: boolean;
}

export interface FleetResult extends FleetOptions {
  /** The node flags the service ran with. */
  nodeFlags: string[];
  syncs: number;
  errors: number;
  p50Ms: number;
  p99Ms: number;
  /** Service CPU (user + system) over the window, as a fraction of one core. */
  cpuCores: number;
  cpuMsPerSync: number;
  githubRequestsPerSync: number;
  peakRssMb: number;
}

/**
 * A fleet's steady load: the default service (every sync computed, the GitHub read shared)
 * answering the E=3/H=20 steady-state sync at a fixed rate with Metacontroller's concurrency,
 * alone in its child process.
 */
export async function measureFleet(options: FleetOptions): Promise<FleetResult> {
  const emulator = await startGitHub();
  emulator.addRepository(SCENARIO.repository);
  seedScenario(emulator, SCENARIO);
  const service = await ServiceProcess.start(emulator.url, {}, { asShipped: !options.v8Defaults });
  try {
    const body = JSON.stringify(syncRequest(await steadyInput(service.url)));
    await load(service.url, body, options.connections, options.warmupSeconds, options.rate);
    await service.stats(true);
    emulator.resetRequests();
    const run = await load(service.url, body, options.connections, options.seconds, options.rate);
    const stats = await service.stats();
    const syncs = run.latencies.length;
    return {
      ...options,
      nodeFlags: options.v8Defaults ? [] : shippedNodeFlags(),
      syncs,
      errors: run.errors,
      p50Ms: percentile(run.latencies, 50),
      p99Ms: percentile(run.latencies, 99),
      cpuCores: stats.cpuMs / (run.seconds * 1000),
      cpuMsPerSync: stats.cpuMs / syncs,
      githubRequestsPerSync: emulator.counts().total / syncs,
      peakRssMb: stats.maxRssBytes / 1024 / 1024,
    };
  } finally {
    await service.stop();
    await emulator.close();
  }
}

interface Run {
  latencies: number[];
  errors: number;
  seconds: number;
  cpuMs: number;
  githubRequests: number;
  maxRssBytes: number;
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

/** The exact bytes the service answers to `body`. */
async function answerTo(url: string, body: string): Promise<Buffer> {
  const response = await fetch(`${url}/sync`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  if (response.status !== 200) throw new Error(`/sync answered ${response.status}`);
  return Buffer.from(await response.arrayBuffer());
}

async function load(
  url: string,
  body: string,
  connections: number,
  seconds: number,
  overallRate?: number,
): Promise<{ latencies: number[]; errors: number; seconds: number }> {
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
    ...(overallRate ? { overallRate } : {}),
  });
  instance.on('response', (_client, statusCode, _bytes, responseTime) => {
    if (statusCode === 200) latencies.push(responseTime);
    else errors++;
  });
  const result = await instance;
  errors += result.errors + result.timeouts;
  return { latencies, errors, seconds: (performance.now() - started) / 1000 };
}
