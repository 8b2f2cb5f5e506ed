/**
 * Issue 12 item 5 / spec §5.5: Rollout ids restart at 1 when a Rollout is recreated. kuberik's
 * dashboard sorts an environment's history by id and shows the first entry with a bake status
 * as current (rollout-dashboard frontend/src/routes/rollouts/[namespace]/[name]/environments/+page.svelte:122-131),
 * so entries recorded before the newest restart must never be shown as current.
 */
import { environmentInfos } from '../../../src/core/environment-infos.js';
import { allowedVersions } from '../../../src/core/gate.js';
import { buildGraph } from '../../../src/core/graph.js';
import { deploymentsOf } from '../../../src/core/ledger.js';
import type { DeploymentHistoryEntry, Ledger, LedgerDeployment, Relationship } from '../../../src/core/types.js';
import type { RolloutHistoryEntry } from '../../../src/generated/kubernetes.js';
import { status } from './helpers.js';

const rev = (tag: string) => tag.replace(/\W/g, '').padEnd(40, '0');
const baked = (at: string) => [status('success', 'Bake succeeded', at)];

function dep(environment: string, id: number, tag: string, createdAt: string, statuses: LedgerDeployment['statuses'] = baked(createdAt)): LedgerDeployment {
  return {
    nodeId: `N_${environment}_${id}_${tag}`,
    environment,
    payload: { id, version: { tag, revision: rev(tag) } },
    createdAt,
    description: 'Automatic deployment',
    statuses,
  };
}

/** staging: the old Rollout's ids 1-5 (v1.x), then the recreated Rollout's ids 1, 2 (v2.x). */
const ledger: Ledger = {
  environments: ['production', 'staging'],
  deployments: [
    dep('staging', 1, 'v1.1.0', '2026-01-01T00:00:00Z'),
    dep('staging', 2, 'v1.2.0', '2026-01-02T00:00:00Z'),
    dep('staging', 3, 'v1.3.0', '2026-01-03T00:00:00Z'),
    dep('staging', 4, 'v1.4.0', '2026-01-04T00:00:00Z'),
    dep('staging', 5, 'v1.5.0', '2026-01-05T00:00:00Z'),
    dep('staging', 1, 'v2.0.0', '2026-02-01T00:00:00Z'),
    dep('staging', 2, 'v2.1.0', '2026-02-02T00:00:00Z', [status('in_progress', 'Baking in progress', '2026-02-02T00:00:01Z')]),
  ],
};

const AFTER_STAGING: Relationship = { environment: 'staging', type: 'After' };

/** What the dashboard shows as current: sort by id (newest first), first entry with a bake status. */
function dashboardCurrent(history: DeploymentHistoryEntry[] | undefined): string | undefined {
  const sorted = [...(history ?? [])].sort((a, b) => (b.id ?? 0) - (a.id ?? 0));
  return (sorted.find((e) => e.bakeStatus && e.bakeStatus !== 'None') ?? sorted[0])?.version.tag;
}

function infos(self: string, localHistory: RolloutHistoryEntry[] = []) {
  const graph = buildGraph(self, new Map([['production', AFTER_STAGING]]));
  return environmentInfos({ self, graph, ledger, localHistory, localEnvironmentUrl: '' });
}

describe('a recreated Rollout never shows a stale version as current', () => {
  it('an upstream environment shows only the entries since the newest id restart', () => {
    const staging = infos('production').find((i) => i.environment === 'staging');
    expect(staging?.history?.map((e) => [e.id, e.version.tag])).toEqual([
      [2, 'v2.1.0'],
      [1, 'v2.0.0'],
    ]);
    expect(dashboardCurrent(staging?.history)).toBe('v2.1.0');
  });

  it('the own environment: GitHub entries of the earlier Rollout at or above its oldest live id are left out', () => {
    const local: RolloutHistoryEntry[] = [
      { id: 2, version: { tag: 'v2.1.0', revision: rev('v2.1.0') }, bakeStatus: 'InProgress', timestamp: '2026-02-02T00:00:00Z' },
      { id: 1, version: { tag: 'v2.0.0', revision: rev('v2.0.0') }, bakeStatus: 'Succeeded', timestamp: '2026-02-01T00:00:00Z' },
    ];
    const staging = infos('staging', local).find((i) => i.environment === 'staging');
    expect(staging?.history?.map((e) => [e.id, e.version.tag, e.bakeStatus])).toEqual([
      [2, 'v2.1.0', 'InProgress'],
      [1, 'v2.0.0', 'Succeeded'],
    ]);
  });

  it('the own environment before the recreated Rollout published anything: its local entries, nothing older', () => {
    const fresh: Ledger = { ...ledger, deployments: ledger.deployments.filter((d) => d.payload.version.tag.startsWith('v1')) };
    const local: RolloutHistoryEntry[] = [
      { id: 1, version: { tag: 'v2.0.0', revision: rev('v2.0.0') }, bakeStatus: 'Deploying', timestamp: '2026-02-01T00:00:00Z' },
    ];
    const graph = buildGraph('staging', new Map([['production', AFTER_STAGING]]));
    const staging = environmentInfos({ self: 'staging', graph, ledger: fresh, localHistory: local, localEnvironmentUrl: '' }).find(
      (i) => i.environment === 'staging',
    );
    expect(staging?.history?.map((e) => [e.id, e.version.tag])).toEqual([[1, 'v2.0.0']]);
  });

  it('gating is unchanged: versions that baked before the restart stay allowed', () => {
    const candidates = ['v2.1.0', 'v2.0.0', 'v1.5.0', 'v1.4.0'].map((tag) => ({ tag, revision: rev(tag) }));
    expect(allowedVersions(AFTER_STAGING, deploymentsOf(ledger, 'staging'), candidates)).toEqual(['v2.0.0', 'v1.5.0', 'v1.4.0']);
  });
});
