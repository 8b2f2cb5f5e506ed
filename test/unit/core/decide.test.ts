import { decideFinalize, decideSync, type DesiredState, type GitHubProblem } from '../../../src/core/decide.js';
import { gateObject } from '../../../src/core/gate.js';
import { interpret, type EnvironmentIdentity, type Interpretation } from '../../../src/core/interpret.js';
import type { EnvironmentInfo, EnvironmentStatus } from '../../../src/generated/environment.js';
import type { RolloutGate } from '../../../src/generated/kubernetes.js';
import type { Ledger } from '../../../src/core/types.js';
import { REV_V100, REV_V110, REV_V120 } from './helpers.js';
import {
  checkSpec,
  DEV_URL,
  environment,
  interpretRequest,
  ledger,
  LOCAL_URL,
  NS,
  productionSpec,
  request,
  REV_V090,
  rollout,
  secret,
  settledRollout,
  SELF,
  siblings,
  STAGING_URL,
  TOKEN,
  type RequestOptions,
} from './scenario.js';

const T1 = '2026-11-21T10:00:00Z';
const T2 = '2026-11-21T10:01:00Z';
const T3 = '2026-11-21T10:02:00Z';
const GATE = 'my-app-production-gate';
const options = (now: string) => ({ now, localEnvironmentUrl: LOCAL_URL, unconfirmedWindowMs: 40_000 });

function ok(interpretation: Interpretation) {
  if (!interpretation.ok) throw new Error(`expected a usable request, got ${interpretation.problem.reason}: ${interpretation.problem.message}`);
  return interpretation.context;
}

function sync(
  requestOptions: RequestOptions,
  ledgerValue: Ledger | undefined,
  now: string,
  extra: { readProblem?: GitHubProblem; writeProblem?: GitHubProblem } = {},
): DesiredState {
  const outcome = ledgerValue ? { ledger: ledgerValue, ...extra } : extra;
  return decideSync(interpretRequest(requestOptions), outcome, options(now));
}

const EXPECTED_INFOS: EnvironmentInfo[] = [
  {
    environment: 'dev',
    environmentUrl: DEV_URL,
    history: [
      { id: 10, version: { tag: 'v1.2.0', revision: REV_V120 }, timestamp: '2026-11-20T09:00:00Z', message: 'Automatic deployment', bakeStatus: 'Succeeded' },
    ],
  },
  {
    environment: 'qa',
    relationship: { environment: 'dev', type: 'Parallel' },
    history: [
      {
        id: 4,
        version: { tag: 'v1.2.0', revision: REV_V120 },
        timestamp: '2026-11-20T12:00:00Z',
        message: 'Automatic deployment',
        bakeStatus: 'Failed',
        bakeStatusMessage: 'smoke tests failed',
      },
    ],
  },
  {
    environment: 'staging',
    environmentUrl: STAGING_URL,
    relationship: { environment: 'dev', type: 'After' },
    history: [
      {
        id: 4,
        version: { tag: 'v1.0.0', revision: REV_V100 },
        timestamp: '2026-11-21T07:00:00Z',
        message: 'Rollback',
        bakeStatus: 'Succeeded',
        bakeStatusMessage: 'rollback ok',
      },
      { id: 3, version: { tag: 'v1.2.0', revision: REV_V120 }, timestamp: '2026-11-20T10:30:00Z', message: 'Automatic deployment', bakeStatus: 'Deploying' },
      {
        id: 2,
        version: { tag: 'v1.1.0', revision: REV_V110 },
        timestamp: '2026-11-19T09:10:00Z',
        message: 'Automatic deployment',
        bakeStatus: 'Failed',
        bakeStatusMessage: 'A HealthCheck reported an error after deployment.',
      },
      // id 1 (v1.0.0) is deduplicated away by the newer id 4 of the same tag.
    ],
  },
  {
    environment: 'production',
    environmentUrl: LOCAL_URL,
    relationship: { environment: 'staging', type: 'After' },
    history: [
      { id: 8, version: { tag: 'v1.2.0', revision: REV_V120 }, timestamp: '2026-11-21T09:00:03Z', message: 'Manual deployment', bakeStatus: 'Deploying' },
      {
        id: 7,
        version: { tag: 'v1.0.0', revision: REV_V100 },
        timestamp: '2026-11-19T11:00:00Z',
        message: 'Automatic deployment',
        bakeStatus: 'Succeeded',
        bakeStatusMessage: 'Bake completed (no bake time configured).',
      },
      { id: 5, version: { tag: 'v0.9.0', revision: REV_V090 }, timestamp: '2026-11-10T00:00:00Z', message: 'Automatic deployment', bakeStatus: 'Succeeded' },
    ],
  },
];

const EXPECTED_GATE: RolloutGate = gateObject({
  environmentName: SELF,
  namespace: NS,
  rolloutName: 'my-app',
  relationship: { environment: 'staging', type: 'After' },
  allowedVersions: ['v1.0.0'],
});

const synced = (generation = 3, time = T1) => [
  { lastTransitionTime: time, message: 'Environment is in sync with GitHub', observedGeneration: generation, reason: 'Synced', status: 'True', type: 'Ready' },
  {
    lastTransitionTime: time,
    message: 'History of environment production is published to my-org/my-repo',
    observedGeneration: generation,
    reason: 'Synced',
    status: 'True',
    type: 'GitHubSynced',
  },
  {
    lastTransitionTime: time,
    message: 'Gate my-app-production-gate allows 1 version(s) baked successfully in staging',
    observedGeneration: generation,
    reason: 'GateComputed',
    status: 'True',
    type: 'GateReady',
  },
  {
    lastTransitionTime: time,
    message: 'Environment is in sync with GitHub',
    observedGeneration: generation,
    reason: 'Synced',
    status: 'False',
    type: 'Degraded',
  },
];

/** The first full sync, and the request options that describe the cluster after it. */
function firstSync(): { first: DesiredState; after: RequestOptions } {
  const first = sync({}, ledger(), T1);
  return { first, after: { status: { ...first.status, observedGeneration: 3 }, gates: first.children } };
}

describe('interpret', () => {
  it('resolves the Rollout, Secret and siblings of the same application and repository', () => {
    const ctx = ok(interpretRequest());
    expect(ctx.name).toBe(SELF);
    expect(ctx.namespace).toBe(NS);
    expect(ctx.generation).toBe(3);
    expect(ctx.application).toBe('my-app');
    expect(ctx.environment).toBe('production');
    expect([ctx.owner, ctx.repo]).toEqual(['my-org', 'my-repo']);
    expect(ctx.rolloutName).toBe('my-app');
    expect(ctx.secretName).toBe('github-token');
    expect(ctx.credentials).toEqual({ type: 'token', token: TOKEN });
    expect(ctx.requeueSeconds).toBe(120);
    expect(ctx.relationship).toEqual({ environment: 'staging', type: 'After' });
    expect(ctx.history.map((e) => e.id)).toEqual([8, 7]);
    expect(ctx.releaseCandidates.map((rc) => rc.tag)).toEqual(['v1.2.0', 'v1.1.0', 'v1.0.0']);
    expect([...ctx.siblings.entries()].sort()).toEqual([
      ['qa', { environment: 'dev', type: 'Parallel' }],
      ['staging', { environment: 'dev', type: 'After' }],
    ]);
  });

  it('reads the token from stringData and uses a named secret', () => {
    const spec = { ...productionSpec(), backend: { type: 'github', project: 'my-org/my-repo', secret: 'gh' } };
    const s = { ...secret(), metadata: { name: 'gh', namespace: NS }, stringData: { token: ' plain-token \n' } };
    delete (s as { data?: unknown }).data;
    const ctx = ok(interpret(request({ spec, secret: s }), checkSpec));
    expect(ctx.secretName).toBe('gh');
    expect(ctx.credentials).toEqual({ type: 'token', token: 'plain-token' });
  });

  it('defaults requeueInterval to 60 seconds', () => {
    const spec = productionSpec();
    delete spec.requeueInterval;
    expect(ok(interpretRequest({ spec })).requeueSeconds).toBe(60);
  });
});

describe('interpret: arrival order and key formats', () => {
  const staging = (name: string, upstream: string) =>
    environment(name, {
      name: 'my-app',
      environment: 'staging',
      relationship: { environment: upstream, type: 'After' },
      backend: { type: 'github', project: 'my-org/my-repo' },
      rolloutRef: { name: 'my-app' },
    });

  it('two siblings claiming one environment: the first by object name wins, whatever the arrival order', () => {
    const claimants = [staging('b-staging', 'qa'), staging('a-staging', 'dev')];
    for (const list of [claimants, [...claimants].reverse()]) {
      for (const reversed of [false, true]) {
        const ctx = ok(interpretRequest({ siblings: list, reversed }));
        expect(ctx.siblings.get('staging')).toEqual({ environment: 'dev', type: 'After' });
      }
    }
  });

  it('finds related objects by value, not by map key format', () => {
    const req = request();
    const rekey = (group: Record<string, unknown> | undefined) => Object.fromEntries(Object.values(group ?? {}).map((o, i) => [`weird-key-${i}`, o]));
    for (const key of Object.keys(req.related ?? {})) (req.related as Record<string, unknown>)[key] = rekey(req.related?.[key]);
    const d = decideSync(interpret(req, checkSpec), { ledger: ledger() }, options(T1));
    expect(JSON.stringify(d)).toBe(JSON.stringify(sync({}, ledger(), T1)));
  });

  it('ignores a Secret of the same name in another namespace', () => {
    const elsewhere = { ...secret(), metadata: { name: 'github-token', namespace: 'other' } };
    const i = interpretRequest({ secret: elsewhere });
    expect(i.ok ? undefined : i.problem).toEqual({ reason: 'SecretNotFound', message: 'Secret default/github-token not found' });
  });
});

describe('regressions: behaviour the spec requires that an earlier version got wrong', () => {
  // §7: a problem with the object gets "a condition explaining it". A missing backend.type is
  // a missing required field, not an unsupported backend named "undefined".
  it('a missing spec.backend.type is InvalidSpec "spec.backend.type is required"', () => {
    const spec = { ...productionSpec(), backend: { project: 'my-org/my-repo' } };
    const i = interpretRequest({ spec });
    expect(i.ok ? undefined : i.problem).toEqual({ reason: 'InvalidSpec', message: 'spec.backend.type is required' });
  });

  // §7: the condition must explain the problem; "spec. must be object" names no field.
  it('a missing spec is reported as "spec must be object"', () => {
    const req = request();
    delete (req.parent as { spec?: unknown }).spec;
    const i = interpret(req, checkSpec);
    expect(i.ok ? undefined : i.problem).toEqual({ reason: 'InvalidSpec', message: 'spec must be object' });
  });

  // §5.7: resyncAfterSeconds comes from spec.requeueInterval.
  it('requeueInterval 2h gives resyncAfterSeconds 7200 when no change is near', () => {
    const spec = { ...productionSpec(), requeueInterval: '2h' };
    expect(sync({ spec, rollout: settledRollout() }, ledger(), T1).resyncAfterSeconds).toBe(7200);
  });
});

describe('decideSync: a full sync', () => {
  it('builds the exact status, gate and resync interval', () => {
    const { first } = firstSync();
    expect(first).toEqual({
      status: {
        application: 'kuberik/my-app',
        environment: 'production',
        conditions: synced(),
        currentVersion: REV_V120,
        currentTag: 'v1.2.0',
        environmentInfos: EXPECTED_INFOS,
        lastStatusChangeTime: T1,
        rolloutGateRef: { name: GATE },
      },
      children: [EXPECTED_GATE],
      // The local Rollout is deploying v1.2.0: change is near, so the near-change interval, not requeueInterval 2m.
      resyncAfterSeconds: 10,
    });
  });

  it('orders environmentInfos ancestors first, ties by name', () => {
    expect(firstSync().first.status.environmentInfos?.map((i) => i.environment)).toEqual(['dev', 'qa', 'staging', 'production']);
  });

  it('never puts the token in the response', () => {
    expect(JSON.stringify(firstSync().first)).not.toContain(TOKEN);
  });

  it('is byte-identical for identical inputs', () => {
    expect(JSON.stringify(sync({}, ledger(), T1))).toBe(JSON.stringify(sync({}, ledger(), T1)));
  });

  it('is byte-identical when related objects, siblings and deployments arrive in another order', () => {
    const reference = JSON.stringify(sync({}, ledger(), T1));
    const reversedLedger = { ...ledger(), deployments: ledger().deployments.reverse() };
    const rotatedLedger = (() => {
      const l = ledger();
      return { ...l, deployments: [...l.deployments.slice(5), ...l.deployments.slice(0, 5)] };
    })();
    expect(JSON.stringify(sync({ reversed: true }, ledger(), T1))).toBe(reference);
    expect(JSON.stringify(sync({ siblings: siblings().reverse() }, ledger(), T1))).toBe(reference);
    expect(JSON.stringify(sync({ reversed: true, siblings: siblings().reverse() }, reversedLedger, T1))).toBe(reference);
    expect(JSON.stringify(sync({}, rotatedLedger, T1))).toBe(reference);
  });

  it('keeps lastStatusChangeTime and every lastTransitionTime when nothing changed', () => {
    const { first, after } = firstSync();
    const second = sync(after, ledger(), T2);
    expect(second).toEqual(first);
    expect(JSON.stringify(second)).toBe(JSON.stringify(first));
    expect(second.status.lastStatusChangeTime).toBe(T1);
    expect(second.status.conditions?.map((c) => c.lastTransitionTime)).toEqual([T1, T1, T1, T1]);
    // And again, observed in reverse key order.
    expect(JSON.stringify(sync({ ...after, reversed: true }, ledger(), T3))).toBe(JSON.stringify(first));
  });

  it('moves lastStatusChangeTime (only) when the status changes, keeping unflipped lastTransitionTimes', () => {
    const { after } = firstSync();
    const changed = ledger();
    // staging v1.2.0 bakes successfully: the gate now allows two versions.
    changed.deployments = changed.deployments.map((d) =>
      d.environment === 'staging' && d.payload.id === 3
        ? { ...d, statuses: [{ state: 'success', description: 'Bake succeeded', environmentUrl: '', createdAt: '2026-11-21T09:50:00Z' }, ...d.statuses] }
        : d,
    );
    const second = sync(after, changed, T2);
    expect(second.children[0]?.spec.allowedVersions).toEqual(['v1.2.0', 'v1.0.0']);
    expect(second.status.lastStatusChangeTime).toBe(T2);
    expect(second.status.conditions?.map((c) => [c.type, c.lastTransitionTime, c.message])).toEqual([
      ['Ready', T1, 'Environment is in sync with GitHub'],
      ['GitHubSynced', T1, 'History of environment production is published to my-org/my-repo'],
      ['GateReady', T1, 'Gate my-app-production-gate allows 2 version(s) baked successfully in staging'],
      ['Degraded', T1, 'Environment is in sync with GitHub'],
    ]);
    expect(second.status.environmentInfos?.[2]?.history?.[1]).toEqual({
      id: 3,
      version: { tag: 'v1.2.0', revision: REV_V120 },
      timestamp: '2026-11-20T10:30:00Z',
      message: 'Automatic deployment',
      bakeStatus: 'Succeeded',
    });
  });

  it('prunes environments that are no longer discovered', () => {
    const { after } = firstSync();
    const retired: EnvironmentInfo = { environment: 'retired', history: [] };
    const status: EnvironmentStatus = { ...after.status, environmentInfos: [...(after.status?.environmentInfos ?? []), retired] };
    const second = sync({ ...after, status }, ledger(), T2);
    expect(second.status.environmentInfos).toEqual(EXPECTED_INFOS);
    expect(second.status.lastStatusChangeTime).toBe(T2);
  });

  it('currentVersion is the newest local entry published to GitHub', () => {
    const withUnpublished = rollout() as unknown as { status: { history: unknown[] } };
    withUnpublished.status.history.unshift({
      id: 9,
      version: { tag: 'v1.1.0', revision: REV_V110 },
      timestamp: '2026-11-21T09:59:00Z',
      bakeStatus: 'Deploying',
    });
    const d = sync({ rollout: withUnpublished as never }, ledger(), T1);
    expect([d.status.currentVersion, d.status.currentTag]).toEqual([REV_V120, 'v1.2.0']);
    // The unpublished entry still shows, with the Rollout's own timestamp.
    expect(d.status.environmentInfos?.[3]?.history?.[0]).toEqual({
      id: 9,
      version: { tag: 'v1.1.0', revision: REV_V110 },
      timestamp: '2026-11-21T09:59:00Z',
      bakeStatus: 'Deploying',
    });
  });

  it('without a relationship: no gate, no rolloutGateRef, GateReady NoRelationship', () => {
    const spec = productionSpec();
    delete spec.relationship;
    const d = sync({ spec, siblings: [] }, ledger(), T1);
    expect(d.children).toEqual([]);
    expect(d.status.rolloutGateRef).toBeUndefined();
    expect(d.status.conditions?.find((c) => c.type === 'GateReady')).toEqual({
      lastTransitionTime: T1,
      message: 'No relationship: this environment needs no gate',
      observedGeneration: 3,
      reason: 'NoRelationship',
      status: 'True',
      type: 'GateReady',
    });
    expect(d.status.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
    // The spec (no relationship) wins over production's own older payloads.
    expect(d.status.environmentInfos?.map((i) => i.environment)).toEqual(['production']);
  });

  it('Parallel: the gate allows versions deployed upstream that did not fail', () => {
    const spec = { ...productionSpec(), relationship: { environment: 'staging', type: 'Parallel' } };
    const d = sync({ spec }, ledger(), T1);
    expect(d.children).toEqual([
      gateObject({
        environmentName: SELF,
        namespace: NS,
        rolloutName: 'my-app',
        relationship: { environment: 'staging', type: 'Parallel' },
        allowedVersions: ['v1.2.0', 'v1.0.0'],
      }),
    ]);
    expect(d.status.conditions?.find((c) => c.type === 'GateReady')?.message).toBe(
      'Gate my-app-production-gate allows 2 version(s) running in staging without failure',
    );
  });

  it('a write problem keeps the computed state but reports GitHubSynced False and resyncs sooner', () => {
    const writeProblem: GitHubProblem = { reason: 'DeploymentCreateFailed', message: 'POST deployments returned 502', transient: true };
    const d = sync({}, ledger(), T1, { writeProblem });
    expect(d.status.environmentInfos).toEqual(EXPECTED_INFOS);
    expect(d.children).toEqual([EXPECTED_GATE]);
    expect(d.resyncAfterSeconds).toBe(10);
    expect(d.status.conditions?.map((c) => [c.type, c.status, c.reason, c.message])).toEqual([
      ['Ready', 'False', 'DeploymentCreateFailed', 'POST deployments returned 502'],
      ['GitHubSynced', 'False', 'DeploymentCreateFailed', 'POST deployments returned 502'],
      ['GateReady', 'True', 'GateComputed', 'Gate my-app-production-gate allows 1 version(s) baked successfully in staging'],
      ['Degraded', 'True', 'DeploymentCreateFailed', 'POST deployments returned 502'],
    ]);
  });
});

describe('decideSync: problems with the object keep the previous state (spec §7)', () => {
  const noToken = secret({ other: Buffer.from('x').toString('base64') });
  const gitlab = { ...productionSpec(), backend: { type: 'gitlab', project: 'my-org/my-repo' } };
  const badProject = { ...productionSpec(), backend: { type: 'github', project: 'my-org' } };
  const dotProject = { ...productionSpec(), backend: { type: 'github', project: 'my-org/..' } };
  const badRequeue = { ...productionSpec(), requeueInterval: 'soon' };
  const zeroRequeue = { ...productionSpec(), requeueInterval: '0s' };
  const noName = (() => {
    const s = productionSpec();
    delete s.name;
    return s;
  })();

  const cases: [string, RequestOptions, string, string, number][] = [
    ['a missing Rollout', { rollout: null }, 'RolloutNotFound', 'Rollout default/my-app not found', 120],
    ['a missing Secret', { secret: null }, 'SecretNotFound', 'Secret default/github-token not found', 120],
    ['a Secret without token', { secret: noToken }, 'SecretKeyMissing', 'Secret default/github-token has no non-empty key "token"', 120],
    ['a Secret with an empty token', { secret: secret({ token: '' }) }, 'SecretKeyMissing', 'Secret default/github-token has no non-empty key "token"', 120],
    ['backend type gitlab', { spec: gitlab }, 'UnsupportedBackend', 'spec.backend.type "gitlab" is not supported; the only backend is "github"', 120],
    ['a bad project', { spec: badProject }, 'InvalidProject', 'spec.backend.project "my-org" is not of the form "owner/repo"', 120],
    ['a path-traversing project', { spec: dotProject }, 'InvalidProject', 'spec.backend.project "my-org/.." is not of the form "owner/repo"', 120],
    ['a bad requeueInterval', { spec: badRequeue }, 'InvalidRequeueInterval', 'spec.requeueInterval "soon" is not a duration such as 30s, 1m or 1h30m', 60],
    ['a zero requeueInterval', { spec: zeroRequeue }, 'InvalidRequeueInterval', 'spec.requeueInterval "0s" must be at least 1s', 60],
    ['an invalid spec (no name)', { spec: noName }, 'InvalidSpec', 'spec.name is required', 120],
  ];

  it.each(cases)('%s: keeps environmentInfos and the gate, reports %s', (_what, problemOptions, reason, message, resync) => {
    const { first, after } = firstSync();
    const d = sync({ ...after, ...problemOptions }, ledger(), T2);
    // A spec without a name resolves to no identity; every other problem here leaves it resolvable.
    const resolved = reason === 'InvalidSpec' ? {} : { application: 'kuberik/my-app', environment: 'production' };
    expect(d).toEqual({
      status: {
        ...resolved,
        conditions: [
          { lastTransitionTime: T2, message, observedGeneration: 3, reason, status: 'False', type: 'Ready' },
          { lastTransitionTime: T2, message: `Not attempted: ${message}`, observedGeneration: 3, reason, status: 'Unknown', type: 'GitHubSynced' },
          {
            lastTransitionTime: T2,
            message: `Gate kept at its last allowed versions: ${message}`,
            observedGeneration: 3,
            reason: 'GateKept',
            status: 'False',
            type: 'GateReady',
          },
          { lastTransitionTime: T2, message, observedGeneration: 3, reason, status: 'True', type: 'Degraded' },
        ],
        currentVersion: REV_V120,
        currentTag: 'v1.2.0',
        environmentInfos: first.status.environmentInfos,
        lastStatusChangeTime: T2,
        rolloutGateRef: { name: GATE },
      },
      children: [EXPECTED_GATE],
      resyncAfterSeconds: resync,
    });
    // Stable on the next sync with the same problem.
    const again = sync({ ...after, ...problemOptions, status: { ...d.status, observedGeneration: 3 }, gates: d.children }, ledger(), T3);
    expect(JSON.stringify(again)).toBe(JSON.stringify(d));
  });

  it.each(cases)('%s with a relationship but no observed gate: emits a gate allowing nothing', (_what, problemOptions, reason) => {
    const d = sync(problemOptions, ledger(), T1);
    expect(d.children).toEqual([{ ...EXPECTED_GATE, spec: { ...EXPECTED_GATE.spec, allowedVersions: [] } }]);
    expect(d.status.environmentInfos).toEqual([]);
    expect(d.status.currentVersion).toBeUndefined();
    expect(d.status.rolloutGateRef).toEqual({ name: GATE });
    expect(d.status.conditions?.[0]).toMatchObject({ type: 'Ready', status: 'False', reason });
  });

  it('an observed gate is sanitised: passing forced true, allowedVersions kept, unknown fields dropped', () => {
    const { after } = firstSync();
    const observed = {
      ...EXPECTED_GATE,
      metadata: {
        ...EXPECTED_GATE.metadata,
        labels: { 'controller-uid': 'x' },
        resourceVersion: '12',
        annotations: { ...EXPECTED_GATE.metadata.annotations, other: 'y' },
      },
      spec: { ...EXPECTED_GATE.spec, passing: false, allowedVersions: ['v0.9.0', 7, 'v1.0.0'] },
      status: { whatever: true },
    } as unknown as RolloutGate;
    const d = sync({ ...after, gates: [observed], secret: null }, ledger(), T2);
    expect(d.children).toEqual([{ ...EXPECTED_GATE, spec: { ...EXPECTED_GATE.spec, allowedVersions: ['v0.9.0', 'v1.0.0'] } }]);
  });
});

describe('decideSync: GitHub read problems (spec §7)', () => {
  function readFailure(problem: GitHubProblem | undefined, requeue?: string) {
    const spec = productionSpec();
    if (requeue === undefined) delete spec.requeueInterval;
    else spec.requeueInterval = requeue;
    const first = sync({ spec }, ledger(), T1);
    const after: RequestOptions = { spec, status: { ...first.status, observedGeneration: 3 }, gates: first.children };
    return { first, d: decideSync(interpretRequest(after), problem ? { readProblem: problem } : undefined, options(T2)) };
  }

  it('a transient read problem keeps state, GitHubSynced False, resyncs after 10 s for requeue 60', () => {
    const problem: GitHubProblem = { reason: 'GitHubUnavailable', message: 'GitHub GraphQL returned 502 Bad Gateway', transient: true };
    const { first, d } = readFailure(problem);
    expect(first.resyncAfterSeconds).toBe(10); // the local Rollout is deploying: change is near
    expect(d).toEqual({
      status: {
        application: 'kuberik/my-app',
        environment: 'production',
        conditions: [
          { lastTransitionTime: T2, message: problem.message, observedGeneration: 3, reason: 'GitHubUnavailable', status: 'False', type: 'Ready' },
          { lastTransitionTime: T2, message: problem.message, observedGeneration: 3, reason: 'GitHubUnavailable', status: 'False', type: 'GitHubSynced' },
          {
            lastTransitionTime: T2,
            message: `Gate kept at its last allowed versions: ${problem.message}`,
            observedGeneration: 3,
            reason: 'GateKept',
            status: 'False',
            type: 'GateReady',
          },
          { lastTransitionTime: T2, message: problem.message, observedGeneration: 3, reason: 'GitHubUnavailable', status: 'True', type: 'Degraded' },
        ],
        currentVersion: REV_V120,
        currentTag: 'v1.2.0',
        environmentInfos: EXPECTED_INFOS,
        lastStatusChangeTime: T2,
        rolloutGateRef: { name: GATE },
      },
      children: [EXPECTED_GATE],
      resyncAfterSeconds: 10,
    });
  });

  it('a transient read problem with a requeue shorter than 10 s keeps the requeue', () => {
    const { d } = readFailure({ reason: 'GitHubTimeout', message: 't', transient: true }, '5s');
    expect(d.resyncAfterSeconds).toBe(5);
  });

  it('a non-transient read problem resyncs at the requeue interval', () => {
    const { d } = readFailure({ reason: 'GitHubUnauthorized', message: 'Bad credentials', transient: false });
    expect(d.resyncAfterSeconds).toBe(60);
    expect(d.status.conditions?.[0]).toMatchObject({ type: 'Ready', status: 'False', reason: 'GitHubUnauthorized', message: 'Bad credentials' });
  });

  it.each([
    [900, 900],
    [0.4, 1],
    [12.2, 13],
    [86400, 3600],
  ])('honours retryAfterSeconds %j → %j', (retryAfterSeconds, expected) => {
    const { d } = readFailure({ reason: 'RateLimited', message: 'API rate limit exceeded', transient: true, retryAfterSeconds });
    expect(d.resyncAfterSeconds).toBe(expected);
    expect(d.children).toEqual([EXPECTED_GATE]);
  });

  it('no outcome at all counts as GitHub not read', () => {
    const { d } = readFailure(undefined);
    expect(d.status.conditions?.[1]).toMatchObject({ type: 'GitHubSynced', status: 'False', reason: 'GitHubUnavailable', message: 'GitHub was not read' });
    expect(d.resyncAfterSeconds).toBe(10);
  });

  it('without an observed gate, a read problem emits a gate allowing nothing', () => {
    const d = decideSync(interpretRequest(), { readProblem: { reason: 'GitHubUnavailable', message: 'down', transient: true } }, options(T1));
    expect(d.children).toEqual([{ ...EXPECTED_GATE, spec: { ...EXPECTED_GATE.spec, allowedVersions: [] } }]);
  });
});

describe('decideSync: relationship cycles (spec §5.4)', () => {
  const cyclicSiblings = () => [
    environment('my-app-staging', {
      name: 'my-app',
      environment: 'staging',
      relationship: { environment: 'production', type: 'After' },
      backend: { type: 'github', project: 'my-org/my-repo' },
      rolloutRef: { name: 'my-app' },
    }),
  ];
  const CYCLE = 'Relationship cycle between environments production, staging (production → staging; staging → production); their gates allow no versions';

  it('Ready False RelationshipCycle and the self gate allows nothing', () => {
    const d = sync({ siblings: cyclicSiblings() }, ledger(), T1);
    expect(d.children).toEqual([{ ...EXPECTED_GATE, spec: { ...EXPECTED_GATE.spec, allowedVersions: [] } }]);
    expect(d.status.conditions?.map((c) => [c.type, c.status, c.reason, c.message])).toEqual([
      ['Ready', 'False', 'RelationshipCycle', CYCLE],
      ['GitHubSynced', 'True', 'Synced', 'History of environment production is published to my-org/my-repo'],
      ['GateReady', 'False', 'RelationshipCycle', CYCLE],
      ['Degraded', 'True', 'RelationshipCycle', CYCLE],
    ]);
    expect(d.status.environmentInfos?.map((i) => [i.environment, i.relationship])).toEqual([
      ['production', { environment: 'staging', type: 'After' }],
      ['staging', { environment: 'production', type: 'After' }],
    ]);
    expect(d.resyncAfterSeconds).toBe(10); // the local Rollout is deploying: change is near
  });

  it('a self-reference is a cycle too', () => {
    const spec = { ...productionSpec(), relationship: { environment: 'production', type: 'After' } };
    const d = sync({ spec, siblings: [] }, ledger(), T1);
    expect(d.children[0]?.spec.allowedVersions).toEqual([]);
    expect(d.status.conditions?.[0]).toMatchObject({
      type: 'Ready',
      status: 'False',
      reason: 'RelationshipCycle',
      message: 'Relationship cycle between environments production (production → production); their gates allow no versions',
    });
  });

  it('is the same whatever order the siblings arrive in', () => {
    const a = sync({ siblings: [...cyclicSiblings(), ...siblings().slice(1)] }, ledger(), T1);
    const b = sync({ siblings: [...siblings().slice(1), ...cyclicSiblings()].reverse(), reversed: true }, ledger(), T1);
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
  });
});

describe('decideFinalize (spec §6)', () => {
  function identity(requestOptions: RequestOptions): EnvironmentIdentity {
    const i = interpret(request(requestOptions), checkSpec, { requireRollout: false });
    return i.ok ? i.context : i.identity;
  }

  it('remaining 0 → finalized', () => {
    const { first, after } = firstSync();
    const d = decideFinalize(identity(after), { remaining: 0, gaveUp: false }, T2);
    expect(d.finalized).toBe(true);
    expect(d.children).toEqual([EXPECTED_GATE]);
    expect(d.status.conditions?.map((c) => [c.type, c.status, c.reason, c.lastTransitionTime])).toEqual([
      ['Ready', 'False', 'Finalized', T2],
      ['GitHubSynced', 'True', 'Synced', T1],
      ['GateReady', 'True', 'GateComputed', T1],
      ['Degraded', 'False', 'Synced', T1],
    ]);
    expect(d.status.conditions?.[0]?.message).toBe('Environment deleted: its newest GitHub deployment and any unfinished ones are marked inactive');
    expect(d.status.environmentInfos).toEqual(first.status.environmentInfos);
    expect(d.status.currentVersion).toBe(REV_V120);
  });

  it('a transient problem before the give-up window → not finalized, retry in 5 s', () => {
    const { after } = firstSync();
    const d = decideFinalize(
      identity(after),
      { remaining: 2, problem: { reason: 'GitHubUnavailable', message: 'GitHub returned 503', transient: true }, gaveUp: false },
      T2,
    );
    expect(d.finalized).toBe(false);
    expect(d.resyncAfterSeconds).toBe(5);
    expect(d.status.conditions?.[0]).toEqual({
      lastTransitionTime: T2,
      message: 'Waiting to mark 2 deployment(s) inactive: GitHub returned 503',
      observedGeneration: 3,
      reason: 'GitHubUnavailable',
      status: 'False',
      type: 'Ready',
    });
  });

  it('gave up → finalized', () => {
    const { after } = firstSync();
    const d = decideFinalize(
      identity(after),
      { remaining: 2, problem: { reason: 'GitHubUnavailable', message: 'GitHub returned 503', transient: true }, gaveUp: true },
      T2,
    );
    expect(d.finalized).toBe(true);
    expect(d.status.conditions?.[0]?.message).toBe('Finalized without marking deployments inactive: GitHub returned 503');
  });

  it('the Secret is gone → finalized', () => {
    const { after } = firstSync();
    const i = interpret(request({ ...after, secret: null }), checkSpec, { requireRollout: false });
    expect(i.ok).toBe(false);
    if (i.ok) return;
    expect(i.problem).toEqual({ reason: 'SecretNotFound', message: 'Secret default/github-token not found' });
    for (const remaining of [0, 3]) {
      const d = decideFinalize(i.identity, { remaining, problem: i.problem, gaveUp: false }, T2);
      expect(d.finalized).toBe(true);
      expect(d.status.conditions?.[0]).toMatchObject({
        type: 'Ready',
        status: 'False',
        reason: 'SecretNotFound',
        message: 'Finalized without marking deployments inactive: Secret default/github-token not found',
      });
    }
  });

  it('finalize does not need the Rollout', () => {
    const { after } = firstSync();
    const i = interpret(request({ ...after, rollout: null }), checkSpec, { requireRollout: false });
    expect(i.ok).toBe(true);
  });
});
