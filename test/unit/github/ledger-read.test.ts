/**
 * The pure "what to fetch next" step of a ledger read: plans from answers, no I/O. Two
 * applications of one repository read together: one connection for all their environments,
 * discovery adds the rest, and each application gets only its own deployments back.
 */
import { encodePayload } from '../../../src/core/payload.js';
import { LedgerRead } from '../../../src/github/ledger-read.js';
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
