/**
 * A hand-built hook request and GitHub ledger for decide tests: application my-app in
 * my-org/my-repo, environments dev → staging → production, qa Parallel dev, an unrelated
 * sandbox. This Environment is production (After staging).
 */
import type { SyncRequest } from '../../../src/generated/hooks.js';
import type { EnvironmentStatus } from '../../../src/generated/environment.js';
import type { KubernetesObject, RolloutGate } from '../../../src/generated/kubernetes.js';
import { interpret, type Interpretation } from '../../../src/core/interpret.js';
import type { Ledger, LedgerDeployment } from '../../../src/core/types.js';
import { getValidators } from '../../../src/validation.js';
import { fixtureDeployments, REV_V100, REV_V110, REV_V120, status } from './helpers.js';

export const NS = 'default';
export const SELF = 'my-app-production';
export const TOKEN = 'ghp_TopSecretTokenValue0123456789';
export const LOCAL_URL = 'https://dash.example.com/rollouts/default/my-app';
export const DEV_URL = 'https://dev.example.com/rollouts/default/my-app';
export const STAGING_URL = 'https://dashboard.example.com/rollouts/default/my-app';
export const REV_V090 = 'c0ffeec0ffeec0ffeec0ffeec0ffeec0ffeec0ff';

export const ROLLOUT_KEY = 'Rollout.kuberik.com/v1alpha1';
export const SECRET_KEY = 'Secret.v1';
export const ENVIRONMENT_KEY = 'Environment.environments.kuberik.com/v1alpha1';
export const GATE_KEY = 'RolloutGate.kuberik.com/v1alpha1';

export const checkSpec = (spec: unknown) => getValidators().environmentSpec.problems(spec);

export function productionSpec(): Record<string, unknown> {
  return {
    name: 'my-app',
    environment: 'production',
    relationship: { environment: 'staging', type: 'After' },
    backend: { type: 'github', project: 'my-org/my-repo' },
    rolloutRef: { name: 'my-app' },
    requeueInterval: '2m',
  };
}

/** The same Rollout once v1.2.0 has baked: nothing local is about to change. */
export function settledRollout(): KubernetesObject {
  const settled = rollout() as KubernetesObject & { status: { history: { bakeStatus?: string }[] } };
  settled.status.history[0]!.bakeStatus = 'Succeeded';
  return settled;
}

export function rollout(): KubernetesObject {
  return {
    apiVersion: 'kuberik.com/v1alpha1',
    kind: 'Rollout',
    metadata: { name: 'my-app', namespace: NS },
    status: {
      history: [
        {
          id: 8,
          version: { tag: 'v1.2.0', revision: REV_V120 },
          timestamp: '2026-11-21T09:00:00Z',
          message: 'Manual deployment',
          bakeStatus: 'Deploying',
        },
        {
          id: 7,
          version: { tag: 'v1.0.0', revision: REV_V100 },
          timestamp: '2026-11-19T10:59:00Z',
          message: 'Automatic deployment',
          bakeStatus: 'Succeeded',
          bakeStatusMessage: 'Bake completed (no bake time configured).',
        },
      ],
      releaseCandidates: [
        { tag: 'v1.2.0', revision: REV_V120 },
        { tag: 'v1.1.0', revision: REV_V110 },
        { tag: 'v1.0.0', revision: REV_V100 },
      ],
    },
  } as KubernetesObject;
}

export function secret(data: Record<string, string> = { token: Buffer.from(TOKEN).toString('base64') }): KubernetesObject {
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'github-token', namespace: NS }, data } as KubernetesObject;
}

export function environment(name: string, spec: Record<string, unknown>): KubernetesObject {
  return {
    apiVersion: 'environments.kuberik.com/v1alpha1',
    kind: 'Environment',
    metadata: { name, namespace: NS, generation: 1 },
    spec,
  } as KubernetesObject;
}

export function siblings(): KubernetesObject[] {
  return [
    environment('my-app-staging', {
      name: 'kuberik/my-app',
      environment: 'staging',
      relationship: { environment: 'dev', type: 'After' },
      backend: { type: 'github', project: 'My-Org/my-repo' },
      rolloutRef: { name: 'my-app' },
    }),
    environment('my-app-qa', {
      name: 'my-app',
      environment: 'qa',
      relationship: { environment: 'dev', type: 'Parallel' },
      backend: { type: 'github', project: 'my-org/my-repo' },
      rolloutRef: { name: 'my-app' },
    }),
    // Another application: ignored.
    environment('other-app-dev2', {
      name: 'other-app',
      environment: 'dev2',
      relationship: { environment: 'production', type: 'After' },
      backend: { type: 'github', project: 'my-org/my-repo' },
      rolloutRef: { name: 'other-app' },
    }),
    // Same application name in another repository: ignored.
    environment('my-app-perf', {
      name: 'my-app',
      environment: 'perf',
      relationship: { environment: 'production', type: 'After' },
      backend: { type: 'github', project: 'my-org/elsewhere' },
      rolloutRef: { name: 'my-app' },
    }),
  ];
}

export interface RequestOptions {
  spec?: Record<string, unknown>;
  status?: EnvironmentStatus;
  generation?: number;
  rollout?: KubernetesObject | null;
  secret?: KubernetesObject | null;
  siblings?: KubernetesObject[];
  gates?: RolloutGate[];
  /** Reverses the insertion order of every map (kinds and objects). */
  reversed?: boolean;
}

function objectMap(objects: KubernetesObject[], reversed: boolean): Record<string, KubernetesObject> {
  const list = reversed ? [...objects].reverse() : objects;
  return Object.fromEntries(list.map((o) => [`${o.metadata.namespace ?? ''}/${o.metadata.name}`, o]));
}

export function request(options: RequestOptions = {}): SyncRequest {
  const reversed = options.reversed ?? false;
  const spec = options.spec ?? productionSpec();
  const parent = {
    apiVersion: 'environments.kuberik.com/v1alpha1' as const,
    kind: 'Environment' as const,
    metadata: { name: SELF, namespace: NS, generation: options.generation ?? 3 },
    spec,
    ...(options.status ? { status: options.status } : {}),
  };
  const rolloutObject = options.rollout === undefined ? rollout() : options.rollout;
  const secretObject = options.secret === undefined ? secret() : options.secret;
  const environments = [environment(SELF, spec), ...(options.siblings ?? siblings())];
  const groups: [string, Record<string, KubernetesObject>][] = [
    [ROLLOUT_KEY, objectMap(rolloutObject ? [rolloutObject] : [], reversed)],
    [SECRET_KEY, objectMap(secretObject ? [secretObject] : [], reversed)],
    [ENVIRONMENT_KEY, objectMap(environments, reversed)],
  ];
  const related = Object.fromEntries(reversed ? groups.reverse() : groups);
  const children = { [GATE_KEY]: objectMap(options.gates ?? [], reversed) };
  return {
    controller: {},
    parent,
    children,
    related,
    finalizing: false,
  };
}

export function interpretRequest(options: RequestOptions = {}): Interpretation {
  return interpret(request(options), checkSpec);
}

function deployment(
  environment: string,
  id: number,
  tag: string,
  revision: string,
  createdAt: string,
  statuses: LedgerDeployment['statuses'],
  extra: Partial<LedgerDeployment['payload']> = {},
  description = 'Automatic deployment',
): LedgerDeployment {
  return {
    nodeId: `DE_${environment}_${id}`,
    environment,
    payload: { id, ...extra, version: { tag, revision } },
    createdAt,
    description,
    statuses,
  };
}

/** GitHub's view after this sync's writes. */
export function ledger(): Ledger {
  return {
    environments: ['dev', 'production', 'qa', 'sandbox', 'staging'],
    deployments: [
      ...fixtureDeployments(),
      // staging: a rollback to v1.0.0 whose payload names a stale relationship (the sibling spec wins).
      deployment(
        'staging',
        4,
        'v1.0.0',
        REV_V100,
        '2026-11-21T07:00:00Z',
        [status('success', 'Bake succeeded: rollback ok', '2026-11-21T07:30:00Z')],
        {
          relationship: { environment: 'legacy', type: 'After' },
        },
        'Rollback',
      ),
      // production: the newest local entry, already published; and an old entry the Rollout no longer keeps.
      deployment(
        'production',
        8,
        'v1.2.0',
        REV_V120,
        '2026-11-21T09:00:03Z',
        [status('in_progress', 'Deploying', '2026-11-21T09:00:04Z', LOCAL_URL)],
        {
          relationship: { environment: 'staging', type: 'After' },
        },
        'Manual deployment',
      ),
      deployment('production', 5, 'v0.9.0', REV_V090, '2026-11-10T00:00:00Z', [status('success', 'Bake succeeded', '2026-11-10T00:30:00Z')], {
        relationship: { environment: 'staging', type: 'After' },
      }),
      // dev: not directly connected to production, only its newest entry shows.
      deployment('dev', 10, 'v1.2.0', REV_V120, '2026-11-20T09:00:00Z', [status('success', 'Bake succeeded', '2026-11-20T09:30:00Z', DEV_URL)]),
      deployment('dev', 9, 'v1.1.0', REV_V110, '2026-11-19T08:00:00Z', [
        status('success', 'Bake succeeded', '2026-11-19T08:30:00Z', 'https://old.example.com'),
      ]),
      // qa: Parallel dev (from the payload and the sibling).
      deployment('qa', 4, 'v1.2.0', REV_V120, '2026-11-20T12:00:00Z', [status('failure', 'Bake failed: smoke tests failed', '2026-11-20T12:10:00Z')], {
        relationship: { environment: 'dev', type: 'Parallel' },
      }),
      deployment('qa', 3, 'v1.1.0', REV_V110, '2026-11-19T12:00:00Z', [status('success', 'Bake succeeded', '2026-11-19T12:10:00Z')], {
        relationship: { environment: 'dev', type: 'Parallel' },
      }),
      // sandbox: unrelated.
      deployment('sandbox', 1, 'v0.1.0', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', '2026-11-01T00:00:00Z', [
        status('success', 'Bake succeeded', '2026-11-01T00:10:00Z'),
      ]),
    ],
  };
}
