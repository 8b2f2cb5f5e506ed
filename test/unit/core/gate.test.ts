import { createHash } from 'node:crypto';
import { allowedVersions, DESCRIPTION_ANNOTATION, gateName, gateObject, PRETTY_NAME_ANNOTATION } from '../../../src/core/gate.js';
import type { RolloutVersionInfo } from '../../../src/generated/kubernetes.js';
import type { LedgerDeployment, Relationship } from '../../../src/core/types.js';
import { fixture, fixtureDeployments, REV_V100, REV_V110, REV_V120, status } from './helpers.js';

const AFTER: Relationship = { environment: 'staging', type: 'After' };
const PARALLEL: Relationship = { environment: 'staging', type: 'Parallel' };
const staging = (): LedgerDeployment[] => fixtureDeployments().filter((d) => d.environment === 'staging');
const ALL_THREE: RolloutVersionInfo[] = [
  { tag: 'v1.2.0', revision: REV_V120 },
  { tag: 'v1.1.0', revision: REV_V110 },
  { tag: 'v1.0.0', revision: REV_V100 },
];

function deployment(id: number, revision: string, createdAt: string, statuses: LedgerDeployment['statuses']): LedgerDeployment {
  return {
    nodeId: `DE_${id}_${revision}`,
    environment: 'staging',
    payload: { id, version: { tag: `t${id}`, revision } },
    createdAt,
    description: '',
    statuses,
  };
}

describe('allowedVersions from the Go fixture (spec §6)', () => {
  it('has the three staging deployments', () => {
    expect(staging().map((d) => d.payload.id)).toEqual([3, 2, 1]);
  });

  it('After staging: only versions baked successfully there', () => {
    expect(allowedVersions(AFTER, staging(), ALL_THREE)).toEqual(['v1.0.0']);
    expect(allowedVersions(AFTER, staging(), ALL_THREE)).toEqual(
      fixture.expected_reading.allowedVersions_for_production_After_staging_when_all_three_tags_are_release_candidates,
    );
  });

  it('Parallel with staging: versions deployed there that did not fail', () => {
    expect(allowedVersions(PARALLEL, staging(), ALL_THREE)).toEqual(['v1.2.0', 'v1.0.0']);
    // The fixture lists them sorted (written before allowedVersions followed releaseCandidates order): same tags.
    expect([...allowedVersions(PARALLEL, staging(), ALL_THREE)].sort()).toEqual(
      fixture.expected_reading.allowedVersions_for_production_Parallel_staging_when_all_three_tags_are_release_candidates,
    );
  });

  it("follows the order of the Rollout's releaseCandidates (rollout-controller's order), not of the deployments", () => {
    const reversedDeployments = staging().reverse();
    const reversedCandidates = [...ALL_THREE].reverse();
    expect(allowedVersions(PARALLEL, reversedDeployments, ALL_THREE)).toEqual(['v1.2.0', 'v1.0.0']);
    expect(allowedVersions(AFTER, reversedDeployments, reversedCandidates)).toEqual(['v1.0.0']);
    expect(allowedVersions(PARALLEL, reversedDeployments, reversedCandidates)).toEqual(['v1.0.0', 'v1.2.0']);
  });

  it('allows every tag that shares a qualifying revision', () => {
    const candidates: RolloutVersionInfo[] = [
      ...ALL_THREE,
      { tag: 'latest', revision: REV_V100 },
      { tag: 'stable', revision: REV_V100 },
      { tag: 'v1.2.0-rc1', revision: REV_V120 },
    ];
    expect(allowedVersions(AFTER, staging(), candidates)).toEqual(['v1.0.0', 'latest', 'stable']);
    expect(allowedVersions(PARALLEL, staging(), candidates)).toEqual(['v1.2.0', 'v1.0.0', 'latest', 'stable', 'v1.2.0-rc1']);
  });

  it('never allows a candidate without a revision, even when its tag ran upstream', () => {
    const candidates: RolloutVersionInfo[] = [{ tag: 'v1.0.0' }, { tag: 'v1.2.0' }];
    expect(allowedVersions(AFTER, staging(), candidates)).toEqual([]);
    expect(allowedVersions(PARALLEL, staging(), candidates)).toEqual([]);
  });

  it('never allows a candidate with an empty tag', () => {
    expect(allowedVersions(AFTER, staging(), [{ tag: '', revision: REV_V100 }])).toEqual([]);
  });

  it('never allows a revision unknown upstream', () => {
    expect(allowedVersions(PARALLEL, staging(), [{ tag: 'v9', revision: 'ffffffffffffffffffffffffffffffffffffffff' }])).toEqual([]);
  });

  it('keeps the candidates order and deduplicates (first occurrence wins)', () => {
    const candidates: RolloutVersionInfo[] = [
      { tag: 'v1.2.0', revision: REV_V120 },
      { tag: 'v1.0.0', revision: REV_V100 },
      { tag: 'v1.2.0', revision: REV_V120 },
      { tag: 'v1.0.0', revision: REV_V100 },
      { tag: 'V0', revision: REV_V100 },
    ];
    expect(allowedVersions(PARALLEL, staging(), candidates)).toEqual(['v1.2.0', 'v1.0.0', 'V0']);
  });

  it('is [] without candidates or without upstream deployments', () => {
    expect(allowedVersions(AFTER, staging(), [])).toEqual([]);
    expect(allowedVersions(PARALLEL, [], ALL_THREE)).toEqual([]);
    expect(allowedVersions(AFTER, [], [])).toEqual([]);
  });

  it('Parallel excludes Cancelled and allows InProgress and pending (no bake state) upstream', () => {
    const deployments = [
      deployment(1, 'r-cancelled', '2026-01-01T00:00:00Z', [status('inactive', 'Bake cancelled: superseded', 't')]),
      deployment(2, 'r-baking', '2026-01-02T00:00:00Z', [status('in_progress', 'Baking in progress', 't')]),
      deployment(3, 'r-pending', '2026-01-03T00:00:00Z', [status('pending', 'Deploying', 't')]),
      deployment(4, 'r-failed', '2026-01-04T00:00:00Z', [status('failure', 'Bake failed', 't')]),
      deployment(5, 'r-ok', '2026-01-05T00:00:00Z', [status('success', 'Bake succeeded', 't')]),
    ];
    const candidates = ['r-cancelled', 'r-baking', 'r-pending', 'r-failed', 'r-ok'].map((r) => ({ tag: r.slice(2), revision: r }));
    expect(allowedVersions(PARALLEL, deployments, candidates)).toEqual(['baking', 'pending', 'ok']);
    expect(allowedVersions(AFTER, deployments, candidates)).toEqual(['ok']);
  });
});

describe('After: a redeploy of a revision that baked upstream (a rollback)', () => {
  const ok = status('success', 'Bake succeeded', '2026-01-01T01:00:00Z');
  const baked = deployment(1, 'r-rolled-back', '2026-01-01T00:00:00Z', [ok]);
  const candidates = [{ tag: 'v1.1.0', revision: 'r-rolled-back' }];

  it.each([
    ['deploying', [status('pending', 'Deploying', '2026-01-03T00:00:01Z')]],
    ['baking', [status('in_progress', 'Baking in progress', '2026-01-03T00:00:01Z')]],
    ['cancelled', [status('inactive', 'Bake cancelled: superseded', '2026-01-03T00:00:01Z')]],
    ['without any status yet', []],
  ])('stays allowed while the redeploy is %s', (_label, statuses) => {
    const redeploy = deployment(3, 'r-rolled-back', '2026-01-03T00:00:00Z', statuses);
    expect(allowedVersions(AFTER, [redeploy, baked], candidates)).toEqual(['v1.1.0']);
    expect(allowedVersions(AFTER, [baked, redeploy], candidates)).toEqual(['v1.1.0']);
  });

  it('is withdrawn when the redeploy fails its bake, and allowed again when a later one succeeds', () => {
    const failed = deployment(3, 'r-rolled-back', '2026-01-03T00:00:00Z', [status('failure', 'Bake failed: errors', '2026-01-03T01:00:00Z')]);
    expect(allowedVersions(AFTER, [failed, baked], candidates)).toEqual([]);
    const again = deployment(5, 'r-rolled-back', '2026-01-05T00:00:00Z', [status('success', 'Bake succeeded', '2026-01-05T01:00:00Z')]);
    expect(allowedVersions(AFTER, [failed, again, baked], candidates)).toEqual(['v1.1.0']);
  });

  it('Parallel still follows the newest deployment of the revision', () => {
    const redeploy = deployment(3, 'r-rolled-back', '2026-01-03T00:00:00Z', [status('inactive', 'Bake cancelled', '2026-01-03T00:00:01Z')]);
    expect(allowedVersions(PARALLEL, [redeploy, baked], candidates)).toEqual([]);
  });
});

describe('gateName', () => {
  it('is <environment name>-gate for ordinary names', () => {
    expect(gateName('my-app-production')).toBe('my-app-production-gate');
  });

  it('keeps names that fit exactly in 253 characters', () => {
    const name = 'a'.repeat(248);
    expect(gateName(name)).toBe(`${name}-gate`);
    expect(gateName(name)).toHaveLength(253);
  });

  it('is deterministic and at most 253 characters for a 253-character Environment name', () => {
    const name = 'e'.repeat(253);
    const hash = createHash('sha256').update(name).digest('hex').slice(0, 10);
    expect(gateName(name)).toBe(`${'e'.repeat(237)}-${hash}-gate`);
    expect(gateName(name)).toHaveLength(253);
    expect(gateName(name)).toBe(gateName(name));
  });

  it('tells apart long names that share a prefix', () => {
    const a = `${'x'.repeat(250)}aaa`;
    const b = `${'x'.repeat(250)}bbb`;
    expect(gateName(a)).not.toBe(gateName(b));
    expect(gateName(a).length).toBeLessThanOrEqual(253);
    expect(gateName(b).length).toBeLessThanOrEqual(253);
  });

  it('does not leave a dash or dot before the hash', () => {
    const name = `${'a'.repeat(236)}.-${'b'.repeat(15)}`; // the cut at 237 ends in ".-"
    const hash = createHash('sha256').update(name).digest('hex').slice(0, 10);
    expect(gateName(name)).toBe(`${'a'.repeat(236)}-${hash}-gate`);
    expect(gateName(name)).toMatch(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/);
  });
});

describe('gateObject', () => {
  it('has the exact RolloutGate shape for After', () => {
    expect(
      gateObject({
        environmentName: 'my-app-production',
        namespace: 'default',
        rolloutName: 'my-app',
        relationship: { environment: 'staging', type: 'After' },
        allowedVersions: ['v1.0.0'],
      }),
    ).toEqual({
      apiVersion: 'kuberik.com/v1alpha1',
      kind: 'RolloutGate',
      metadata: {
        name: 'my-app-production-gate',
        namespace: 'default',
        annotations: {
          'gate.kuberik.com/description':
            'Allows versions that baked successfully in staging (GitHub deployments, managed by environment-sync for Environment my-app-production).',
          'gate.kuberik.com/pretty-name': 'After staging',
        },
      },
      spec: { rolloutRef: { name: 'my-app' }, passing: true, allowedVersions: ['v1.0.0'] },
    });
  });

  it('has the exact RolloutGate shape for Parallel, with an empty allow list', () => {
    const gate = gateObject({
      environmentName: 'canary',
      namespace: 'team-a',
      rolloutName: 'api',
      relationship: { environment: 'production', type: 'Parallel' },
      allowedVersions: [],
    });
    expect(gate).toEqual({
      apiVersion: 'kuberik.com/v1alpha1',
      kind: 'RolloutGate',
      metadata: {
        name: 'canary-gate',
        namespace: 'team-a',
        annotations: {
          [DESCRIPTION_ANNOTATION]:
            'Allows versions deployed to production that have not failed or been cancelled there (GitHub deployments, managed by environment-sync for Environment canary).',
          [PRETTY_NAME_ANNOTATION]: 'Parallel with production',
        },
      },
      spec: { rolloutRef: { name: 'api' }, passing: true, allowedVersions: [] },
    });
    expect(PRETTY_NAME_ANNOTATION).toBe('gate.kuberik.com/pretty-name');
    expect(DESCRIPTION_ANNOTATION).toBe('gate.kuberik.com/description');
  });
});
