/**
 * (6) Namespace: many Environments in one namespace under Metacontroller. /customize asks
 * for every Environment of the namespace (siblings), so each sync request carries all of
 * them with their statuses, and Metacontroller enqueues every parent whose related rules
 * match an object that changed (metacontroller v4.17.2,
 * pkg/controller/common/customize/manager.go:310-351): one Environment's status write
 * re-syncs every Environment of the namespace. This section measures the request size and
 * the syncs that one status change sets off, replaying Metacontroller's rule against the
 * service (in this process) and the GitHub emulator.
 */
import { pointsUsed, startGitHub } from '../github.js';
import { environmentNames, environmentObject, syncRequest, type AppScenario, type SyncInput } from '../scenario.js';
import { seedScenario } from '../scenario.js';
import { HookClient, startService, type SyncResponse } from '../service.js';
import { median, percentile } from '../stats.js';

export interface NamespaceOptions {
  /** Environments in the namespace, one row each. */
  sizes: number[];
  /** Environments per application (one repository each); sizes must be multiples of it. */
  perApplication: number;
  history: number;
}

export interface NamespaceRow {
  environments: number;
  applications: number;
  /** Bytes of one steady-state sync request (median and largest over the namespace's Environments). */
  requestBytes: number;
  largestRequestBytes: number;
  responseBytes: number;
  syncP50Ms: number;
  syncP95Ms: number;
}

export interface CascadeRound {
  syncs: number;
  /** Syncs whose answer changed the Environment's status: each is a status write, which enqueues the namespace again. */
  statusChanges: number;
  githubRequests: number;
  points: number;
  seconds: number;
}

export interface NamespaceResult {
  rows: NamespaceRow[];
  /** One new history entry on one Environment of the largest namespace, followed until no status changes. */
  cascade: { environments: number; rounds: CascadeRound[] };
}

const NAMESPACE = 'team';
const MAX_ROUNDS = 6;

interface Member {
  scenario: AppScenario;
  environment: string;
  status: Record<string, unknown>;
  gate: Record<string, unknown> | undefined;
  newEntries: number;
}

export async function measureNamespace(options: NamespaceOptions): Promise<NamespaceResult> {
  const rows: NamespaceRow[] = [];
  let cascade: NamespaceResult['cascade'] = { environments: 0, rounds: [] };
  const largest = Math.max(...options.sizes);
  for (const size of options.sizes) {
    const result = await measureSize(size, options, size === largest);
    rows.push(result.row);
    if (result.cascade) cascade = { environments: size, rounds: result.cascade };
  }
  return { rows, cascade };
}

async function measureSize(size: number, options: NamespaceOptions, withCascade: boolean): Promise<{ row: NamespaceRow; cascade?: CascadeRound[] }> {
  if (size % options.perApplication !== 0) throw new Error(`namespace size ${size} is not a multiple of ${options.perApplication}`);
  const emulator = await startGitHub();
  const applications = size / options.perApplication;
  const members: Member[] = [];
  for (let a = 0; a < applications; a++) {
    const scenario: AppScenario = {
      repository: `bench-org/app${a}`,
      app: `app${String(a).padStart(3, '0')}`,
      namespace: NAMESPACE,
      environments: environmentNames(options.perApplication),
      history: options.history,
    };
    emulator.addRepository(scenario.repository);
    seedScenario(emulator, scenario);
    for (const environment of scenario.environments) members.push({ scenario, environment, status: {}, gate: undefined, newEntries: 0 });
  }
  const service = await startService(emulator.url);
  const client = new HookClient(service.url, 1);
  try {
    // What Metacontroller sends: the member's own request, with every Environment of the namespace (and its last status) as related.
    const request = (m: Member): Record<string, unknown> => {
      const input: SyncInput = { scenario: m.scenario, environment: m.environment, observedStatus: m.status, observedGate: m.gate, newEntries: m.newEntries };
      const body = syncRequest(input) as { related: Record<string, Record<string, unknown>> };
      body.related['Environment.environments.kuberik.com/v1alpha1'] = Object.fromEntries(
        members.map((other) => [`${NAMESPACE}/${other.scenario.app}-${other.environment}`, environmentObject(other.scenario, other.environment, other.status)]),
      );
      return body;
    };
    const sync = async (m: Member): Promise<{ changed: boolean; requestBytes: number; responseBytes: number; ms: number }> => {
      const body = request(m);
      const requestBytes = Buffer.byteLength(JSON.stringify(body));
      const started = performance.now();
      const response: SyncResponse = await client.sync(body);
      const ms = performance.now() - started;
      const next = { ...response.status, observedGeneration: 1 };
      const changed = JSON.stringify(next) !== JSON.stringify(m.status);
      m.status = next;
      const gate = response.children[0];
      m.gate = gate ? { ...gate, metadata: { ...(gate.metadata as object), namespace: NAMESPACE } } : undefined;
      return { changed, requestBytes, responseBytes: Buffer.byteLength(JSON.stringify(response)), ms };
    };

    // Steady state: sync every member until no status changes.
    for (let round = 0; round < MAX_ROUNDS; round++) {
      let changed = 0;
      for (const m of members) if ((await sync(m)).changed) changed++;
      if (changed === 0) break;
    }
    const steady: { requestBytes: number; responseBytes: number; ms: number }[] = [];
    for (const m of members) steady.push(await sync(m));
    const row: NamespaceRow = {
      environments: size,
      applications,
      requestBytes: median(steady.map((s) => s.requestBytes)),
      largestRequestBytes: Math.max(...steady.map((s) => s.requestBytes)),
      responseBytes: median(steady.map((s) => s.responseBytes)),
      syncP50Ms: percentile(
        steady.map((s) => s.ms),
        50,
      ),
      syncP95Ms: percentile(
        steady.map((s) => s.ms),
        95,
      ),
    };
    if (!withCascade) return { row };

    // One status change: the upstream Environment of the first application gets a new history entry.
    const rounds: CascadeRound[] = [];
    members[0]!.newEntries = 1;
    let queue: Member[] = [members[0]!];
    while (queue.length > 0 && rounds.length < MAX_ROUNDS) {
      const before = emulator.counts().total;
      const pointsBefore = await pointsUsed(emulator);
      const started = performance.now();
      let statusChanges = 0;
      for (const m of queue) if ((await sync(m)).changed) statusChanges++;
      rounds.push({
        syncs: queue.length,
        statusChanges,
        githubRequests: emulator.counts().total - before,
        points: (await pointsUsed(emulator)) - pointsBefore,
        seconds: (performance.now() - started) / 1000,
      });
      // Any status write enqueues every Environment of the namespace (the workqueue holds each key once).
      queue = statusChanges > 0 ? [...members] : [];
    }
    return { row, cascade: rounds };
  } finally {
    await client.close();
    await service.close();
    await emulator.close();
  }
}
