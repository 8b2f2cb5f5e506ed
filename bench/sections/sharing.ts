/**
 * (4) Sharing: N Environments of one application and repository, all handled by one
 * service, synced within one resync window → GitHub requests. Measured with the shipped
 * configuration (shared read, LEDGER_CACHE_TTL_MS default) beside the cache switched off.
 */
import type { GitHubEmulator } from '../../tools/github-emulator/index.js';
import { pointsUsed, startGitHub } from '../github.js';
import { environmentNames, nextRequest, seedScenario, syncRequest, type AppScenario, type SyncInput } from '../scenario.js';
import { HookClient, startService } from '../service.js';

export interface SharingRow {
  environments: number;
  arrival: string;
  config: string;
  syncs: number;
  requests: number;
  points: number;
  writes: number;
}

export interface SharingOptions {
  counts: number[];
  /** Hook calls in flight at once during a burst (Metacontroller runs several workers). */
  burstConcurrency: number;
  /** When set, also spread the N syncs evenly over a window this long (real time). */
  spreadWindowSeconds?: number;
  history: number;
  /** Also measure with the shared read switched off. */
  compareCacheOff: boolean;
}

const CONFIGS: Record<string, Record<string, string>> = {
  'shared read (default)': {},
  'cache off': { LEDGER_CACHE_TTL_MS: '0' },
};

function scenario(count: number, history: number): AppScenario {
  // One upstream (staging) and N-1 environments running After it, all in one namespace.
  return { repository: 'bench-org/bench-repo', app: 'my-app', namespace: 'default', environments: environmentNames(count), topology: 'star', history };
}

export async function measureSharing(options: SharingOptions): Promise<SharingRow[]> {
  const rows: SharingRow[] = [];
  const spread = options.spreadWindowSeconds;
  const runs: Promise<SharingRow>[] = [];
  for (const count of options.counts) {
    for (const [config, env] of Object.entries(CONFIGS)) {
      if (config === 'cache off' && !options.compareCacheOff) continue;
      rows.push(await run(count, options, config, env, { kind: 'burst' }));
    }
    if (spread) runs.push(run(count, options, 'shared read (default)', {}, { kind: 'spread', seconds: spread }));
  }
  // The spread runs wait most of the time: run the sizes side by side, each with its own GitHub and service.
  rows.push(...(await Promise.all(runs)));
  return rows;
}

type Arrival = { kind: 'burst' } | { kind: 'spread'; seconds: number };

async function run(count: number, options: SharingOptions, config: string, env: Record<string, string>, arrival: Arrival): Promise<SharingRow> {
  const emulator = await startGitHub();
  const s = scenario(count, options.history);
  emulator.addRepository(s.repository);
  seedScenario(emulator, s);
  try {
    const inputs = await steadyInputs(emulator, s);
    // A fresh service: nothing cached from the warm-up.
    const service = await startService(emulator.url, env);
    const client = new HookClient(service.url, options.burstConcurrency);
    try {
      const before = await pointsUsed(emulator);
      emulator.resetRequests();
      if (arrival.kind === 'burst') await inParallel(inputs, options.burstConcurrency, (input) => client.sync(syncRequest(input)));
      else await spreadOver(inputs, arrival.seconds * 1000, (input) => client.sync(syncRequest(input)));
      const counts = emulator.counts();
      const points = (await pointsUsed(emulator)) - before;
      return {
        environments: count,
        arrival: arrival.kind === 'burst' ? `burst, ${options.burstConcurrency} at a time` : `spread over ${arrival.seconds} s`,
        config,
        syncs: inputs.length,
        requests: counts.total,
        points,
        writes: counts.writes,
      };
    } finally {
      await client.close();
      await service.close();
    }
  } finally {
    await emulator.close();
  }
}

/** What Metacontroller sends each Environment in steady state: its previous status and gate. */
async function steadyInputs(emulator: GitHubEmulator, s: AppScenario): Promise<SyncInput[]> {
  const service = await startService(emulator.url, { LEDGER_CACHE_TTL_MS: '0' });
  const client = new HookClient(service.url, 4);
  try {
    return await inParallel(s.environments, 4, async (environment) => {
      const input: SyncInput = { scenario: s, environment, siblings: s.environments };
      return nextRequest(input, await client.sync(syncRequest(input)));
    });
  } finally {
    await client.close();
    await service.close();
  }
}

export async function inParallel<T, R>(items: readonly T[], concurrency: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}

/** Starts item i at i/N of the window (the first at 0) and waits for all. */
export async function spreadOver<T>(items: readonly T[], windowMs: number, work: (item: T) => Promise<unknown>): Promise<void> {
  const started = performance.now();
  await Promise.all(
    items.map(async (item, i) => {
      const at = (i * windowMs) / items.length;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, started + at - performance.now())));
      await work(item);
    }),
  );
}
