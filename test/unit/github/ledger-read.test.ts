/**
 * The pure "what to fetch next" step of a ledger read: plans from answers, no I/O. Two
 * applications of one repository read together: one connection for all their environments,
 * discovery adds the rest, and each application gets only its own deployments back.
 */
import { encodePayload } from '../../../src/core/payload.js';
import { LedgerRead, planConnections } from '../../../src/github/ledger-read.js';
import type { RawDeployment, RawRepository } from '../../../src/github/ledger-query.js';
import { latestFingerprint } from '../../../src/github/status-windows.js';

const REV = 'a'.repeat(40);
const page = (nodes: RawDeployment[], next?: string) => ({ pageInfo: { hasNextPage: next !== undefined, endCursor: next ?? null }, nodes });
const status = (state: string, description: string) => ({ id: `S_${state}`, state, description, environmentUrl: null, createdAt: '2026-12-01T10:00:00Z' });

function deployment(id: string, app: string, environment: string, latest = status('SUCCESS', 'Bake succeeded')): RawDeployment {
  return {
    id,
    environment: `kuberik/${app}/${environment}`,
    task: `deploy:kuberik/${app}`,
    payload: encodePayload({ id: 1, version: { tag: 'v1', revision: REV } }),
    description: null,
    createdAt: '2026-12-01T09:00:00Z',
    latestStatus: latest,
  };
}

function repository(fields: Record<string, unknown>, environments: string[] = []): RawRepository {
  const list = { pageInfo: { hasNextPage: false, endCursor: null }, nodes: environments.map((name) => ({ name })) };
  return { id: 'R_1', environments: list, recent: { nodes: [] }, ...fields };
}

describe('LedgerRead', () => {
  test("first plan: the repository's environment list and one connection for every known environment of both applications", () => {
    const read = new LedgerRead({
      applications: [
        { specName: 'web', knownEnvironments: ['staging', 'production'] },
        { specName: 'api', knownEnvironments: ['staging'] },
      ],
      statusWindows: new Map(),
    });
    expect(read.next()).toEqual({
      listEnvironments: true,
      deployments: [{ environments: ['kuberik/api/staging', 'kuberik/web/production', 'kuberik/web/staging'] }],
      statusPages: [],
      inlineWindows: false,
    });
  });

  test('discovered environments get a connection of their own; every page is followed; each application gets its own deployments', () => {
    const kept = status('SUCCESS', 'Bake succeeded');
    const windows = new Map([
      [
        'D_web_1',
        {
          latest: latestFingerprint(kept),
          statuses: [{ state: 'success' as const, description: 'Bake succeeded', environmentUrl: '', createdAt: '2026-12-01T10:00:00Z' }],
        },
      ],
      [
        'D_api_1',
        {
          latest: latestFingerprint(kept),
          statuses: [{ state: 'success' as const, description: 'Bake succeeded', environmentUrl: '', createdAt: '2026-12-01T10:00:00Z' }],
        },
      ],
    ]);
    const read = new LedgerRead({
      applications: [
        { specName: 'web', knownEnvironments: ['staging'] },
        { specName: 'api', knownEnvironments: ['staging'] },
      ],
      statusWindows: windows,
    });
    const first = read.next()!;
    // GitHub names environments without regard to case: the name asked for is kept.
    const upperCased = { ...deployment('D_web_1', 'web', 'staging'), environment: 'kuberik/web/STAGING' };
    read.absorb(
      first,
      repository(
        { d0: page([upperCased, deployment('D_api_1', 'api', 'staging'), { ...deployment('D_other', 'web', 'staging'), task: 'deploy:someone-else' }], 'c1') },
        ['kuberik/web/staging', 'kuberik/web/production', 'kuberik/unrelated/production'],
      ),
      [],
      'o/r',
    );
    const second = read.next()!;
    expect(second).toEqual({
      listEnvironments: false,
      deployments: [{ environments: ['kuberik/api/staging', 'kuberik/web/staging'], after: 'c1' }, { environments: ['kuberik/web/production'] }],
      statusPages: [],
      inlineWindows: false,
    });
    read.absorb(
      second,
      repository({ d0: page([]), d1: page([deployment('D_web_2', 'web', 'production', status('IN_PROGRESS', 'Baking in progress'))]) }),
      [],
      'o/r',
    );
    // The new deployment's latest status has no kept window: its window is fetched by node id.
    const third = read.next()!;
    expect(third).toEqual({ listEnvironments: false, deployments: [], statusPages: [{ deploymentId: 'D_web_2' }], inlineWindows: false });
    read.absorb(
      third,
      repository({}),
      [{ statuses: { totalCount: 1, pageInfo: { hasPreviousPage: false, startCursor: null }, nodes: [status('IN_PROGRESS', 'Baking in progress')] } }],
      'o/r',
    );
    expect(read.next()).toBeUndefined();
    const results = read.results();
    expect([...results.keys()]).toEqual(['web', 'api']);
    expect(results.get('web')!.ledger.environments).toEqual(['production', 'staging']);
    expect(results.get('web')!.ledger.deployments.map((d) => [d.nodeId, d.environment, d.statuses[0]!.state])).toEqual([
      ['D_web_2', 'production', 'in_progress'],
      ['D_web_1', 'staging', 'success'],
    ]);
    expect(results.get('api')!.ledger.deployments.map((d) => d.nodeId)).toEqual(['D_api_1']);
    expect([...results.get('web')!.statusWindows.keys()]).toEqual(['D_web_2', 'D_web_1']);
  });

  test('a repository GitHub does not return fails the read: RepositoryNotFound, not transient', () => {
    const read = new LedgerRead({ applications: [{ specName: 'web', knownEnvironments: ['staging'] }] });
    expect(() => read.absorb(read.next()!, null, [], 'o/gone')).toThrow(
      expect.objectContaining({
        problem: { reason: 'RepositoryNotFound', message: 'Repository o/gone was not found or the token cannot read it', transient: false },
      }),
    );
  });

  test('a cold read of one repository selects windows inline unless told not to', () => {
    expect(new LedgerRead({ applications: [{ specName: 'web', knownEnvironments: ['staging'] }] }).next()!.inlineWindows).toBe(true);
    expect(new LedgerRead({ applications: [{ specName: 'web', knownEnvironments: ['staging'] }], inlineWindows: false }).next()!.inlineWindows).toBe(false);
  });
});

describe('connections of the first request', () => {
  const web = (env: string) => `kuberik/web/${env}`;

  test('counted environments are packed by decreasing count while they fit one page (at most 10 names); uncounted ones go 10 to a connection', () => {
    const counts = new Map([
      [web('a'), 60],
      [web('b'), 50],
      [web('c'), 40],
      [web('d'), 100],
      [web('e'), 150],
      [web('f'), 0],
    ]);
    expect(planConnections(['e', 'h', 'd', 'c', 'g', 'b', 'f', 'a'].map(web), counts)).toEqual([
      [web('a'), web('c')],
      [web('b')],
      [web('d'), web('f')],
      [web('e')],
      [web('g'), web('h')],
    ]);
    const small = Array.from({ length: 12 }, (_, i) => web(`s${String(i).padStart(2, '0')}`));
    expect(planConnections(small, new Map(small.map((env) => [env, 1])))).toEqual([small.slice(0, 10), small.slice(10)]);
    expect(planConnections(small, new Map())).toEqual([small.slice(0, 10), small.slice(10)]);
  });

  test('steady state of a large application: each full environment has a connection of its own, so the first request reads every page', () => {
    const environments = Array.from({ length: 10 }, (_, i) => `env-${i}`);
    const full = Object.fromEntries(environments.map((env) => [env, 100]));
    expect(
      new LedgerRead({ applications: [{ specName: 'web', knownEnvironments: environments, deploymentCounts: full }], statusWindows: new Map() }).next(),
    ).toEqual({
      listEnvironments: true,
      deployments: environments.map((env) => ({ environments: [web(env)] })),
      statusPages: [],
      inlineWindows: false,
    });
    const twenty = Object.fromEntries(environments.map((env) => [env, 20]));
    expect(
      new LedgerRead({ applications: [{ specName: 'web', knownEnvironments: environments, deploymentCounts: twenty }], statusWindows: new Map() }).next()!
        .deployments,
    ).toEqual([{ environments: environments.slice(0, 5).map(web) }, { environments: environments.slice(5).map(web) }]);
  });

  test('two applications: counts are per application; an environment without a count (new since the last read) shares with the other uncounted ones', () => {
    const read = new LedgerRead({
      applications: [
        { specName: 'web', knownEnvironments: ['staging', 'production', 'canary'], deploymentCounts: { staging: 70, production: 90 } },
        { specName: 'api', knownEnvironments: ['staging', 'production'], deploymentCounts: { staging: 30, production: 5 } },
      ],
      statusWindows: new Map(),
    });
    expect(read.next()!.deployments).toEqual([
      { environments: ['kuberik/api/production', 'kuberik/web/production'] },
      { environments: ['kuberik/api/staging', 'kuberik/web/staging'] },
      { environments: ['kuberik/web/canary'] },
    ]);
  });

  test('the result counts every deployment GitHub listed per environment (any task, every page), zero where there was none, for the next read', () => {
    // Without statuses: no windows to fetch.
    const bare = (id: string): RawDeployment => ({ ...deployment(id, 'web', 'staging'), latestStatus: null });
    const read = new LedgerRead({ applications: [{ specName: 'web', knownEnvironments: ['staging', 'production'] }], statusWindows: new Map() });
    const first = read.next()!;
    expect(first.deployments).toEqual([{ environments: ['kuberik/web/production', 'kuberik/web/staging'] }]);
    read.absorb(
      first,
      repository({ d0: page([bare('D_1'), { ...bare('D_2'), task: 'deploy:someone-else' }], 'c1') }, [
        'kuberik/web/staging',
        'kuberik/web/production',
        'kuberik/web/canary',
      ]),
      [],
      'o/r',
    );
    const second = read.next()!;
    expect(second.deployments).toEqual([
      { environments: ['kuberik/web/production', 'kuberik/web/staging'], after: 'c1' },
      { environments: ['kuberik/web/canary'] },
    ]);
    read.absorb(second, repository({ d0: page([{ ...bare('D_3'), payload: 'not ours' }]), d1: page([]) }), [], 'o/r');
    expect(read.next()).toBeUndefined();
    expect(read.results().get('web')!.deploymentCounts).toEqual({ canary: 0, production: 0, staging: 3 });
  });
});
