/**
 * The ledger read keeps each deployment's status window between reads: the main read selects
 * only `latestStatus`, and a follow-up request fetches the windows that are missing or whose
 * latest status changed. A cold read (no windows kept) selects every window inline instead. Whatever the windows, the ledger must be the one a single read of
 * latestStatus plus the newest 10 statuses (paged further when none is ours) yields.
 */
import { request } from 'undici';
import { newestRecognisable } from '../../src/core/bake-status.js';
import { deploymentTask, githubEnvironment } from '../../src/core/naming.js';
import type { Ledger, LedgerDeployment } from '../../src/core/types.js';
import { GitHubClient, type GitHubSession, type ReadLedgerResult } from '../../src/github/client.js';
import { GitHubEmulator, loadGitHubGraphQLSchema, type EmulatedDeployment, type EmulatedStatus } from '../../tools/github-emulator/index.js';
import { sortStatuses, STATUS_WINDOW, toLedgerDeployment, toStatus, type RawStatus } from '../../src/github/ledger-query.js';
import type { StatusWindows } from '../../src/github/status-windows.js';
import { REPOSITORY, steppingClock } from '../support/harness.js';
import { sha, TOKEN } from '../support/requests.js';

const SPEC = 'my-app';
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64');
const at = (minute: number) => new Date(Date.parse('2026-11-01T00:00:00Z') + minute * 60_000).toISOString().replace('.000Z', 'Z');
const envName = (i: number) => `env-${String(i).padStart(2, '0')}`;

let emulator: GitHubEmulator;
let client: GitHubClient;
let session: GitHubSession;
let environments: string[];

async function start(count: number, options: { buried?: boolean; onRequest?: () => void } = {}): Promise<void> {
  await loadGitHubGraphQLSchema(); // before the first read's timeout starts: seconds on a busy machine
  emulator = await GitHubEmulator.start({ tokens: [TOKEN], clock: steppingClock() });
  emulator.addRepository(REPOSITORY);
  client = new GitHubClient({ apiUrl: emulator.url, timeoutMs: 5000, ...(options.onRequest ? { onRequest: options.onRequest } : {}) });
  session = client.session({ type: 'token', token: TOKEN }, 'my-org', 'my-repo');
  environments = Array.from({ length: count }, (_, i) => envName(i));
  environments.forEach((env, i) => seedEnvironment(env, i * 100));
  if (options.buried) {
    seed(environments[0]!, 50, ours(3), [
      { state: 'failure', description: 'Bake failed: health check', minute: 51 },
      ...Array.from({ length: 12 }, (_, i) => ({ state: 'in_progress', description: `Smoke test ${i}`, minute: 52 + i })),
    ]);
  }
}

afterEach(async () => {
  await client?.close();
  await emulator?.close();
});

let nextId = 1;
/** `statuses` oldest first (seeds take them newest first, as REST lists them). */
function seed(env: string, minute: number, payload: string, statuses: { state: string; description: string; minute: number }[]): void {
  emulator.seedDeployment(REPOSITORY, {
    sha: sha(`d${nextId}`),
    task: 'deploy:kuberik/my-app',
    environment: githubEnvironment(SPEC, env),
    payload,
    created_at: at(minute),
    statuses: [...statuses].reverse().map((s) => ({ state: s.state, description: s.description, created_at: at(s.minute) })),
  });
  nextId++;
}

const ours = (id: number) => b64({ id: String(id), version: { tag: `v${id}`, revision: sha(`r${id}`) } });

/** Per environment: a baked deployment GitHub marked inactive, one without statuses, and a foreign one. */
function seedEnvironment(env: string, minute: number): void {
  seed(env, minute, ours(1), [
    { state: 'in_progress', description: 'Deploying', minute: minute + 1 },
    { state: 'success', description: 'Bake succeeded', minute: minute + 2 },
    { state: 'inactive', description: 'This deployment is inactive', minute: minute + 20 },
  ]);
  seed(env, minute + 10, ours(2), []);
  seed(env, minute + 11, JSON.stringify({ image: 'other-tool' }), [{ state: 'success', description: 'deployed', minute: minute + 12 }]);
}

/** The ledger as one read of latestStatus plus the newest STATUS_WINDOW statuses (and the rest when none is ours) decodes it. */
function expectedLedger(): Ledger {
  const rawStatus = (s: EmulatedStatus): RawStatus => ({
    state: s.state.toUpperCase(),
    description: s.description,
    environmentUrl: s.environment_url || null,
    createdAt: s.created_at,
  });
  const newestFirst = (a: EmulatedDeployment, b: EmulatedDeployment) => (a.created_at !== b.created_at ? (a.created_at < b.created_at ? 1 : -1) : b.id - a.id);
  const deployments: LedgerDeployment[] = [];
  for (const env of [...environments].sort()) {
    const github = githubEnvironment(SPEC, env);
    for (const d of emulator
      .deployments(REPOSITORY)
      .filter((x) => x.environment === github)
      .sort(newestFirst)) {
      const latest = d.statuses.at(-1);
      const decoded = toLedgerDeployment(
        {
          id: d.node_id,
          environment: d.environment,
          task: d.task,
          payload: d.payload as string,
          description: d.description,
          createdAt: d.created_at,
          latestStatus: latest ? rawStatus(latest) : null,
          statuses: {
            totalCount: d.statuses.length,
            pageInfo: { hasPreviousPage: false, startCursor: null },
            nodes: d.statuses.slice(-STATUS_WINDOW).map(rawStatus),
          },
        },
        github,
        deploymentTask(SPEC),
      );
      if (!decoded) continue;
      if (!newestRecognisable(decoded.statuses) && d.statuses.length > STATUS_WINDOW) {
        decoded.statuses = sortStatuses([...decoded.statuses, ...d.statuses.slice(0, -STATUS_WINDOW).map((s) => toStatus(rawStatus(s)))]);
      }
      deployments.push(decoded);
    }
  }
  return { environments: [...environments].sort(), deployments };
}

function read(statusWindows?: StatusWindows): Promise<ReadLedgerResult> {
  emulator.resetRequests();
  return session.readLedger({ specName: SPEC, knownEnvironments: environments, deadline: Date.now() + 10_000, ...(statusWindows ? { statusWindows } : {}) });
}

/** Node ids of our deployments that have statuses: the ones a read keeps a window for. */
function windowed(): string[] {
  return expectedLedger()
    .deployments.filter((d) => d.statuses.length > 0)
    .map((d) => d.nodeId)
    .sort();
}

// Cold points: GitHub's cost is (connections requested) / 100, rounded: the two discovery lists,
// one deployments connection per 10 environments and 100 status windows per page, so (2 + 101·⌈E/10⌉) / 100.
describe.each([
  [1, 1],
  [3, 1],
  [10, 1],
  [30, 3],
  [100, 10],
])('E=%i environments', (count, coldPoints) => {
  test(`cold: 1 request costing ${coldPoints} point(s); warm: 1 request costing 1 point; the same ledger either way`, async () => {
    await start(count);
    const expected = expectedLedger();
    expect(expected.deployments).toHaveLength(count * 2);

    const cold = await read();
    expect(cold.ledger).toEqual(expected);
    expect([cold.requests, cold.points, emulator.counts().graphql]).toEqual([1, coldPoints, 1]);
    expect(emulator.graphqlRequests[0]!.query).toContain('latestStatus { id state description environmentUrl createdAt } statuses(last: 10) {');
    expect([...cold.statusWindows.keys()].sort()).toEqual(windowed());

    const warm = await read(cold.statusWindows);
    expect(warm.ledger).toEqual(expected);
    expect([warm.requests, warm.points, emulator.counts().graphql]).toEqual([1, 1, 1]);
    expect(emulator.graphqlRequests[0]!.query).not.toContain('statuses');

    const again = await read(warm.statusWindows);
    expect(again.ledger).toEqual(expected);
    expect([again.requests, again.points]).toEqual([1, 1]);
  });
});

test('a window whose statuses are all from other tools is paged once, then kept', async () => {
  await start(1, { buried: true });
  const expected = expectedLedger();
  expect(expected.deployments.find((d) => d.payload.id === 3)!.statuses).toHaveLength(13);
  const cold = await read();
  expect(cold.ledger).toEqual(expected);
  // The deployments with their windows, then the older statuses of the buried one.
  expect([cold.requests, cold.points]).toEqual([2, 2]);
  expect(emulator.graphqlRequests[1]!.query).toContain('statuses(last: 100, before: $r0before0)');
  const warm = await read(cold.statusWindows);
  expect(warm.ledger).toEqual(expected);
  expect([warm.requests, warm.points]).toEqual([1, 1]);
});

describe('stale windows', () => {
  test('a new status, a deleted and a new deployment: only the changed windows are fetched, the ledger is current', async () => {
    await start(3);
    const warm = await read((await read()).statusWindows);
    expect(warm.requests).toBe(1);
    const [first, second, last] = environments.map((env) => expectedLedger().deployments.filter((d) => d.environment === env));

    // Our deployment without statuses gets one (a success: GitHub's auto-inactive may mark other deployments inactive too).
    const unstatused = first!.find((d) => d.statuses.length === 0)!;
    await session.postStatus(
      unstatused.nodeId,
      { state: 'success', description: 'Bake succeeded', environmentUrl: 'https://example.test/x' },
      Date.now() + 5000,
    );
    // Our baked deployment of the second environment, whose window the last read kept, gets a new status.
    const restatused = second!.find((d) => d.statuses.length > 0)!;
    await session.postStatus(restatused.nodeId, { state: 'failure', description: 'Bake failed: rolled back', environmentUrl: '' }, Date.now() + 5000);
    // The inactive deployment of the last environment is deleted.
    const deleted = last!.find((d) => d.statuses[0]?.state === 'inactive')!;
    const deletedId = emulator.deployments(REPOSITORY).find((d) => d.node_id === deleted.nodeId)!.id;
    const response = await request(`${emulator.url}/repos/${REPOSITORY}/deployments/${deletedId}`, {
      method: 'DELETE',
      headers: { authorization: `token ${TOKEN}`, 'user-agent': 'test' },
    });
    expect(response.statusCode).toBe(204);
    await response.body.dump();
    // A new deployment with a status appears in the second environment.
    seed(environments[1]!, 500, ours(9), [{ state: 'in_progress', description: 'Deploying', minute: 501 }]);

    const expected = expectedLedger();
    expect(expected.deployments.map((d) => d.nodeId)).not.toContain(deleted.nodeId);
    const stale = await read(warm.statusWindows);
    expect(stale.ledger).toEqual(expected);
    expect([stale.requests, stale.points]).toEqual([2, 2]);
    const followUp = emulator.graphqlRequests[1]!;
    const fetched = Object.entries(followUp.variables)
      .filter(([name]) => name.startsWith('r0deployment'))
      .map(([, id]) => id);
    const created = expected.deployments.find((d) => d.payload.id === 9)!;
    expect(fetched.sort()).toEqual([unstatused.nodeId, restatused.nodeId, created.nodeId].sort());
    expect(stale.ledger.deployments.find((d) => d.nodeId === restatused.nodeId)!.statuses[0]!.description).toBe('Bake failed: rolled back');
    expect([...stale.statusWindows.keys()].sort()).toEqual(windowed());

    const settled = await read(stale.statusWindows);
    expect(settled.ledger).toEqual(expected);
    expect([settled.requests, settled.points]).toEqual([1, 1]);
  });

  test('a window is used only while its latest status matches: a doctored one is refetched', async () => {
    await start(1);
    const cold = await read();
    const baked = cold.ledger.deployments.find((d) => d.payload.id === 1)!;
    const doctored = new Map(cold.statusWindows);
    doctored.set(baked.nodeId, { latest: 'something else', statuses: [] });
    const result = await read(doctored);
    expect(result.ledger).toEqual(expectedLedger());
    expect(result.requests).toBe(2);
    expect(emulator.graphqlRequests[1]!.variables).toEqual({ r0owner: 'my-org', r0name: 'my-repo', r0deployment0: baked.nodeId });
  });
});

test('a cold read whose inline window GitHub could not give fetches that window by node id', async () => {
  await start(1);
  const github = githubEnvironment(SPEC, environments[0]!);
  const rawStatus = (st: EmulatedStatus) => ({
    id: st.node_id,
    state: st.state.toUpperCase(),
    description: st.description,
    environmentUrl: st.environment_url || null,
    createdAt: st.created_at,
  });
  const stored = emulator.deployments(REPOSITORY).sort((a, b) => b.id - a.id);
  const baked = stored.find((d) => d.statuses.length === 3)!;
  const nodes = stored.map((d) => ({
    id: d.node_id,
    environment: d.environment,
    task: d.task,
    payload: d.payload,
    description: d.description,
    createdAt: d.created_at,
    latestStatus: d.statuses.length > 0 ? rawStatus(d.statuses.at(-1)!) : null,
    statuses: d === baked ? null : { totalCount: d.statuses.length, pageInfo: { hasPreviousPage: false, startCursor: null }, nodes: d.statuses.map(rawStatus) },
  }));
  const noPage = { hasNextPage: false, endCursor: null };
  emulator.injectFault({
    match: { api: 'graphql' },
    action: {
      kind: 'respond',
      status: 200,
      body: {
        data: {
          r0: { id: 'R_1', environments: { pageInfo: noPage, nodes: [{ name: github }] }, recent: { nodes: [] }, d0: { pageInfo: noPage, nodes } },
          rateLimit: { cost: 1, remaining: 4999, resetAt: '2026-11-26T13:00:00Z' },
        },
      },
    },
  });
  const result = await read();
  expect(result.ledger).toEqual(expectedLedger());
  expect([result.requests, emulator.counts().graphql]).toEqual([2, 2]);
  expect(emulator.graphqlRequests[1]!.variables).toEqual({ r0owner: 'my-org', r0name: 'my-repo', r0deployment0: baked.node_id });
  expect([...result.statusWindows.keys()].sort()).toEqual(windowed());
});

test('a deployment GitHub no longer returns between the two requests fails the read (transient) instead of losing its statuses', async () => {
  let seen = 0;
  await start(1, {
    onRequest: () => {
      // After the main read: the window request gets no deployment back.
      if (++seen === 1) {
        emulator.injectFault({
          match: { api: 'graphql' },
          action: {
            kind: 'respond',
            status: 200,
            body: { data: { r0: { id: 'R_1' }, r0s0: null, rateLimit: { cost: 1, remaining: 4998, resetAt: '2026-11-26T13:00:00Z' } } },
          },
        });
      }
    },
  });
  // Kept windows (none of them for this deployment): the window is fetched by node id.
  await expect(read(new Map())).rejects.toMatchObject({
    name: 'GitHubOperationError',
    problem: { reason: 'GitHubPartialResponse', message: 'GitHub did not return the statuses of a deployment it had just listed', transient: true },
  });
  expect(emulator.counts().graphql).toBe(2);
});

test('a large application in steady state: the counts of the previous read give each full environment a connection, so the read is 1 request', async () => {
  await start(0);
  environments = ['env-a', 'env-b', 'env-c'];
  // 100, 60 and 40 deployments (every fifth with a baked status): 200 in one connection would be 2 sequential pages.
  [100, 60, 40].forEach((n, e) => {
    for (let i = 0; i < n; i++) {
      const minute = e * 1000 + i * 2;
      seed(environments[e]!, minute, ours(i), i % 5 === 0 ? [{ state: 'success', description: 'Bake succeeded', minute: minute + 1 }] : []);
    }
  });
  const expected = expectedLedger();
  const cold = await read();
  expect(cold.ledger).toEqual(expected);
  expect(cold.deploymentCounts).toEqual({ 'env-a': 100, 'env-b': 60, 'env-c': 40 });
  const uncounted = await read(cold.statusWindows);
  expect([uncounted.ledger, uncounted.requests, uncounted.points]).toEqual([expected, 2, 2]);

  emulator.resetRequests();
  const counted = await session.readLedger({
    specName: SPEC,
    knownEnvironments: environments,
    deadline: Date.now() + 10_000,
    statusWindows: cold.statusWindows,
    deploymentCounts: cold.deploymentCounts,
  });
  expect(counted.ledger).toEqual(expected);
  expect([counted.requests, counted.points, emulator.counts().graphql]).toEqual([1, 1, 1]);
  expect(counted.deploymentCounts).toEqual(cold.deploymentCounts);
});
