import { validate } from '@octokit/graphql-schema';
import { buildBatchQuery, buildLedgerQuery, plannedRequests, toLedgerDeployment } from '../../../src/github/ledger-query.js';

describe('buildLedgerQuery', () => {
  const plans = {
    'environment list only': { listEnvironments: true, deployments: [], statusPages: [] },
    'two environments, second page of one': {
      listEnvironments: false,
      deployments: [{ environments: ['kuberik/my-app/staging'] }, { environments: ['kuberik/my-app/production'], after: 'Y3Vyc29y' }],
      statusPages: [],
    },
    'cold: deployments with their windows': {
      listEnvironments: true,
      deployments: [{ environments: ['kuberik/my-app/staging'] }],
      statusPages: [{ deploymentId: 'DE_1', before: 'Y3Vy' }],
      inlineWindows: true,
    },
    'status pages': { listEnvironments: false, deployments: [], statusPages: [{ deploymentId: 'DE_1', before: 'Y3Vy' }] },
    'status windows and a status page': {
      listEnvironments: false,
      deployments: [],
      statusPages: [{ deploymentId: 'DE_1' }, { deploymentId: 'DE_2', before: 'Y3Vy' }],
    },
    everything: {
      listEnvironments: true,
      environmentsAfter: 'ZW52',
      deployments: [{ environments: ['kuberik/my-app/staging'] }],
      statusPages: [{ deploymentId: 'DE_1', before: 'Y3Vy' }],
    },
  };

  test.each(Object.entries(plans))("%s: valid against GitHub's published schema", (_name, plan) => {
    const { query } = buildLedgerQuery(plan, 'my-org', 'my-repo');
    expect(validate(query)).toEqual([]);
  });

  test('the deployments carry their latest status (with its id) but no statuses connection', () => {
    const { query } = buildLedgerQuery({ listEnvironments: true, deployments: [{ environments: ['kuberik/my-app/staging'] }], statusPages: [] }, 'o', 'r');
    expect(query).not.toContain('statuses');
    expect(query).toContain('latestStatus { id state description environmentUrl createdAt }');
  });

  test("a cold read selects each deployment's window with its latest status", () => {
    const { query } = buildLedgerQuery(
      { listEnvironments: false, deployments: [{ environments: ['kuberik/my-app/staging'] }], statusPages: [], inlineWindows: true },
      'o',
      'r',
    );
    expect(query.slice(query.indexOf(' fragment '))).toBe(
      ' fragment LedgerPageWithWindows on DeploymentConnection { pageInfo { hasNextPage endCursor } nodes { id environment task payload description createdAt ' +
        'latestStatus { id state description environmentUrl createdAt } statuses(last: 10) { totalCount pageInfo { hasPreviousPage startCursor } nodes { state description environmentUrl createdAt } } } }',
    );
  });

  test('a status window is the newest 10 statuses of a deployment, by node id', () => {
    const { query, variables } = buildLedgerQuery({ listEnvironments: false, deployments: [], statusPages: [{ deploymentId: 'DE_1' }] }, 'o', 'r');
    expect(query).toBe(
      'query ReadLedger($r0owner: String!, $r0name: String!, $r0deployment0: ID!) { r0: repository(owner: $r0owner, name: $r0name) { id } ' +
        'r0s0: node(id: $r0deployment0) { ... on Deployment { statuses(last: 10) { totalCount pageInfo { hasPreviousPage startCursor } nodes { state description environmentUrl createdAt } } } } rateLimit { cost limit remaining resetAt } }',
    );
    expect(variables).toEqual({ r0owner: 'o', r0name: 'r', r0deployment0: 'DE_1' });
  });

  test('one connection reads all the environments it is given', () => {
    const { query, variables } = buildLedgerQuery(
      { listEnvironments: false, deployments: [{ environments: ['kuberik/a/staging', 'kuberik/a/production'] }], statusPages: [] },
      'o',
      'r',
    );
    expect(query).toContain(
      'r0: repository(owner: $r0owner, name: $r0name) { id d0: deployments(environments: $r0env0, first: 100, after: $r0after0, orderBy: {field: CREATED_AT, direction: DESC}) { ...LedgerPage } }',
    );
    expect(variables.r0env0).toEqual(['kuberik/a/staging', 'kuberik/a/production']);
  });

  test("several repositories' steps in one query: each its own alias and variables, valid against GitHub's schema", () => {
    const step = (env: string) => ({ listEnvironments: true, deployments: [{ environments: [env] }], statusPages: [{ deploymentId: 'DE_1' }] });
    const { query, variables } = buildBatchQuery([
      { owner: 'o', repo: 'one', plan: step('kuberik/a/staging') },
      { owner: 'o', repo: 'two', plan: { ...step('kuberik/b/staging'), inlineWindows: true } },
    ]);
    expect(validate(query)).toEqual([]);
    expect(query.match(/ r\d: repository/g)).toEqual([' r0: repository', ' r1: repository']);
    expect(query.match(/ r\ds\d: node/g)).toEqual([' r0s0: node', ' r1s0: node']);
    expect(query.match(/ fragment \w+/g)).toEqual([' fragment LedgerPage', ' fragment LedgerPageWithWindows']);
    expect([variables.r0name, variables.r1name, variables.r0env0, variables.r1env0]).toEqual(['one', 'two', ['kuberik/a/staging'], ['kuberik/b/staging']]);
  });

  test("planned requests follow GitHub's cost formula", () => {
    expect(plannedRequests({ listEnvironments: true, deployments: [{ environments: ['e'] }], statusPages: [] })).toBe(3);
    expect(plannedRequests({ listEnvironments: true, environmentsAfter: 'x', deployments: [], statusPages: [{ deploymentId: 'D' }] })).toBe(2);
    expect(
      plannedRequests({ listEnvironments: false, deployments: [{ environments: ['e'] }, { environments: ['f'] }], statusPages: [], inlineWindows: true }),
    ).toBe(202);
  });

  test('never selects databaseId and passes every value as a variable', () => {
    const hostile = 'kuberik/my-app/x") { viewer { login } } #';
    const { query, variables } = buildLedgerQuery(
      { listEnvironments: true, deployments: [{ environments: [hostile] }], statusPages: [] },
      'evil"owner',
      'repo',
    );
    expect(query).not.toContain('databaseId');
    expect(query).not.toContain('viewer');
    expect(query).not.toContain('evil');
    expect(variables).toEqual({ r0owner: 'evil"owner', r0name: 'repo', r0environmentsAfter: null, r0env0: [hostile], r0after0: null });
  });
});

describe('toLedgerDeployment', () => {
  test('merges the status window with latestStatus, newest first, without duplicates', () => {
    const status = (state: string, description: string, createdAt: string) => ({ state, description, environmentUrl: null, createdAt });
    const d = toLedgerDeployment(
      {
        id: 'DE_1',
        environment: 'kuberik/my-app/staging',
        task: 'deploy:kuberik/my-app',
        payload: Buffer.from('{"id":"3","version":{"tag":"v3","revision":"abc"}}').toString('base64'),
        description: null,
        createdAt: '2026-11-01T00:00:00Z',
        latestStatus: status('INACTIVE', 'This deployment is inactive', '2026-11-01T00:03:00Z'),
        statuses: {
          totalCount: 3,
          pageInfo: { hasPreviousPage: false, startCursor: null },
          nodes: [
            status('IN_PROGRESS', 'Deploying', '2026-11-01T00:01:00Z'),
            status('SUCCESS', 'Bake succeeded', '2026-11-01T00:02:00Z'),
            status('INACTIVE', 'This deployment is inactive', '2026-11-01T00:03:00Z'),
          ],
        },
      },
      'kuberik/my-app/staging',
      'deploy:kuberik/my-app',
    );
    expect(d).toEqual({
      nodeId: 'DE_1',
      environment: 'staging',
      payload: { id: 3, version: { tag: 'v3', revision: 'abc' } },
      createdAt: '2026-11-01T00:00:00Z',
      description: '',
      statuses: [
        { state: 'inactive', description: 'This deployment is inactive', environmentUrl: '', createdAt: '2026-11-01T00:03:00Z' },
        { state: 'success', description: 'Bake succeeded', environmentUrl: '', createdAt: '2026-11-01T00:02:00Z' },
        { state: 'in_progress', description: 'Deploying', environmentUrl: '', createdAt: '2026-11-01T00:01:00Z' },
      ],
    });
  });

  test("statuses created in the same second keep GitHub's order: the last one is the newest", () => {
    const at = '2026-11-01T00:01:00Z';
    const status = (state: string, description: string) => ({ state, description, environmentUrl: null, createdAt: at });
    const d = toLedgerDeployment(
      {
        id: 'DE_2',
        environment: 'kuberik/my-app/staging',
        task: 'deploy:kuberik/my-app',
        payload: Buffer.from('{"id":"1","version":{"tag":"v1","revision":"abc"}}').toString('base64'),
        description: null,
        createdAt: at,
        latestStatus: status('INACTIVE', 'Environment deleted'),
        statuses: {
          totalCount: 3,
          pageInfo: { hasPreviousPage: false, startCursor: null },
          nodes: [status('IN_PROGRESS', 'Deploying'), status('SUCCESS', 'Bake succeeded'), status('INACTIVE', 'Environment deleted')],
        },
      },
      'kuberik/my-app/staging',
      'deploy:kuberik/my-app',
    );
    expect(d!.statuses.map((s) => s.description)).toEqual(['Environment deleted', 'Bake succeeded', 'Deploying']);
  });
});

describe('toLedgerDeployment: only our task is ours (spec §4)', () => {
  const raw = (task: string | null) => ({
    id: 'DE_9',
    environment: 'kuberik/my-app/staging',
    task,
    // A kuberik-shaped payload: only the task tells it apart.
    payload: Buffer.from('{"id":"9","version":{"tag":"v9","revision":"abc"}}').toString('base64'),
    description: null,
    createdAt: '2026-11-01T00:00:00Z',
    latestStatus: { state: 'SUCCESS', description: 'Bake succeeded', environmentUrl: null, createdAt: '2026-11-01T00:01:00Z' },
  });

  test.each([['deploy'], ['deploy:kuberik/other-app'], ['deploy:my-app'], [null]])('task %j is another tool’s deployment: not read', (task) => {
    expect(toLedgerDeployment(raw(task), 'kuberik/my-app/staging', 'deploy:kuberik/my-app')).toBeNull();
  });

  test('task deploy:kuberik/my-app is read', () => {
    expect(toLedgerDeployment(raw('deploy:kuberik/my-app'), 'kuberik/my-app/staging', 'deploy:kuberik/my-app')?.payload).toEqual({
      id: 9,
      version: { tag: 'v9', revision: 'abc' },
    });
  });

  test('the ledger query selects task', () => {
    const { query } = buildLedgerQuery({ listEnvironments: false, deployments: [{ environments: ['kuberik/my-app/staging'] }], statusPages: [] }, 'o', 'r');
    expect(query).toContain('nodes { id environment task payload description createdAt latestStatus');
  });
});
