/**
 * (1) GitHub requests per sync and (2) sync latency with a 50 ms GitHub, ours beside the
 * modelled Go controller pattern, on the same emulator data.
 */
import { request } from 'undici';
import type { GitHubEmulator, RequestCounts } from '../../tools/github-emulator/index.js';
import { pointsUsed, startGitHub } from '../github.js';
import { GoControllerModel, type ModelInput } from '../go-model.js';
import {
  environmentNames,
  history,
  historyEntry,
  nextRequest,
  relationshipOf,
  seedScenario,
  syncRequest,
  TOKEN,
  type AppScenario,
  type SyncInput,
} from '../scenario.js';
import { HookClient, startService, type InProcessService } from '../service.js';

export interface Size {
  environments: number;
  history: number;
}

export interface Cost {
  requests: RequestCounts;
  /** Rate-limit points: REST requests plus GraphQL query cost. */
  points: number;
}

export interface CountsRow extends Size {
  /** Deployments of the task on GitHub (D). */
  deployments: number;
  ours: { steady: Cost; newEntry: Cost };
  model: { steady: Cost; newEntry: Cost };
}

export interface LatencyRow extends Size {
  rttMs: number;
  ours: { steady: number[]; newEntry: number[] };
  /** Per sample of ours: wall time minus the time spent waiting for GitHub answers. */
  oursOwn: { steady: number[]; newEntry: number[] };
  model: { steady: number[]; newEntry: number[] };
}

interface Sample {
  cost: Cost;
  ms: number;
  /** Ours only: `ms` minus the service's wait for GitHub answers. */
  ownMs: number;
}

const OWNER = 'bench-org';
const REPO = 'bench-repo';

function scenarioFor(size: Size): AppScenario {
  return { repository: `${OWNER}/${REPO}`, app: 'my-app', namespace: 'default', environments: environmentNames(size.environments), history: size.history };
}

function modelInput(s: AppScenario, newEntries: number): ModelInput {
  const environment = s.environments.at(-1)!;
  const relationship = relationshipOf(s, environment);
  return { owner: OWNER, repo: REPO, app: s.app, environment, history: history(s.app, s.history, newEntries), ...(relationship ? { relationship } : {}) };
}

/** One GitHub with one application at `size`, our service, and the model, ready at steady state. */
class Bench {
  private constructor(
    readonly emulator: GitHubEmulator,
    readonly scenario: AppScenario,
    readonly steady: SyncInput,
    private readonly client: HookClient,
    private readonly goModel: GoControllerModel,
    private readonly service: InProcessService,
  ) {}

  static async start(size: Size, latencyMs: number): Promise<Bench> {
    const emulator = await startGitHub(latencyMs);
    const scenario = scenarioFor(size);
    emulator.addRepository(scenario.repository);
    seedScenario(emulator, scenario);
    // Cache off: every sync pays its own read, as a lone Environment resynced every minute does.
    const service = await startService(emulator.url, { LEDGER_CACHE_TTL_MS: '0' });
    const client = new HookClient(service.url, 1);
    const first: SyncInput = { scenario, environment: scenario.environments.at(-1)! };
    // Metacontroller sends back what the previous sync returned: that is the steady state.
    let input = nextRequest(first, await client.sync(syncRequest(first)));
    input = nextRequest(input, await client.sync(syncRequest(input)));
    return new Bench(emulator, scenario, input, client, new GoControllerModel(emulator.url, TOKEN), service);
  }

  async close(): Promise<void> {
    await this.client.close();
    await this.goModel.close();
    await this.service.close();
    await this.emulator.close();
  }

  /** Id of the next new entry our service publishes: the service remembers a creation it made until a read shows it, so a sample never publishes one that an earlier sample's undo removed. */
  private nextEntryId = 0;

  ours(newEntries: number): Promise<Sample> {
    if (newEntries === 0) return this.sample(0, () => this.client.sync(syncRequest(this.steady)));
    const newEntryId = Math.max(this.nextEntryId, this.scenario.history + 1);
    this.nextEntryId = newEntryId + 1;
    return this.sample(1, () => this.client.sync(syncRequest({ ...this.steady, newEntries: 1, newEntryId })), newEntryId);
  }

  model(newEntries: number): Promise<Sample> {
    return this.sample(newEntries, () => this.goModel.reconcile(modelInput(this.scenario, newEntries)));
  }

  private async sample(newEntries: number, run: () => Promise<unknown>, newEntryId = this.scenario.history + 1): Promise<Sample> {
    const pointsBefore = await pointsUsed(this.emulator);
    this.emulator.resetRequests();
    const waitedBefore = this.service.githubWaitMs();
    const started = performance.now();
    await run();
    const ms = performance.now() - started;
    const ownMs = ms - (this.service.githubWaitMs() - waitedBefore);
    const requests = this.emulator.counts();
    const points = (await pointsUsed(this.emulator)) - pointsBefore;
    if (newEntries > 0) await this.undoNewEntry(newEntryId);
    return { cost: { requests, points }, ms, ownMs };
  }

  /** Removes the deployment of the new entry again (inactive first: GitHub deletes only inactive deployments), so every sample starts from the same ledger. */
  private async undoNewEntry(id: number): Promise<void> {
    const revision = historyEntry(this.scenario.app, id).version.revision;
    const created = this.emulator.deployments(this.scenario.repository).filter((d) => d.sha === revision);
    if (created.length !== 1) throw new Error(`expected one deployment of the new entry, found ${created.length}`);
    const path = `${this.emulator.url}/repos/${this.scenario.repository}/deployments/${created[0]!.id}`;
    const headers = { authorization: `token ${TOKEN}`, 'content-type': 'application/json' };
    const inactive = await request(`${path}/statuses`, { method: 'POST', headers, body: JSON.stringify({ state: 'inactive' }) });
    await inactive.body.dump();
    const deleted = await request(path, { method: 'DELETE', headers });
    await deleted.body.dump();
    if (inactive.statusCode !== 201 || deleted.statusCode !== 204) throw new Error(`undo failed: ${inactive.statusCode}/${deleted.statusCode}`);
  }
}

/** (1): deterministic counts, so one sync of each kind per size on a zero-latency GitHub. */
export async function measureCounts(sizes: Size[]): Promise<CountsRow[]> {
  const rows: CountsRow[] = [];
  for (const size of sizes) {
    const bench = await Bench.start(size, 0);
    try {
      const ours = { steady: (await bench.ours(0)).cost, newEntry: (await bench.ours(1)).cost };
      const model = { steady: (await bench.model(0)).cost, newEntry: (await bench.model(1)).cost };
      if (ours.steady.requests.writes !== 0)
        throw new Error(`steady state wrote ${ours.steady.requests.writes} times at ${JSON.stringify(size)}: the seed is not what the service publishes`);
      rows.push({ ...size, deployments: size.environments * size.history, ours, model });
    } finally {
      await bench.close();
    }
  }
  return rows;
}

/**
 * (2): sync latency with `rttMs` added to every GitHub response. Ours first, one size after
 * the other; then the model, whose runs take N·RTT each, every size on its own emulator in
 * parallel (the run is dominated by waiting, not CPU).
 */
export async function measureLatency(sizes: Size[], rttMs: number, samples: { ours: number; model: number }): Promise<LatencyRow[]> {
  const rows: LatencyRow[] = [];
  for (const size of sizes) {
    const bench = await Bench.start(size, rttMs);
    try {
      const steady: Sample[] = [];
      const newEntry: Sample[] = [];
      for (let i = 0; i < samples.ours; i++) steady.push(await bench.ours(0));
      for (let i = 0; i < samples.ours; i++) newEntry.push(await bench.ours(1));
      rows.push({
        ...size,
        rttMs,
        ours: { steady: steady.map((x) => x.ms), newEntry: newEntry.map((x) => x.ms) },
        oursOwn: { steady: steady.map((x) => x.ownMs), newEntry: newEntry.map((x) => x.ownMs) },
        model: { steady: [], newEntry: [] },
      });
    } finally {
      await bench.close();
    }
  }
  await Promise.all(
    rows.flatMap((row) =>
      ([0, 1] as const).map(async (newEntries) => {
        const bench = await Bench.start(row, rttMs);
        try {
          for (let i = 0; i < samples.model; i++) (newEntries ? row.model.newEntry : row.model.steady).push((await bench.model(newEntries)).ms);
        } finally {
          await bench.close();
        }
      }),
    ),
  );
  return rows;
}
