/** Shared test helpers for the pure core: the Go controller fixture decoded into ledger objects. */
import { goControllerFixture } from '../../support/fixtures.js';
import { shortEnvironment } from '../../../src/core/naming.js';
import { decodePayload } from '../../../src/core/payload.js';
import type { GitHubState, LedgerDeployment, LedgerStatus } from '../../../src/core/types.js';

export interface FixtureStatus {
  state: string;
  description: string;
  environment: string;
  environment_url?: string;
  created_at: string;
}

export interface FixtureDeployment {
  id: number;
  node_id: string;
  sha: string;
  ref: string;
  task: string;
  environment: string;
  description: string;
  production_environment: boolean;
  payload: string;
  created_at: string;
  statuses: FixtureStatus[];
}

export interface FixtureReading {
  id: number;
  tag: string;
  bakeStatus: string;
  bakeStatusMessage?: string;
  relationship?: { environment: string; type: string };
}

export interface Fixture {
  deployments: FixtureDeployment[];
  expected_reading: {
    staging: FixtureReading[];
    production: FixtureReading[];
    allowedVersions_for_production_After_staging_when_all_three_tags_are_release_candidates: string[];
    allowedVersions_for_production_Parallel_staging_when_all_three_tags_are_release_candidates: string[];
  };
}

export const fixture = goControllerFixture<Fixture>();

/** Revisions used by the fixture (and reused by the hand-built scenarios). */
export const REV_V100 = '9f1c2e7a4b3d5f60718293a4b5c6d7e8f9012345';
export const REV_V110 = '0a9c600d3a75bcb7ec54dcef3b03e0d7fe0598d7';
export const REV_V120 = '5b2e8d1c9a7f6e4d3c2b1a0f9e8d7c6b5a493827';

export function toLedgerStatus(s: FixtureStatus): LedgerStatus {
  return {
    state: s.state as GitHubState,
    description: s.description,
    environmentUrl: s.environment_url ?? '',
    createdAt: s.created_at,
  };
}

export function toLedgerDeployment(d: FixtureDeployment): LedgerDeployment {
  const payload = decodePayload(d.payload);
  if (!payload) throw new Error(`fixture payload of ${d.node_id} does not decode`);
  return {
    nodeId: d.node_id,
    environment: shortEnvironment(d.environment),
    payload,
    createdAt: d.created_at,
    description: d.description,
    statuses: d.statuses.map(toLedgerStatus),
  };
}

export const fixtureDeployments = (): LedgerDeployment[] => fixture.deployments.map(toLedgerDeployment);

export function status(state: GitHubState, description: string, createdAt: string, environmentUrl = ''): LedgerStatus {
  return { state, description, environmentUrl, createdAt };
}

/** Deterministic permutations of a list (rotations and reversals), for order-independence tests. */
export function shuffles<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let r = 0; r < items.length; r++) {
    const rotated = [...items.slice(r), ...items.slice(0, r)];
    out.push(rotated, [...rotated].reverse());
  }
  return out;
}
